import { toPinyin } from './pinyin';

/**
 * Search that fits Chinese names: a household is found by its head's or members' names,
 * by full pinyin (`zhangsan`), pinyin initials (`zs`), phone digits, or address.
 * Keys are computed once when a row is projected; a search is then a substring scan over
 * short strings, which takes well under a millisecond for a few thousand households.
 */

const SEP = '\u0001';
const HAN = /[\u3400-\u9fff]/;

/** Full pinyin without tones or spaces, and initials; surname readings for names (单 → shan). */
export function pinyinKeys(text: string, asName: boolean): { full: string; initials: string } {
  if (!HAN.test(text)) {
    const plain = text.toLowerCase().replace(/\s+/g, '');
    return { full: plain, initials: '' };
  }
  const syllables = toPinyin(text, asName);
  return { full: syllables.join(''), initials: syllables.map((s) => s[0]).join('') };
}

export interface SearchableHousehold {
  headName: string;
  memberNames: string[];
  phones: string[];
  address: string;
}

/** One string holding every way to find a household; fields separated so a query cannot span two. */
export function buildSearchText(h: SearchableHousehold): string {
  const parts: string[] = [];
  for (const [i, name] of [h.headName, ...h.memberNames].entries()) {
    if (!name) continue;
    const { full, initials } = pinyinKeys(name, true);
    parts.push(name.toLowerCase(), full);
    // Initials of the head only: "zs" finding every 张三 household is the point; members' initials add noise.
    if (i === 0 && initials) parts.push(initials);
  }
  parts.push(...h.phones);
  if (h.address) {
    const compact = h.address.toLowerCase().replace(/\s+/g, '');
    parts.push(compact, pinyinKeys(h.address, false).full);
  }
  return parts.filter(Boolean).join(SEP);
}

/** Normalise what the user typed: lower case, no spaces, ü as v, digits of a phone kept. */
export function normalizeQuery(q: string): string {
  return q.trim().toLowerCase().replace(/ü/g, 'v').replace(/[\s-]+/g, '');
}

export function matchesSearch(searchText: string, normalizedQuery: string): boolean {
  if (normalizedQuery === '') return true;
  return searchText.includes(normalizedQuery);
}
