import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import { allMessages } from '@/i18n/all-messages';

/**
 * Counts in every language: an English message that puts a number before a countable noun
 * has its singular and plural forms, each form reads right with 1 and with 2, the Chinese
 * messages of those keys do not split into forms that differ, and every caller passes
 * the count that chooses the form. One English word for 基本满意; one zh-TW word for a record.
 */

type Tree = { [k: string]: string | Tree };
const flat = (tree: Tree, prefix = ''): [string, string][] => Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[prefix + k, v] as [string, string]] : flat(v, `${prefix}${k}.`)));
const en = new Map(flat(allMessages.en as unknown as Tree));
const zhCN = new Map(flat(allMessages['zh-CN'] as unknown as Tree));
const zhTW = new Map(flat(allMessages['zh-TW'] as unknown as Tree));

const NOUNS = 'household|request|visit|file|photo|row|pair|day|member|device|record|time|rating|complaint|code|character|item';
/** `{x}` followed by a countable noun, perhaps after one adjective: the number must choose the form. */
const COUNTED = new RegExp(`\\{(\\w+)\\} (?:(?:open|new|closed|linked|more|similar|possible duplicate|escalated|household) )?(?:${NOUNS})s?\\b`, 'i');
/** Numbers before a noun that are never 1 or do not count that noun, and why. */
const NOT_A_COUNT = new Set([
  'field.correction.reasonLimit', // "{n} / {max} characters": the limit, never 1
  'common.charCount', // "{n}/{max} characters": the limit, never 1
  'errors.overLimit', // "At most {max} characters": a limit (src/domain/limits.ts), never 1
  'errors.tooLongMax', // the same limit
  'errors.tooManyPhotos', // "At most {max} photos": the photo limit, 30
]);
const forms = (m: string) => m.split(' | ');
const params = (m: string) => [...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!).sort();

describe('plural forms', () => {
  const plural = [...en].filter(([, m]) => m.includes(' | '));

  it('every English count of a countable noun has plural forms', () => {
    const missing = [...en].filter(([k, m]) => !m.includes(' | ') && COUNTED.test(m) && !NOT_A_COUNT.has(k)).map(([k, m]) => `${k}: ${m}`);
    expect(missing).toEqual([]);
    expect(plural.length).toBeGreaterThan(40);
  });

  it('reads right with 1 and with 2 in English, and keeps its placeholders in each form', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en: allMessages.en } });
    const wrong: string[] = [];
    for (const [key, m] of plural) {
      const f = forms(m);
      if (f.length !== 2 && f.length !== 3) wrong.push(`${key}: ${f.length} forms`);
      // a form names no value the plural form does not ("No photos | 1 photo | {n} photos" may leave {n} out)
      const all = new Set(params(f.at(-1)!));
      if (f.some((x) => params(x).some((p) => !all.has(p)))) wrong.push(`${key}: a form names a value the plural form does not`);
      const values = (n: number) => Object.fromEntries(params(m).map((p) => [p, n]));
      const one = i18n.global.t(key, values(1), 1);
      const two = i18n.global.t(key, values(2), 2);
      if (new RegExp(`\\b1 (?:[a-z]+ )?(?:${NOUNS})s\\b`, 'i').test(one)) wrong.push(`${key} with 1: ${one}`);
      if (new RegExp(`\\b2 (?:[a-z]+ )?(?:${NOUNS})\\b(?!s| (?:${NOUNS}))`, 'i').test(two)) wrong.push(`${key} with 2: ${two}`);
      if (one === two) wrong.push(`${key}: the same with 1 and 2`);
    }
    expect(wrong).toEqual([]);
  });

  it('has the Chinese forms of a plural key differ only by their number', () => {
    const wrong: string[] = [];
    for (const [key] of plural) {
      for (const [locale, msgs] of [['zh-CN', zhCN], ['zh-TW', zhTW]] as const) {
        const m = msgs.get(key);
        if (m === undefined) wrong.push(`${locale} ${key}: missing`);
        else if (m.includes(' | ') && forms(m).length !== forms(en.get(key)!).length) wrong.push(`${locale} ${key}: ${forms(m).length} forms, English has ${forms(en.get(key)!).length}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is called with the count that chooses the form', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.(vue|ts)$/.test(f) && !dir.includes('i18n') ? [join(dir, f)] : []));
    const keys = new Set(plural.map(([k]) => k));
    const wrong: string[] = [];
    for (const file of files('src')) {
      const text = readFileSync(file, 'utf8');
      // t('key', { … }) with nothing after the named values, or t('key') alone: no count.
      for (const m of text.matchAll(/(?<![\w.])(tn|t|\$t)\('([\w.]+)'(\)|, \{[^{}]*\}\))/g)) {
        if (m[1] !== 'tn' && keys.has(m[2]!)) wrong.push(`${file}: ${m[0]}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('terms', () => {
  it('calls 基本满意 one thing in English', () => {
    const terms = [...en.values()].flatMap((m) => [...m.matchAll(/\b(\w+) satisfied\b/gi)].map((x) => x[1]!.toLowerCase())).filter((w) => !/^\d+$|^\{/.test(w));
    expect(new Set(terms.filter((w) => ['mostly', 'basically', 'fairly', 'somewhat', 'largely'].includes(w)))).toEqual(new Set(['mostly']));
  });

  it('writes a record 紀錄 in Traditional Chinese, never 記錄', () => {
    expect([...zhTW].filter(([, m]) => m.includes('記錄')).map(([k]) => k)).toEqual([]);
  });

  it('does not name the status “open” and the group of requests not closed alike', () => {
    for (const [locale, msgs] of [['zh-CN', zhCN], ['zh-TW', zhTW], ['en', en]] as const) {
      expect(msgs.get('field.statuses.open'), locale).not.toBe(msgs.get('lead.requests.stats.open'));
      expect(msgs.get('field.statuses.open'), locale).not.toBe(msgs.get('field.requests.scope.open'));
    }
  });

  it('writes roles in lower case inside an English sentence', () => {
    expect(Object.values((allMessages.en as unknown as { field: { roleInSentence: Record<string, string> } }).field.roleInSentence).every((r) => r === r.toLowerCase())).toBe(true);
  });
});
