import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addVisit, createHousehold, readHistory, readHousehold, restoreVisit, updateVisit, withdrawVisit, type NewVisit } from '@/docs/household-doc';
import { projectHousehold } from '@/domain/projection';

/**
 * 3–5 replicas of one household with two visits correct and withdraw them while offline,
 * exchange state in random pairs, then all meet. They must agree on the file, the rows and
 * the history; every correction anyone made must be in the history with the value it wrote,
 * and every withdrawal with its reason.
 */

const SAID = ['腿脚不便', '想申请低保', '孩子上学远', '一切都好'];
const NOTES = ['', '已核实', '下次带药'];
const KINDS = ['home', 'phone', 'appointment'] as const;
const HEALTH = ['good', 'fair', 'concern', 'urgent'] as const;

type Op =
  | { t: 'edit'; v: number; said?: string; notes?: string; kind?: (typeof KINDS)[number]; health?: (typeof HEALTH)[number]; day?: number }
  | { t: 'withdraw'; v: number; reason: string }
  | { t: 'restore'; v: number }
  | { t: 'sync'; from: number; to: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('edit' as const), v: fc.nat(1), said: fc.option(fc.constantFrom(...SAID), { nil: undefined }), notes: fc.option(fc.constantFrom(...NOTES), { nil: undefined }), kind: fc.option(fc.constantFrom(...KINDS), { nil: undefined }), health: fc.option(fc.constantFrom(...HEALTH), { nil: undefined }), day: fc.option(fc.integer({ min: 1, max: 27 }), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('withdraw' as const), v: fc.nat(1), reason: fc.constantFrom('记错了户', '重复记录') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const), v: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), from: fc.nat(4), to: fc.nat(4) }) },
);

const VISITS = ['v0', 'v1'];
const base = (id: string): NewVisit => ({ id, kind: 'home', visitorIds: ['m0'], visitedAt: '2026-02-01T09:00:00.000Z', observations: {}, said: '初次走访', notes: '', photos: [] });

function seed(): Uint8Array {
  const doc = new Y.Doc();
  const by = { memberId: 'm0', deviceId: 'dev-0', now: '2026-02-01T10:00:00.000Z' };
  createHousehold(doc, { id: 'h1', teamId: 't1', profile: { headName: '王大爷', phone: '', address: { area: '东山', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, by);
  for (const id of VISITS) addVisit(doc, base(id), by);
  return Y.encodeStateAsUpdate(doc);
}

/** The visit as the replica's form would show it, with the op's changes. */
function edited(doc: Y.Doc, op: Extract<Op, { t: 'edit' }>): NewVisit {
  const v = readHousehold(doc).visits.find((x) => x.id === VISITS[op.v])!;
  return {
    id: v.id,
    kind: op.kind ?? v.kind,
    visitorIds: v.visitorIds,
    visitedAt: op.day ? `2026-02-${String(op.day).padStart(2, '0')}T09:00:00.000Z` : v.visitedAt,
    observations: op.health ? { ...v.observations, health: { level: op.health, note: '' } } : v.observations,
    said: op.said ?? v.said,
    notes: op.notes ?? v.notes,
    photos: v.photos,
    nextVisitOn: v.nextVisitOn,
  };
}

describe('concurrent corrections and withdrawals of visits', () => {
  it('converge on every replica and keep every version in the history', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 5 }), fc.array(fc.tuple(fc.nat(4), opArb), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(4), { maxLength: 5 }), (n, ops, meetOrder) => {
        const start = seed();
        const replicas = Array.from({ length: n }, () => {
          const d = new Y.Doc();
          Y.applyUpdate(d, start);
          return d;
        });
        /** what each correction wrote and each withdrawal said, to find in the history */
        const written: { by: string; field: string; after: unknown }[] = [];
        const reasons: string[] = [];
        let clock = 0;
        for (const [who, op] of ops) {
          const r = who % n;
          const doc = replicas[r]!;
          const actor = { memberId: `m${r}`, deviceId: `dev-${r}`, now: new Date(Date.UTC(2026, 2, 1, 0, 0, clock++)).toISOString() };
          if (op.t === 'sync') {
            Y.applyUpdate(replicas[op.to % n]!, Y.encodeStateAsUpdate(replicas[op.from % n]!));
          } else if (op.t === 'edit') {
            const next = edited(doc, op);
            const before = readHistory(doc).entries.length;
            updateVisit(doc, next, actor);
            const entry = readHistory(doc).entries.slice(before).find((e) => e.action === 'edited');
            for (const c of entry?.changes ?? []) written.push({ by: actor.memberId, field: c.field, after: c.after });
          } else if (op.t === 'withdraw') {
            const had = readHousehold(doc).visits.find((v) => v.id === VISITS[op.v])!.withdrawn;
            withdrawVisit(doc, VISITS[op.v]!, op.reason, actor);
            if (!had) reasons.push(`${actor.memberId}:${op.reason}`);
          } else {
            restoreVisit(doc, VISITS[op.v]!, actor);
          }
        }
        // everyone meets, in some order, twice round
        const order = [...meetOrder.map((i) => i % n), ...replicas.keys()];
        for (let round = 0; round < 2; round++) for (const i of order) for (const j of replicas.keys()) if (i !== j) Y.applyUpdate(replicas[j]!, Y.encodeStateAsUpdate(replicas[i]!));

        const files = replicas.map((d) => readHousehold(d));
        const histories = replicas.map((d) => readHistory(d));
        const rows = files.map((f) => projectHousehold(f, { docVersion: 'x', linkedMemberIds: [], requestDueDays: 30 }));
        for (let i = 1; i < n; i++) {
          expect(files[i]).toEqual(files[0]);
          expect(histories[i]).toEqual(histories[0]);
          expect(rows[i]).toEqual(rows[0]);
        }
        const entries = histories[0]!.entries;
        expect(histories[0]!.damaged).toBe(false);
        for (const w of written) {
          expect(entries.some((e) => e.by === w.by && e.action === 'edited' && e.changes?.some((c) => c.field === w.field && JSON.stringify(c.after) === JSON.stringify(w.after)))).toBe(true);
        }
        for (const r of reasons) expect(entries.some((e) => e.action === 'withdrawn' && `${e.by}:${e.reason}` === r)).toBe(true);
        // a withdrawn visit gives no row
        for (const v of files[0]!.visits) expect(rows[0]!.visits.some((x) => x.id === v.id)).toBe(!v.withdrawn);
        // every current value of an edited field was written by someone (or is the seed's)
        for (const v of files[0]!.visits) {
          const saidWriters = written.filter((w) => w.field === 'said').map((w) => w.after);
          expect(['初次走访', ...saidWriters]).toContain(v.said);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  }, 120_000);
});
