import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readHousehold } from '@/docs/household-doc';
import { actor, newHousehold, visit } from './helpers/fixtures';
import { RawClient, syncFrame, T } from './helpers/raw';
import { Device, startTestRelay, teamWith, waitFor, type TestRelay } from './helpers/relay';

let relay: TestRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

/** What a crafted client sends: the household as the relay has it, then wrong types written with raw Yjs. */
function crafted(base: Y.Doc, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base));
  const sv = Y.encodeStateVector(doc);
  write(doc);
  return Y.encodeStateAsUpdate(doc, sv);
}

/** Read the doc back from the relay on a socket of its own. */
async function readBack(t: TestRelay, token: string, name: string): Promise<Y.Doc> {
  const dev = new Device(t.wsUrl, token);
  const doc = new Y.Doc();
  const p = dev.attach(name, doc);
  await waitFor(() => p.isSynced, 10_000, 'read back');
  dev.destroy();
  return doc;
}

describe('the relay refuses an update that breaks the record schema', () => {
  it('refuses wrong types and prototype keys for that document only, acknowledges nothing, stores nothing; a good update on the same socket is acknowledged', async () => {
    relay = await startTestRelay();
    const { teamId, lead, members } = await teamWith(relay, ['张三']);
    const member = members[0]!;
    const h = newHousehold(teamId, actor(member.memberId), '李大娘');
    const c = new RawClient(relay.wsUrl);
    try {
      expect((await c.auth(h.name, member.token)).authType).toBe(2);
      let from = c.received.length;
      c.send(syncFrame(h.name, 2, Y.encodeStateAsUpdate(h.doc)));
      expect((await c.waitFor((m) => m.type === T.SyncStatus, 10_000, from)).saved).toBe(true);

      // The shape from the issue: the head's name a number, the area an object, a tag named __proto__.
      const bad = crafted(h.doc, (doc) => {
        doc.getMap('profile').set('headName', 42);
        doc.getMap('profile').set('area', { evil: true });
        doc.getMap('tags').set('__proto__', true);
      });
      from = c.received.length;
      c.send(syncFrame(h.name, 2, bad));
      const refused = await c.waitFor((m) => m.docName === h.name && m.type === T.Auth, 10_000, from);
      expect(refused).toMatchObject({ authType: 1, reason: 'invalid-record' });
      await new Promise((r) => setTimeout(r, 200));
      expect(c.received.slice(from).some((m) => m.type === T.SyncStatus)).toBe(false);
      expect(c.closed).toBeUndefined();

      // Same socket: another household, then the same one attached again with an honest edit.
      const other = newHousehold(teamId, actor(member.memberId), '赵大爷');
      expect((await c.auth(other.name, member.token)).authType).toBe(2);
      from = c.received.length;
      c.send(syncFrame(other.name, 2, Y.encodeStateAsUpdate(other.doc)));
      expect((await c.waitFor((m) => m.docName === other.name && m.type === T.SyncStatus, 10_000, from)).saved).toBe(true);
      expect((await c.auth(h.name, member.token)).authType).toBe(2);
      const sv = Y.encodeStateVector(h.doc);
      visit(h.doc, actor(member.memberId), '一切都好');
      from = c.received.length;
      c.send(syncFrame(h.name, 2, Y.encodeStateAsUpdate(h.doc, sv)));
      expect((await c.waitFor((m) => m.docName === h.name && m.type === T.SyncStatus, 10_000, from)).saved).toBe(true);
    } finally {
      c.close();
    }

    // Nothing of the crafted update is in the relay's memory or on its disk.
    for (const restart of [false, true]) {
      if (restart) relay = await relay.restart();
      const back = readHousehold(await readBack(relay, lead.token, h.name));
      expect(back.household).toMatchObject({ headName: '李大娘', address: { area: '北山林场' }, tags: ['elderly_alone'] });
      expect(back.household.invalid).toBeUndefined();
      expect(back.household.invalidTags).toBeUndefined();
      expect(back.visits.map((v) => v.said)).toEqual(['一切都好']);
    }
  });
});
