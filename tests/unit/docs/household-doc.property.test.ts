import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addRating,
  addRequest,
  addRequestAction,
  addVisit,
  createHousehold,
  deleteRequest,
  deleteVisit,
  readHousehold,
  setNotes,
  setRequestStatus,
  updateProfile,
  updateVisit,
  upsertMember,
  type NewVisit,
} from '@/docs/household-doc';
import { docVersion } from '@/docs/ymap';
import { projectHousehold } from '@/domain/projection';
import type { HouseholdProfile } from '@/domain/household';

/**
 * 3–5 replicas of one household file apply random edits while partitioned, exchange state
 * in random pairs and orders, and finally all meet. They must agree on the file and on the
 * projected rows, and every visit, request and rating anyone added must still be there.
 */

const NAMES = ['张三', '李四', '王秀英', '赵六', '单田芳'];
const AREAS = ['东山林场', '西沟矿区', '北岭'];
const TAGS = ['elderly_alone', 'left_behind_children', 'disabled', 'hardship', 'minimum_allowance'];

const profileArb: fc.Arbitrary<HouseholdProfile> = fc.record({
  headName: fc.constantFrom(...NAMES),
  phone: fc.constantFrom('', '13800000000', '0351-1234567'),
  address: fc.record({ area: fc.constantFrom(...AREAS), village: fc.constantFrom('', '二道沟', '三队'), street: fc.constant(''), house: fc.constantFrom('', '1号', '12号') }),
  tags: fc.subarray(TAGS),
  visitIntervalDays: fc.constantFrom(7, 14, 30),
});

type Op =
  | { t: 'profile'; p: HouseholdProfile }
  | { t: 'notes'; at: number; del: number; ins: string }
  | { t: 'member'; n: number; name: string }
  | { t: 'visit'; day: number; said: string; health: 'good' | 'concern' }
  | { t: 'editVisit'; k: number; said: string }
  | { t: 'delVisit'; k: number }
  | { t: 'request'; cat: 'medical' | 'housing' | 'other' }
  | { t: 'action'; k: number; text: string }
  | { t: 'status'; k: number; s: 'in_progress' | 'resolved' | 'explained' }
  | { t: 'delRequest'; k: number }
  | { t: 'rating'; k: number; level: 'satisfied' | 'dissatisfied' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('profile' as const), p: profileArb }),
  fc.record({ t: fc.constant('notes' as const), at: fc.nat(40), del: fc.nat(5), ins: fc.constantFrom('', '屋顶漏雨', '需要轮椅', 'ok') }),
  fc.record({ t: fc.constant('member' as const), n: fc.nat(3), name: fc.constantFrom(...NAMES) }),
  fc.record({ t: fc.constant('visit' as const), day: fc.integer({ min: 1, max: 28 }), said: fc.constantFrom('', '一切都好', '想申请低保'), health: fc.constantFrom('good' as const, 'concern' as const) }),
  fc.record({ t: fc.constant('editVisit' as const), k: fc.nat(), said: fc.constantFrom('补充：孩子上学远', '已核实') }),
  fc.record({ t: fc.constant('delVisit' as const), k: fc.nat() }),
  fc.record({ t: fc.constant('request' as const), cat: fc.constantFrom('medical' as const, 'housing' as const, 'other' as const) }),
  fc.record({ t: fc.constant('action' as const), k: fc.nat(), text: fc.constantFrom('已联系社区医院', '已提交材料') }),
  fc.record({ t: fc.constant('status' as const), k: fc.nat(), s: fc.constantFrom('in_progress' as const, 'resolved' as const, 'explained' as const) }),
  fc.record({ t: fc.constant('delRequest' as const), k: fc.nat() }),
  fc.record({ t: fc.constant('rating' as const), k: fc.nat(), level: fc.constantFrom('satisfied' as const, 'dissatisfied' as const) }),
);

/** Each step is an edit on one replica, or one replica sending its state to another. */
const scenarioArb = fc.integer({ min: 3, max: 5 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    steps: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), r: fc.nat(n - 1), op: opArb }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(n - 1), to: fc.nat(n - 1) }) },
      ),
      { minLength: 5, maxLength: 40 },
    ),
    finalOrder: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
  }),
);

const actorOf = (r: number) => ({ memberId: `m${r}`, deviceId: `dev-${r}`, now: `2026-05-01T0${r}:00:00.000Z` });

