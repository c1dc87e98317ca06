import { format } from 'node:util';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { startRelay } from './server';

const config = loadConfig();
const log = createLogger(config.logLevel);
// Hocuspocus reports through console.error; keep the output one JSON line per event.
console.error = (...args: unknown[]) => log.warn({ source: 'hocuspocus' }, format(...args));

const relay = await startRelay(config, log);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  relay.close().then(
    () => process.exit(0),
    (e: unknown) => {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
