import { PINYIN_TABLE, SURNAME_READINGS } from './pinyin-table';

/**
 * Toneless pinyin per character, from a table generated out of pinyin-pro
 * (scripts/gen-pinyin-table.mjs). One reading per character, except that the first
 * character of a name takes its surname reading (单 shan, 曾 zeng). Decoded on first use.
 */

let readings: Map<number, string> | undefined;
let surnameReadings: Map<string, string> | undefined;

function table(): Map<number, string> {
  if (readings) return readings;
  readings = new Map();
  for (const group of PINYIN_TABLE.split(';')) {
    if (!group) continue;
    const [syllable, deltas] = group.split(':') as [string, string];
    let cp = 0x3400;
    for (const d of deltas.split(',')) {
      cp += parseInt(d, 36);
      readings.set(cp, syllable);
    }
  }
  return readings;
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
    const py = asName && first ? (surnames().get(ch) ?? table().get(cp)) : table().get(cp);
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
