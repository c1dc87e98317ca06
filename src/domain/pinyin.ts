import { CODES, FIRST_CODE_POINT, SURNAME_READINGS, SYLLABLES } from './pinyin-table';

/**
 * Toneless pinyin per character, from a table generated out of pinyin-pro
 * (scripts/gen-pinyin-table.mjs). One reading per character, except that the first
 * character of a name takes its surname reading (单 shan, 曾 zeng). Decoded on first use.
 */

let codes: Uint16Array | undefined;
let syllables: string[] = [];
let surnameReadings: Map<string, string> | undefined;

/** The reading of one character, or undefined for anything outside the table. */
function reading(cp: number): string | undefined {
  if (!codes) {
    syllables = SYLLABLES.split(' ');
    const planes = atob(CODES);
    const n = planes.length / 2;
    codes = new Uint16Array(n);
    for (let i = 0; i < n; i++) codes[i] = (planes.charCodeAt(i) << 8) | planes.charCodeAt(n + i);
  }
  const code = codes[cp - FIRST_CODE_POINT];
  return code ? syllables[code - 1] : undefined;
}

function surnames(): Map<string, string> {
  if (surnameReadings) return surnameReadings;
  surnameReadings = new Map(SURNAME_READINGS.split(',').map((e) => [String.fromCodePoint(e.codePointAt(0)!), e.slice(String.fromCodePoint(e.codePointAt(0)!).length)]));
  return surnameReadings;
}

/**
 * Split text into pinyin syllables; runs of non-Chinese characters (latin, digits) are kept
 * as they are, lower-cased, as one item. Whitespace separates items and is dropped.
 */
export function toPinyin(text: string, asName: boolean): string[] {
  const out: string[] = [];
  let run = '';
  let first = true;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const py = asName && first ? (surnames().get(ch) ?? reading(cp)) : reading(cp);
    if (!/\s/.test(ch)) first = false;
    if (py) {
      if (run) out.push(run);
      run = '';
      out.push(py);
    } else if (/\s/.test(ch)) {
      if (run) out.push(run);
      run = '';
    } else {
      run += ch.toLowerCase();
    }
  }
  if (run) out.push(run);
  return out;
}
