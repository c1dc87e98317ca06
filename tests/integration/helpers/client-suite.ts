// The relay and the phones of a client integration file, opened and closed in one place:
// a test says what it does with them, not how they start and stop.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { clientDevice, type ClientDevice } from './client-device';
import { relayProcessPerTest, startTestRelay, type TestRelay } from './relay';

export interface ClientSuite {
  /** A device (see `clientDevice`), closed after the test that opened it. */
  device(...args: Parameters<typeof clientDevice>): Promise<ClientDevice>;
  /** Close a device now (the phone is switched off); it is not closed again after the test. */
  close(d: ClientDevice): Promise<void>;
  /** Undo this after the test too (e.g. a relay the test started itself), last deferred first. */
  defer(undo: () => Promise<unknown>): void;
}

/**
 * `clientSuite()`: one relay in this process for the whole file (`relay`, started before the
 * first test, closed after the last).
 * `clientSuite({ relay: 'process' })`: a relay process per test from `relayProcessPerTest`
 * (`relays`), killed after the devices of the test are closed.
 * `clientSuite({ relay: 'none' })`: the test starts its relays itself and `defer`s their close.
 * In every case the devices a test opens are closed after it, newest first.
 */
export function clientSuite(): ClientSuite & { relay: TestRelay };
export function clientSuite(opts: { relay: 'process' }): ClientSuite & { relays: ReturnType<typeof relayProcessPerTest> };
export function clientSuite(opts: { relay: 'none' }): ClientSuite;
export function clientSuite(opts: { relay?: 'file' | 'process' | 'none' } = {}): ClientSuite & { relay?: TestRelay; relays?: ReturnType<typeof relayProcessPerTest> } {
  // Registered before the afterEach below, so (hooks run as a stack) it runs after it:
  // the devices close while their relay is still there.
  const relays = opts.relay === 'process' ? relayProcessPerTest() : undefined;
  const undo: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const u of undo.splice(0).reverse()) await u().catch(() => undefined);
  });
  /** devices opened and not yet closed */
  const opened = new Set<ClientDevice>();
  const close = async (d: ClientDevice): Promise<void> => {
    if (!opened.delete(d)) return;
    await d.close();
  };
  const suite: ClientSuite = {
    async device(...args) {
      const d = await clientDevice(...args);
      opened.add(d);
      undo.push(() => close(d));
      return d;
    },
    close,
    defer(u) {
      undo.push(u);
    },
  };
  if (relays) return { ...suite, relays };
  if (opts.relay === 'none') return suite;

  let current: TestRelay | undefined;
  beforeAll(async () => {
    current = await startTestRelay();
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  const started = (): TestRelay => {
    if (!current) throw new Error("the suite's relay is not running (used outside a test?)");
    return current;
  };
  // Stands for the file's relay, which starts only in beforeAll: a test file can take it
  // at the top (`const { relay: t, device } = clientSuite()`) and use it in every test.
  const relay: TestRelay = {
    get relay() {
      return started().relay;
    },
    get url() {
      return started().url;
    },
    get wsUrl() {
      return started().wsUrl;
    },
    get dataDir() {
      return started().dataDir;
    },
    async restart() {
      current = await started().restart();
      return relay;
    },
    async close() {
      await started().close();
      current = undefined;
    },
  };
  return { ...suite, relay };
}
