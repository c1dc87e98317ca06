import type { HouseholdFile } from './household-file';

/**
 * Duplicate households are merged by reference, not by copying. The team doc records
 * `source → target`; every record stays in the doc it was written to, and the merged file
 * is the union of the group read together. So a device that never heard of the merge can
 * go on writing to the source for weeks and nothing is lost: its visits simply show up
 * under the target. Merges made concurrently on several devices — even A→B on one and
 * B→A on another — resolve the same way everywhere (a cycle's root is its smallest id).
 */

/** Map every household that is part of a merge to the root of its group. */
export function resolveMerges(merges: ReadonlyMap<string, string>): Map<string, string> {
  const root = new Map<string, string>();
  const find = (start: string): string => {
    const path: string[] = [];
    const seen = new Set<string>();
    let cur = start;
    while (merges.has(cur) && !seen.has(cur)) {
      if (root.has(cur)) break;
      seen.add(cur);
      path.push(cur);
      cur = merges.get(cur)!;
    }
    let r: string;
    if (root.has(cur)) r = root.get(cur)!;
    else if (seen.has(cur)) {
      // A cycle: its members are cur … back to cur. The smallest id is the root.
      const cycle = path.slice(path.indexOf(cur));
      r = cycle.reduce((a, b) => (a < b ? a : b));
    } else r = cur;
    for (const p of path) root.set(p, r);
    root.set(cur, r);
    return r;
  };
  for (const id of merges.keys()) find(id);
  for (const id of merges.values()) if (!root.has(id)) root.set(id, id);
  return root;
}

/** root id → every household id in its group (root first, the rest sorted). */
export function mergeGroups(roots: ReadonlyMap<string, string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [id, r] of roots) {
    if (!groups.has(r)) groups.set(r, [r]);
    if (id !== r) groups.get(r)!.push(id);
  }
  for (const [r, ids] of groups) groups.set(r, [r, ...ids.slice(1).sort()]);
  return groups;
}

/**
 * The merged file of a group: the root's profile (blanks filled from the others, tags
 * united), every family member, visit, request, rating and complaint of all of them.
 * Records keep their own `householdId` (the doc that holds them), which is where edits go.
 */
export function combineFiles(root: HouseholdFile, others: HouseholdFile[]): HouseholdFile {
  if (others.length === 0) return root;
  const h = { ...root.household, address: { ...root.household.address } };
  for (const o of others) {
    const oh = o.household;
    if (!h.phone) h.phone = oh.phone;
    if (!h.gps && oh.gps) h.gps = oh.gps;
    for (const k of ['village', 'street', 'house'] as const) if (!h.address[k]) h.address[k] = oh.address[k];
  }
  h.tags = [...new Set([...h.tags, ...others.flatMap((o) => o.household.tags)])].sort();
  const byId = <T extends { id: string }>(lists: T[][]) => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.id)) seen.set(item.id, item);
    return [...seen.values()];
  };
  const all = [root, ...others];
  h.members = byId(all.map((f) => f.household.members)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const sortBy = <T extends { id: string }>(key: (t: T) => string) => (a: T, b: T) => (key(a) === key(b) ? (a.id < b.id ? -1 : 1) : key(a) < key(b) ? -1 : 1);
  return {
    household: h,
    visits: byId(all.map((f) => f.visits)).sort(sortBy((v) => v.visitedAt)),
    requests: byId(all.map((f) => f.requests)).sort(sortBy((r) => r.createdAt)),
    ratings: byId(all.map((f) => f.ratings)).sort(sortBy((r) => r.recordedAt)),
    complaints: byId(all.map((f) => f.complaints)).sort(sortBy((c) => c.recordedAt)),
  };
}
