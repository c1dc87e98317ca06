import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { initTeam, linkMembers, memberLeaves, mergeHouseholds, readTeam, unlinkMembers, upsertTeamMember } from '@/docs/team-doc';

/**
 * Lead devices (3–5 replicas) link, unlink, hand over a leaving member's households and merge
 * duplicates while offline from each other, syncing pairwise in random orders, on a team doc
 * that may already hold links an older app wrote (the nested `assignments`). A model follows
 * what each device has seen: a link written on a device stands until an unlink on a device
 * that had received it. Every device must show exactly its model's links after every step
 * (nothing lost in a merge), and all devices the same team once everyone has synced.
 */

const H = ['h0', 'h1', 'h2', 'h3'];
const M = ['m0', 'm1', 'm2', 'm3'];
const lead = (now: number) => ({ memberId: 'lead', now: new Date(Date.UTC(2026, 0, 1) + now * 60_000).toISOString() });

type Step =
  | { k: 'link'; r: number; h: number; m: number }
  | { k: 'unlink'; r: number; h: number; m: number }
  | { k: 'leaves'; r: number; m: number; to: number }
  | { k: 'merge'; r: number; from: number; to: number }
  | { k: 'sync'; from: number; to: number };

/** What a device has seen: link writes (by id) and unlinks (the link writes each removed). */
interface Seen {
  adds: Map<number, string>;
  removed: Set<number>;
}

const pair = (h: string, m: string) => `${h}/${m}`;

function modelView(s: Seen): string[] {
  return [...new Set([...s.adds].filter(([id]) => !s.removed.has(id)).map(([, p]) => p))].sort();
}

function docView(doc: Y.Doc): string[] {
  return [...readTeam(doc).assignments].flatMap(([h, ms]) => ms.map((m) => pair(h, m))).sort();
}

/** The base team doc; `legacy` pairs written the way apps before ADR 0021 wrote links (a map per household). */
function baseDoc(legacy: readonly [number, number][]): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1;
  doc.transact(() => {
    initTeam(doc, { teamId: 't', name: '班组' });
    upsertTeamMember(doc, { id: 'lead', name: '组长', role: 'lead', joinedAt: '2026-01-01T00:00:00Z' });
    for (const m of M) upsertTeamMember(doc, { id: m, name: m, role: 'member', joinedAt: '2026-01-01T00:00:00Z' });
    const assignments = doc.getMap<Y.Map<unknown>>('assignments');
    for (const [h, m] of legacy) {
      let links = assignments.get(H[h]!);
      if (!links) assignments.set(H[h]!, (links = new Y.Map()));
      links.set(M[m]!, { at: '2025-12-01T00:00:00.000Z', by: 'lead' });
    }
  });
  return Y.encodeStateAsUpdate(doc);
}

