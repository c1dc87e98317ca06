// permessage-deflate on /sync: on by default (a phone's bytes up), declined with WS_COMPRESSION=off (ADR 0017).
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
  it('is offered by default: a phone on a thin link sends its frames compressed', async () => {
    relay = await startTestRelay();
    expect(await negotiated(relay.wsUrl)).toMatch(/^permessage-deflate/);
  });

  it('is declined with WS_COMPRESSION=off: phones send their frames as they are and the relay inflates nothing', async () => {
    relay = await startTestRelay({ config: { wsCompression: false } });
    expect(await negotiated(relay.wsUrl)).toBe('');
  });
});
