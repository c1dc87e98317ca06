import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { actor, newHousehold } from './helpers/fixtures';
import { RawClient, syncFrame, T } from './helpers/raw';
import { join, relayProcessPerTest } from './helpers/relay';

const relays = relayProcessPerTest();

describe('bundle stream', () => {
  it('streams a large bundle piece with backpressure without piling up listeners', async () => {
    const { relay: child, teamId, inviteCode } = await relays.startWithTeam();
    const lead = await join(child.url, inviteCode, '王书记', 'laptop');
    // 150 households of ~12 KB that gzip barely shrinks: the gzip stream says "wait" many times.
    const c = new RawClient(child.wsUrl);
    for (let i = 0; i < 150; i++) {
      const h = newHousehold(teamId, actor(lead.memberId), `户主${i}`);
      h.doc.getText('notes').insert(0, crypto.randomBytes(9 * 1024).toString('base64'));
      expect((await c.auth(h.name, lead.token)).authType).toBe(2);
      const from = c.received.length;
      c.send(syncFrame(h.name, 2, Y.encodeStateAsUpdate(h.doc)));
      await c.waitFor((m) => m.docName === h.name && m.type === T.SyncStatus, 10_000, from);
    }
    c.close();
    const res = await fetch(`${child.url}/api/bundle?limit=150`, { headers: { Authorization: `Bearer ${lead.token}` } });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeGreaterThan(1024 * 1024);
    expect(child.log()).not.toMatch(/MaxListenersExceededWarning/);
  });
});
