import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { initTeam, mergeHouseholds, readTeam, unmergeHousehold } from '@/docs/team-doc';
import { combineFiles, mergeGroups, resolveMerges } from '@/domain/merge';

/**
 * Leads on several devices merge duplicate households in any order — including A→B on one
 * device and B→A on another — while members keep adding visits to either file. After
 * everyone syncs, every device shows the same groups and every visit exactly once.
 */

const H = ['h0', 'h1', 'h2', 'h3'];
const profile = { headName: '张三', phone: '', address: { area: 'A', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 };

interface Replica {
  team: Y.Doc;
  households: Map<string, Y.Doc>;
}

function syncReplica(from: Replica, to: Replica) {
  Y.applyUpdate(to.team, Y.encodeStateAsUpdate(from.team, Y.encodeStateVector(to.team)));
  for (const [id, d] of from.households) Y.applyUpdate(to.households.get(id)!, Y.encodeStateAsUpdate(d, Y.encodeStateVector(to.households.get(id)!)));
}

function view(r: Replica) {
  const roots = resolveMerges(readTeam(r.team).merges);
  const groups = mergeGroups(roots);
  const out: Record<string, string[]> = {};
  for (const id of H) {
    const root = roots.get(id) ?? id;
    if (root !== id) continue;
    const ids = groups.get(root) ?? [root];
    const files = ids.map((i) => readHousehold(r.households.get(i)!));
    out[root] = combineFiles(files[0]!, files.slice(1)).visits.map((v) => v.id);
  }
  return out;
}

type Step =
  | { k: 'visit'; r: number; h: number }
  | { k: 'merge'; r: number; from: number; to: number }
  | { k: 'unmerge'; r: number; h: number }
  | { k: 'sync'; from: number; to: number };

describe('merging duplicate households', () => {
  it('converges on every device and keeps every visit exactly once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            steps: fc.array(
              fc.oneof(
                { weight: 4, arbitrary: fc.record({ k: fc.constant('visit' as const), r: fc.nat(n - 1), h: fc.nat(H.length - 1) }) },
                { weight: 2, arbitrary: fc.record({ k: fc.constant('merge' as const), r: fc.nat(n - 1), from: fc.nat(H.length - 1), to: fc.nat(H.length - 1) }) },
                { weight: 1, arbitrary: fc.record({ k: fc.constant('unmerge' as const), r: fc.nat(n - 1), h: fc.nat(H.length - 1) }) },
                { weight: 2, arbitrary: fc.record({ k: fc.constant('sync' as const), from: fc.nat(n - 1), to: fc.nat(n - 1) }) },
              ) as fc.Arbitrary<Step>,
              { minLength: 4, maxLength: 40 },
            ),
          }),
        ),
        ({ n, steps }) => {
          const seed: Replica = { team: new Y.Doc(), households: new Map() };
          initTeam(seed.team, { teamId: 't', name: '一支部' });
          for (const id of H) {
            const d = new Y.Doc();
            createHousehold(d, { id, teamId: 't', profile }, { memberId: 'm', deviceId: 'dev-test', now: '2026-01-01T00:00:00Z' });
            seed.households.set(id, d);
          }
          const replicas: Replica[] = Array.from({ length: n }, () => {
            const r: Replica = { team: new Y.Doc(), households: new Map(H.map((id) => [id, new Y.Doc()])) };
            syncReplica(seed, r);
            return r;
          });
          const added = new Set<string>();
          let seq = 0;
          for (const s of steps) {
            if (s.k === 'visit') {
              const id = `v${seq++}`;
              added.add(id);
              addVisit(replicas[s.r]!.households.get(H[s.h]!)!, { id, kind: 'home', visitorIds: ['m'], visitedAt: `2026-02-01T00:00:${String(seq % 60).padStart(2, '0')}Z`, observations: {}, said: '', notes: '', photos: [] }, { memberId: 'm', deviceId: 'dev-test', now: '2026-02-01T00:00:00Z' });
            } else if (s.k === 'merge') {
              if (s.from !== s.to) mergeHouseholds(replicas[s.r]!.team, H[s.from]!, H[s.to]!, { memberId: 'lead', now: '2026-02-02T00:00:00Z' });
            } else if (s.k === 'unmerge') {
              unmergeHousehold(replicas[s.r]!.team, H[s.h]!);
            } else if (s.from !== s.to) {
              syncReplica(replicas[s.from]!, replicas[s.to]!);
            }
          }
          for (const a of replicas) for (const b of replicas) if (a !== b) syncReplica(a, b);
          for (const a of replicas) for (const b of replicas) if (a !== b) syncReplica(a, b);

          const views = replicas.map(view);
          for (const v of views.slice(1)) expect(v).toEqual(views[0]);
          const shown = Object.values(views[0]!).flat();
          expect(shown.length).toBe(new Set(shown).size);
          expect(new Set(shown)).toEqual(added);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 250) },
    );
  }, 120_000);

  it('resolves a merge cycle made on two devices to the smallest id', () => {
    const roots = resolveMerges(new Map([['b', 'a'], ['a', 'b'], ['c', 'b']]));
    expect(roots).toEqual(new Map([['a', 'a'], ['b', 'a'], ['c', 'a']]));
    expect(resolveMerges(new Map([['x', 'y'], ['y', 'z']]))).toEqual(new Map([['x', 'z'], ['y', 'z'], ['z', 'z']]));
  });

  it('fills blanks of the target from the duplicate and unites tags and family members', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    createHousehold(a, { id: 'a', teamId: 't', profile: { ...profile, tags: ['disabled'] }, members: [{ id: 'm1', name: '李秀英', relation: 'spouse' }] }, { memberId: 'm', deviceId: 'dev-test', now: '2026-01-01T00:00:00Z' });
    createHousehold(b, { id: 'b', teamId: 't', profile: { ...profile, phone: '13800000000', tags: ['hardship'], gps: { lat: 40, lng: 112, accuracy: 8, capturedAt: '2026-01-01T00:00:00Z' } }, members: [{ id: 'm2', name: '张小明', relation: 'child' }] }, { memberId: 'm', deviceId: 'dev-test', now: '2026-01-01T00:00:00Z' });
    const merged = combineFiles(readHousehold(a), [readHousehold(b)]).household;
    expect(merged.id).toBe('a');
    expect(merged.phone).toBe('13800000000');
    expect(merged.gps?.lat).toBe(40);
    expect(merged.tags).toEqual(['disabled', 'hardship']);
    expect(merged.members.map((m) => m.name)).toEqual(['李秀英', '张小明']);
  });
});
