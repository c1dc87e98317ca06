// permessage-deflate on /sync: off by default (WS_COMPRESSION, ADR 0017), offered when asked for.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestRelay, type TestRelay } from './helpers/relay';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** What the relay answered to a client offering permessage-deflate (as browsers do). */
function negotiated(wsUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: true });
    ws.once('upgrade', (res) => resolve(String(res.headers['sec-websocket-extensions'] ?? '')));
    ws.once('open', () => ws.close());
    ws.once('error', reject);
  });
}

describe('WebSocket compression', () => {
  it('is declined by default: phones send their frames as they are and the relay inflates nothing', async () => {
    relay = await startTestRelay();
    expect(await negotiated(relay.wsUrl)).toBe('');
  });

  it('is offered with WS_COMPRESSION=on', async () => {
    relay = await startTestRelay({ config: { wsCompression: true } });
    expect(await negotiated(relay.wsUrl)).toMatch(/^permessage-deflate/);
  });
});
