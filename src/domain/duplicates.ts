import { distanceMetres } from './geo';
import { normalizePhone } from './household';
import { pinyinKeys } from './search';

/**
 * Is a household being registered already on file? The same family is easily registered
 * twice: by two members offline, or once under 张三 and once under 章三. Each signal adds to
 * a score; a warning is shown from `DUPLICATE_WARN_SCORE` up. Neighbours alone (nearby,
 * same area) are not duplicates, so proximity only counts together with another signal.
 */

export type DuplicateReason = 'same_name' | 'similar_name' | 'same_phone' | 'same_address' | 'nearby';

export interface DuplicateProbe {
  headName: string;
  phones: string[];
  /** formatted address (`formatAddress`) */
  address: string;
  /** area alone: an address that is only the area says nothing about the house */
  area: string;
  lat?: number;
  lng?: number;
}

export interface DuplicateCandidate extends DuplicateProbe {
  id: string;
}

export interface DuplicateMatch {
  id: string;
  score: number;
  reasons: DuplicateReason[];
}

export const NEARBY_METRES = 50;
export const DUPLICATE_WARN_SCORE = 0.4;

const WEIGHTS: Record<DuplicateReason, number> = {
  same_phone: 0.5,
  same_name: 0.4,
  same_address: 0.4,
  similar_name: 0.3,
  nearby: 0.25,
};

const compact = (s: string) => s.toLowerCase().replace(/[\s\-·.]+/g, '');

/** A probe prepared once, so scoring 2,000 candidates does not redo its pinyin. */
export interface PreparedProbe {
  probe: DuplicateProbe;
  name: string;
  namePinyin: string;
  phones: Set<string>;
  address: string;
}

export function prepareProbe(probe: DuplicateProbe): PreparedProbe {
  const name = compact(probe.headName);
  return {
    probe,
    name,
    namePinyin: name ? pinyinKeys(probe.headName.trim(), true).full : '',
    phones: new Set(probe.phones.map(normalizePhone).filter((p) => p.length >= 7)),
    address: specificAddress(probe),
  };
}

/** The address only when it names more than the area. */
function specificAddress(p: Pick<DuplicateProbe, 'address' | 'area'>): string {
  const a = compact(p.address);
  return a !== '' && a !== compact(p.area) ? a : '';
}

/** Score one candidate against a probe. Pinyin of the candidate is computed only when needed. */
export function scoreDuplicate(prepared: PreparedProbe, c: DuplicateCandidate): DuplicateMatch {
  const reasons: DuplicateReason[] = [];
  const cName = compact(c.headName);
  if (prepared.name && cName) {
    if (cName === prepared.name) reasons.push('same_name');
    else if (cName.length === prepared.name.length && pinyinKeys(c.headName.trim(), true).full === prepared.namePinyin) reasons.push('similar_name');
  }
  if (c.phones.some((p) => prepared.phones.has(normalizePhone(p)))) reasons.push('same_phone');
  if (prepared.address && specificAddress(c) === prepared.address) reasons.push('same_address');
  const { lat, lng } = prepared.probe;
  if (lat !== undefined && lng !== undefined && c.lat !== undefined && c.lng !== undefined && distanceMetres({ lat, lng }, { lat: c.lat, lng: c.lng }) <= NEARBY_METRES) {
    reasons.push('nearby');
  }
  const raw = reasons.reduce((sum, r) => sum + WEIGHTS[r], 0);
  // Nearby on its own is a neighbour, not a duplicate.
  const score = reasons.length === 1 && reasons[0] === 'nearby' ? Math.min(raw, DUPLICATE_WARN_SCORE / 2) : Math.min(1, raw);
  return { id: c.id, score: Math.round(score * 100) / 100, reasons };
}

/** Candidates worth a warning, most likely first. `excludeId` skips the household being edited. */
export function findDuplicates(probe: DuplicateProbe, candidates: Iterable<DuplicateCandidate>, opts: { excludeId?: string; limit?: number } = {}): DuplicateMatch[] {
  const prepared = prepareProbe(probe);
  if (!prepared.name && prepared.phones.size === 0 && !prepared.address) return [];
  const out: DuplicateMatch[] = [];
  for (const c of candidates) {
    if (c.id === opts.excludeId) continue;
    const m = scoreDuplicate(prepared, c);
    if (m.score >= DUPLICATE_WARN_SCORE) out.push(m);
  }
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return out.slice(0, opts.limit ?? 5);
}
