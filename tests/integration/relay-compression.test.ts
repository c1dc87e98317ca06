// permessage-deflate on /sync: on by default (a phone's bytes up), declined with
// WS_COMPRESSION=off (ADR 0017); inflated and deflated by one synchronous zlib call per
// message, with the socket's sliding window kept as plain bytes (ADR 0025).
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { householdDocName, teamDocName } from '@/docs/schema';
import { RELAY_DEFLATE, inlineCompression } from '../../sync-server/src/sync/socket-compression';
import { actor, newHousehold, readHousehold, visit } from './helpers/fixtures';
import { startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

let relay: TestRelay | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
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

/** A socket that compresses every frame it sends and keeps its context, as browsers do. */
class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: { threshold: 0 } });
    this.on('error', () => undefined);
  }
}

function phone(wsUrl: string, token: string) {
  const socket = new HocuspocusProviderWebsocket({ url: wsUrl, WebSocketPolyfill: BrowserLikeWebSocket, maxAttempts: 0, delay: 50, minDelay: 50, maxDelay: 300 });
  const providers: HocuspocusProvider[] = [];
  const close = () => {
    for (const p of providers.splice(0)) p.destroy();
    socket.destroy();
  };
  cleanups.push(close);
  return {
    close,
    attach(name: string, doc: Y.Doc): HocuspocusProvider {
      const p = new HocuspocusProvider({ websocketProvider: socket, name, document: doc, token, awareness: null });
      p.attach();
      providers.push(p);
      return p;
    },
  };
}

const inStep = (p: HocuspocusProvider) => waitFor(() => p.isSynced && p.unsyncedChanges === 0, 20_000, `in step ${p.configuration.name}`);

describe('WebSocket compression', () => {
  it('is offered by default: a phone on a thin link sends its frames compressed', async () => {
    relay = await startTestRelay();
    expect(await negotiated(relay.wsUrl)).toMatch(/^permessage-deflate/);
  });

  it('is declined with WS_COMPRESSION=off: phones send their frames as they are and the relay inflates nothing', async () => {
    relay = await startTestRelay({ config: { wsCompression: false } });
    expect(await negotiated(relay.wsUrl)).toBe('');
  });

  it("takes over ws' zlib streams on a socket that agreed the relay's settings (fails if ws' internals change)", async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: RELAY_DEFLATE });
    cleanups.push(() => wss.close());
    await new Promise((r) => wss.once('listening', r));
    const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { perMessageDeflate: { threshold: 0 } });
    cleanups.push(() => client.terminate());
    const server = await accepted;
    await new Promise((r) => (client.readyState === WebSocket.OPEN ? r(null) : client.once('open', r)));
    expect(inlineCompression(server)).toBe(true);
    // Both ways, across more than the 32 KiB window, with text repeated between messages
    // (back-references into earlier messages) and bytes that do not compress.
    const sent: Buffer[] = [];
    for (let i = 0; i < 60; i++) sent.push(Buffer.concat([Buffer.from(`第${i}次走访：老人说最近身体还行，冬天取暖煤不够，希望帮忙联系。`.repeat(1 + (i % 7))), randomBytes(i % 5 === 0 ? 3000 : 20)]));
    const got: Buffer[] = [];
    server.on('message', (m: Buffer) => got.push(m));
    for (const m of sent) client.send(m);
    await waitFor(() => got.length === sent.length, 10_000, 'frames at the server');
    expect(got.every((m, i) => m.equals(sent[i]!))).toBe(true);
    const back: Buffer[] = [];
    client.on('message', (m: Buffer) => back.push(m));
    for (const m of sent) server.send(m);
    await waitFor(() => back.length === sent.length, 10_000, 'frames at the client');
    expect(back.every((m, i) => m.equals(sent[i]!))).toBe(true);
  });

  it('syncs households from phones that compress every frame: acknowledged, stored, and read back whole by another phone', async () => {
    relay = await startTestRelay();
    // The lead registers households (a member writes only those linked to them).
    const { teamId, lead } = await teamWith(relay, []);
    const by = actor(lead.memberId);
    const mine = phone(relay.wsUrl, lead.token);
    await inStep(mine.attach(teamDocName(teamId), new Y.Doc()));
    const names: string[] = [];
    const docs: Y.Doc[] = [];
    for (let h = 0; h < 3; h++) {
      const hh = newHousehold(teamId, by, `张大爷${h}`);
      const name = householdDocName(teamId, hh.id);
      const p = mine.attach(name, hh.doc);
      await inStep(p);
      // Enough visits that the phone's sliding window wraps several times over.
      for (let v = 0; v < 25; v++) visit(hh.doc, by, `第${v}次：老人说最近身体还行，冬天取暖煤不够，希望帮忙联系。${'血压偏高，已提醒按时服药。'.repeat(1 + (v % 4))}`);
      await inStep(p);
      names.push(name);
      docs.push(hh.doc);
    }
    mine.close();
    // Read back on a new socket into empty docs: the relay's replies (≥ 1 KiB) come deflated.
    const again = phone(relay.wsUrl, lead.token);
    for (const [i, name] of names.entries()) {
      const copy = new Y.Doc();
      await inStep(again.attach(name, copy));
      expect(readHousehold(copy)).toEqual(readHousehold(docs[i]!));
      expect(readHousehold(copy).visits).toHaveLength(25);
    }
  });

  it('closes a socket whose compressed frame inflates past the message ceiling, without inflating it all (1009)', async () => {
    relay = await startTestRelay({ limits: { maxMessageBytes: 64 * 1024 } });
    const ws = new BrowserLikeWebSocket(relay.wsUrl);
    cleanups.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code: number) => r(code)));
    ws.send(Buffer.alloc(8 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});
