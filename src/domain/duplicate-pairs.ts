import { DUPLICATE_WARN_SCORE, prepareProbe, scoreDuplicate, type DuplicateCandidate, type DuplicateReason, type PreparedProbe } from './duplicates';

/**
 * Duplicate candidates across a whole team, for the lead. Scoring every pair of 2,000
 * households is two million comparisons with pinyin; instead households are put in blocks
 * by what a duplicate must share, and only pairs within a block are scored.
 *
 * The blocks lose nothing: with the weights in `duplicates.ts` a pair reaches the warning
 * score only when it shares a phone, the head's name, a specific address, or the name's
 * full pinyin (a homophone, which needs `nearby` as well). Each of those is a block key.
 */

export interface DuplicatePair {
  /** the two household ids, `a < b` */
  a: string;
  b: string;
  score: number;
  reasons: DuplicateReason[];
}

/** A pair's stable key, whichever way round it is given (for dismissals). */
export function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** Every key a household is filed under. Two households share a key iff they may be duplicates. */
export function blockingKeys(p: PreparedProbe): string[] {
  const keys: string[] = [];
  if (p.name) keys.push(`n:${p.name}`);
  if (p.namePinyin) keys.push(`y:${p.namePinyin}`);
  for (const phone of p.phones) keys.push(`p:${phone}`);
  if (p.address) keys.push(`a:${p.address}`);
  return keys;
}

export interface PairOptions {
  minScore?: number;
  /** pairs already dismissed as "not the same household", by `pairKey` */
  dismissed?: ReadonlySet<string>;
}

/** Likely duplicate pairs among `candidates`, best first. */
export function findDuplicatePairs(candidates: readonly DuplicateCandidate[], opts: PairOptions = {}): DuplicatePair[] {
  const minScore = opts.minScore ?? DUPLICATE_WARN_SCORE;
  const prepared = candidates.map((c) => prepareProbe(c));
  const blocks = new Map<string, number[]>();
  prepared.forEach((p, i) => {
    for (const key of blockingKeys(p)) {
      const block = blocks.get(key);
      if (block) block.push(i);
      else blocks.set(key, [i]);
    }
  });
  const seen = new Set<string>();
  const out: DuplicatePair[] = [];
  for (const block of blocks.values()) {
    if (block.length < 2) continue;
    for (let x = 0; x < block.length; x++) {
      for (let y = x + 1; y < block.length; y++) {
        const ci = candidates[block[x]!]!;
        const cj = candidates[block[y]!]!;
        if (ci.id === cj.id) continue;
        const key = pairKey(ci.id, cj.id);
        if (seen.has(key)) continue;
        seen.add(key);
        if (opts.dismissed?.has(key)) continue;
        const m = scoreDuplicate(prepared[block[x]!]!, cj);
        if (m.score < minScore) continue;
        const [a, b] = ci.id < cj.id ? [ci.id, cj.id] : [cj.id, ci.id];
        out.push({ a, b, score: m.score, reasons: m.reasons });
      }
    }
  }
  return out.sort((p, q) => q.score - p.score || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : 1));
}

/** What decides which file of a pair the other is merged into. */
export interface MergeSide {
  id: string;
  visitCount: number;
  createdAt: string;
}

/**
 * Which file to keep as the merged one: the one with more visits (its history is the main
 * one), else the one registered first, else the smaller id. The lead can swap it.
 */
export function suggestMergeTarget(x: MergeSide, y: MergeSide): { targetId: string; sourceId: string } {
  const keepX = x.visitCount !== y.visitCount ? x.visitCount > y.visitCount : x.createdAt !== y.createdAt ? x.createdAt < y.createdAt : x.id < y.id;
  return keepX ? { targetId: x.id, sourceId: y.id } : { targetId: y.id, sourceId: x.id };
}
