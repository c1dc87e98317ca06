import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { msg } from '@/domain/validation';
import { i18n, loadLeadMessages, messages as shellMessages, setLocale } from '@/i18n';
import { allMessages as messages } from '@/i18n/all-messages';

type Tree = { [k: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}
function unsorted(tree: Tree, path = ''): string[] {
  const own = Object.keys(tree);
  const bad = own.some((k, i) => i > 0 && own[i - 1]! > k) ? [path || '(root)'] : [];
  return [...bad, ...Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [] : unsorted(v, path ? `${path}.${k}` : k)))];
}
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(vue|ts)$/.test(f) && !p.includes('/i18n/') ? [p] : [];
  });
}

const zh = messages['zh-CN'] as unknown as Tree;
const zhKeys = new Set(keys(zh));

describe('messages', () => {
  it('ships zh-CN in the app shell and loads zh-TW and en when chosen', async () => {
    expect(Object.keys(shellMessages)).toEqual(['zh-CN']);
    await setLocale('en');
    expect(i18n.global.t('field.settings.language')).toBe('Language');
    expect(document.documentElement.lang).toBe('en');
    await setLocale('zh-TW');
    expect(i18n.global.t('field.settings.language')).toBe('語言');
    await setLocale('zh-CN');
    expect(i18n.global.t('field.settings.language')).toBe('语言');
  });

  it("loads the lead workspace's messages for the language in use, and another language's when it is chosen", async () => {
    await setLocale('zh-CN');
    expect(i18n.global.te('lead.assessment.chartsTitle', 'en')).toBe(false);
    await loadLeadMessages();
    expect(i18n.global.t('lead.assessment.cols.complaints')).toBe('投诉');
    // Only the default's and the one in use: the others' chunks are not evaluated or merged.
    expect(i18n.global.te('lead.assessment.cols.complaints', 'en')).toBe(false);
    await setLocale('en');
    expect(i18n.global.t('lead.assessment.cols.complaints')).toBe('Complaints');
    await setLocale('zh-TW');
    expect(i18n.global.t('lead.assessment.cols.complaints')).toBe('投訴');
    await setLocale('zh-CN');
  });

  it('has the same keys in every language', () => {
    for (const [locale, tree] of Object.entries(messages)) expect(keys(tree as unknown as Tree).sort(), locale).toEqual([...zhKeys].sort());
  });

  it('keeps keys sorted in every message file', async () => {
    const files = import.meta.glob<{ default: Tree }>('/src/i18n/messages/*.ts', { eager: true });
    for (const [file, mod] of Object.entries(files)) expect(unsorted(mod.default), file).toEqual([]);
  });

  it('translates every error the domain and the bundle reader can raise', () => {
    const bundleCodes = [...readFileSync('src/docs/bundle.ts', 'utf8').matchAll(/'(bundle_[a-z_]+)'/g)].map((m) => `errors.${m[1]}`);
    expect(bundleCodes.length).toBeGreaterThan(3);
    for (const key of [...Object.values(msg), 'errors.validationFailed', ...bundleCodes]) expect(zhKeys.has(key), key).toBe(true);
  });

  it('has every literal key the app uses', () => {
    const used = new Set<string>();
    for (const file of sourceFiles('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]((?:common|field|errors)\.[A-Za-z0-9_.]+)['"`]/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !zhKeys.has(k) && ![...zhKeys].some((z) => z.startsWith(`${k}.`)));
    expect(missing).toEqual([]);
  });
});
