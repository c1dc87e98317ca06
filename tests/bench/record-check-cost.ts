// The relay's record check (sync-server/src/validation/record-check.ts) on a small and a
// large household doc: its per-update cost must not grow with the doc. Run:
//   npx tsx tests/bench/record-check-cost.ts
import * as Y from 'yjs';
import { addVisit, createHousehold, updateProfile } from '../../src/docs/household-doc';
import { checkRecords } from '../../sync-server/src/validation/record-check';

const by = { memberId: 'm1', deviceId: 'dev-test', now: '2025-03-01T08:00:00.000Z' };
const profile = (headName: string) => ({ headName, phone: '13800000000', address: { area: '北山林场', village: '二道沟', street: '林业街', house: '12号' }, tags: ['elderly_alone'], visitIntervalDays: 30 });

function household(visits: number): Y.Doc {
  const doc = new Y.Doc();
  createHousehold(doc, { id: 'h1', teamId: 't1', profile: profile('李大娘') }, by);
  for (let i = 0; i < visits; i++) {
    addVisit(doc, { id: `v${i}`, kind: 'home', visitorIds: ['m1'], visitedAt: by.now, observations: { housing: { level: 'fair', note: '房屋漏雨' } }, said: `走访 ${i}`, notes: '', photos: [] }, by);
    if (i % 10 === 0) updateProfile(doc, profile(`李大娘${i}`), by);
  }
  return doc;
}

/** A device's next save: a visit and a profile edit (a replacement, placed through the struct store). */
function nextSave(relay: Y.Doc): Uint8Array {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(relay));
  // what the provider sends live: the transaction's own update
  const sent: Uint8Array[] = [];
  d.on('update', (u: Uint8Array) => sent.push(u));
  d.transact(() => {
    updateProfile(d, profile('李秀英'), by);
    addVisit(d, { id: 'new', kind: 'phone', visitorIds: ['m1'], visitedAt: by.now, observations: {}, said: '电话', notes: '', photos: [] }, by);
  });
  return sent[0]!;
}

const cases = [10, 10_000].map((n) => {
  const doc = household(n);
  return { n, doc, update: nextSave(doc), docBytes: Y.encodeStateAsUpdate(doc).length };
});
// A/B/A/B, so a machine busy with other work weighs on both alike.
for (let pass = 0; pass < 3; pass++) {
  for (const { n, doc, update, docBytes } of cases) {
    const rounds = 5000;
    for (let i = 0; i < 500; i++) checkRecords('household', doc, update);
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) if (!checkRecords('household', doc, update).ok) throw new Error('refused an honest save');
    const us = ((performance.now() - t0) / rounds) * 1000;
    console.log(`pass ${pass}: ${n} visits, doc ${(docBytes / 1024).toFixed(0)} KB, update ${update.length} B: ${us.toFixed(1)} µs per check`);
  }
}