function sync(from: Y.Doc, to: Y.Doc) {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

function apply(doc: Y.Doc, r: number, op: Op, seq: { n: number }, added: { visits: Set<string>; requests: Set<string>; ratings: Set<string> }) {
  const actor = actorOf(r);
  const file = readHousehold(doc);
  const pick = <T,>(xs: T[], k: number) => (xs.length ? xs[k % xs.length] : undefined);
  const uid = (p: string) => `${p}-${r}-${seq.n++}`;
  switch (op.t) {
    case 'profile':
      return updateProfile(doc, op.p, actor);
    case 'notes': {
      const cur = file.household.notes;
      const at = Math.min(op.at, cur.length);
      return setNotes(doc, cur.slice(0, at) + op.ins + cur.slice(Math.min(cur.length, at + op.del)));
    }
    case 'member':
      return upsertMember(doc, { id: `hm${op.n}`, name: op.name, relation: 'child' });
    case 'visit': {
      const visit: NewVisit = {
        id: uid('v'),
        kind: 'home',
        visitorIds: [actor.memberId],
        visitedAt: `2026-04-${String(op.day).padStart(2, '0')}T10:00:00.000Z`,
        observations: { health: { level: op.health, note: '' } },
        said: op.said,
        notes: '',
        photos: [],
      };
      added.visits.add(visit.id);
      return addVisit(doc, visit, actor);
    }
    case 'editVisit': {
      const v = pick(file.visits, op.k);
      if (!v) return;
      return updateVisit(doc, { ...v, said: op.said }, actor);
    }
    case 'delVisit': {
      const v = pick(file.visits, op.k);
      return v && deleteVisit(doc, v.id, actor);
    }
    case 'request': {
      const id = uid('q');
      added.requests.add(id);
      return addRequest(doc, { id, category: op.cat, description: '需要帮助', ownerId: actor.memberId }, actor);
    }
    case 'action': {
      const q = pick(file.requests, op.k);
      return q && addRequestAction(doc, q.id, { id: uid('a'), at: actor.now, by: actor.memberId, kind: 'note', text: op.text });
    }
    case 'status': {
      const q = pick(file.requests, op.k);
      return q && setRequestStatus(doc, q.id, { status: op.s, explanation: op.s === 'explained' ? '已说明政策' : undefined }, { id: uid('a'), at: actor.now, by: actor.memberId, kind: 'status', text: '', status: op.s });
    }
    case 'delRequest': {
      const q = pick(file.requests, op.k);
      return q && deleteRequest(doc, q.id, actor);
    }
    case 'rating': {
      const v = pick(file.visits, op.k);
      if (!v) return;
      const id = uid('rt');
      added.ratings.add(id);
      return addRating(doc, { id, subjectKind: 'visit', subjectId: v.id, memberId: actor.memberId, level: op.level, comment: '', recordedAt: actor.now, recordedBy: actor.memberId });
    }
  }
}

describe('household doc: replicas converge', () => {
  it('agree on the file and the rows, and keep every record anyone added', () => {
    fc.assert(
      fc.property(scenarioArb, ({ n, steps, finalOrder }) => {
        const origin = new Y.Doc();
        createHousehold(origin, { id: 'h1', teamId: 't1', profile: { headName: '张三', phone: '', address: { area: '东山林场', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, actorOf(0));
        const replicas = Array.from({ length: n }, () => {
          const d = new Y.Doc();
          sync(origin, d);
          return d;
        });
        const added = { visits: new Set<string>(), requests: new Set<string>(), ratings: new Set<string>() };
        const seq = { n: 0 };
        for (const s of steps) {
          if (s.kind === 'edit') apply(replicas[s.r]!, s.r, s.op, seq, added);
          else if (s.from !== s.to) sync(replicas[s.from]!, replicas[s.to]!);
        }
        // Everyone meets: a gossip round in a random order, then back the other way.
        for (const i of finalOrder) for (const j of finalOrder) if (i !== j) sync(replicas[i]!, replicas[j]!);
        for (const i of [...finalOrder].reverse()) for (const j of finalOrder) if (i !== j) sync(replicas[i]!, replicas[j]!);

        const files = replicas.map(readHousehold);
        const rows = replicas.map((d, i) => projectHousehold(files[i]!, { docVersion: docVersion(d), linkedMemberIds: ['m0'], requestDueDays: 15 }));
        for (let i = 1; i < n; i++) {
          expect(files[i]).toEqual(files[0]);
          expect(rows[i]).toEqual(rows[0]);
        }
        const final = files[0]!;
        expect(new Set(final.visits.map((v) => v.id))).toEqual(added.visits);
        expect(new Set(final.requests.map((q) => q.id))).toEqual(added.requests);
        expect(new Set(final.ratings.map((q) => q.id))).toEqual(added.ratings);
        // A visit someone deleted while another edited it keeps the edit's words.
        for (const v of final.visits) expect(typeof v.said).toBe('string');
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 250) },
    );
  }, 120_000);

  it('merges concurrent note edits in different places without losing either', () => {
    const a = new Y.Doc();
    createHousehold(a, { id: 'h1', teamId: 't1', profile: { headName: '张三', phone: '', address: { area: 'A', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 }, notes: '老人独居。子女在外地。' }, actorOf(0));
    const b = new Y.Doc();
    sync(a, b);
    setNotes(a, '老人独居，腿脚不便。子女在外地。');
    setNotes(b, '老人独居。子女在外地，每月回来一次。');
    sync(a, b);
    sync(b, a);
    expect(readHousehold(a).household.notes).toBe('老人独居，腿脚不便。子女在外地，每月回来一次。');
    expect(readHousehold(b).household.notes).toBe(readHousehold(a).household.notes);
  });

  it('keeps tags added concurrently by two members', () => {
    const a = new Y.Doc();
    const profile: HouseholdProfile = { headName: '张三', phone: '', address: { area: 'A', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 };
    createHousehold(a, { id: 'h1', teamId: 't1', profile }, actorOf(0));
    const b = new Y.Doc();
    sync(a, b);
    updateProfile(a, { ...profile, tags: ['minimum_allowance'] }, actorOf(0));
    updateProfile(b, { ...profile, tags: ['disabled'], phone: '13800000000' }, actorOf(1));
    sync(a, b);
    sync(b, a);
    expect(readHousehold(a).household.tags).toEqual(['disabled', 'minimum_allowance']);
    expect(readHousehold(a).household.phone).toBe('13800000000');
  });
});