describe('the team doc’s links on several offline lead devices', () => {
  it('lose no link in any merge and converge whatever order devices sync in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            clientIds: fc.uniqueArray(fc.integer({ min: 2, max: 2 ** 31 }), { minLength: n, maxLength: n }),
            legacy: fc.uniqueArray(fc.tuple(fc.nat(H.length - 1), fc.nat(M.length - 1)), { maxLength: 5, selector: ([h, m]) => `${h}/${m}` }),
            steps: fc.array(
              fc.oneof(
                { weight: 5, arbitrary: fc.record({ k: fc.constant('link' as const), r: fc.nat(n - 1), h: fc.nat(H.length - 1), m: fc.nat(M.length - 1) }) },
                { weight: 3, arbitrary: fc.record({ k: fc.constant('unlink' as const), r: fc.nat(n - 1), h: fc.nat(H.length - 1), m: fc.nat(M.length - 1) }) },
                { weight: 1, arbitrary: fc.record({ k: fc.constant('leaves' as const), r: fc.nat(n - 1), m: fc.nat(M.length - 1), to: fc.nat(M.length - 1) }) },
                { weight: 1, arbitrary: fc.record({ k: fc.constant('merge' as const), r: fc.nat(n - 1), from: fc.nat(H.length - 1), to: fc.nat(H.length - 1) }) },
                { weight: 3, arbitrary: fc.record({ k: fc.constant('sync' as const), from: fc.nat(n - 1), to: fc.nat(n - 1) }) },
              ) as fc.Arbitrary<Step>,
              { minLength: 1, maxLength: 40 },
            ),
            finalOrder: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
          }),
        ),
        ({ n, clientIds, legacy, steps, finalOrder }) => {
          const base = baseDoc(legacy);
          let nextAdd = 0;
          const baseAdds = new Map<number, string>(legacy.map(([h, m]) => [nextAdd++, pair(H[h]!, M[m]!)]));
          const docs = clientIds.map((id) => {
            const d = new Y.Doc();
            d.clientID = id;
            Y.applyUpdate(d, base);
            return d;
          });
          const seen: Seen[] = docs.map(() => ({ adds: new Map(baseAdds), removed: new Set() }));
          let clock = 0;

          // The model's side of each write: a link written only where the device does not see it already.
          const link = (r: number, h: string, m: string) => {
            const s = seen[r]!;
            if (!modelView(s).includes(pair(h, m))) s.adds.set(nextAdd++, pair(h, m));
          };
          const unlink = (r: number, h: string, m: string) => {
            const s = seen[r]!;
            for (const [id, p] of s.adds) if (p === pair(h, m)) s.removed.add(id);
          };

          for (const step of steps) {
            clock++;
            if (step.k === 'sync') {
              const [from, to] = [docs[step.from]!, docs[step.to]!];
              Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
              for (const [id, p] of seen[step.from]!.adds) seen[step.to]!.adds.set(id, p);
              for (const id of seen[step.from]!.removed) seen[step.to]!.removed.add(id);
            } else if (step.k === 'link') {
              link(step.r, H[step.h]!, M[step.m]!);
              linkMembers(docs[step.r]!, H[step.h]!, [M[step.m]!], lead(clock));
            } else if (step.k === 'unlink') {
              unlink(step.r, H[step.h]!, M[step.m]!);
              unlinkMembers(docs[step.r]!, H[step.h]!, [M[step.m]!], lead(clock));
            } else if (step.k === 'leaves') {
              if (step.m === step.to) continue;
              const [m, to] = [M[step.m]!, M[step.to]!];
              for (const p of modelView(seen[step.r]!)) {
                const [h, linked] = p.split('/') as [string, string];
                if (linked !== m) continue;
                unlink(step.r, h, m);
                link(step.r, h, to);
              }
              memberLeaves(docs[step.r]!, m, to, lead(clock));
            } else {
              if (step.from === step.to) continue;
              const [from, to] = [H[step.from]!, H[step.to]!];
              for (const p of modelView(seen[step.r]!)) {
                const [h, m] = p.split('/') as [string, string];
                if (h === from) link(step.r, to, m);
              }
              mergeHouseholds(docs[step.r]!, from, to, lead(clock));
            }
            for (let r = 0; r < n; r++) expect(docView(docs[r]!)).toEqual(modelView(seen[r]!));
          }

          // Everyone syncs through the relay, in a random order, then reads what it holds.
          const relay = new Y.Doc();
          for (const r of finalOrder) Y.applyUpdate(relay, Y.encodeStateAsUpdate(docs[r]!));
          for (const d of docs) Y.applyUpdate(d, Y.encodeStateAsUpdate(relay, Y.encodeStateVector(d)));
          const all: Seen = { adds: new Map(seen.flatMap((s) => [...s.adds])), removed: new Set(seen.flatMap((s) => [...s.removed])) };
          const expected = modelView(all);
          const first = readTeam(docs[0]!);
          for (const d of docs) {
            expect(docView(d)).toEqual(expected);
            const team = readTeam(d);
            expect([...team.assignmentHistory].sort()).toEqual([...first.assignmentHistory].sort());
            expect(team.members).toEqual(first.members);
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  }, 120_000);
});
