import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import { compileMessage } from '@/i18n/compile';
import { LOCALES } from '@/i18n';
import { allMessages as messages } from '@/i18n/all-messages';

/** Every message path with its source string. */
function leaves(obj: unknown, prefix = ''): [string, string][] {
  if (typeof obj === 'string') return [[prefix, obj]];
  if (!obj || typeof obj !== 'object') return [];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

describe('the app’s message compiler', () => {
  // vitest resolves `vue-i18n` to its full build, whose compiler is the reference.
  const reference = createI18n({ legacy: false, locale: 'zh-CN', messages, missingWarn: false, fallbackWarn: false });
  const ours = createI18n({ legacy: false, locale: 'zh-CN', messages, messageCompiler: compileMessage, missingWarn: false, fallbackWarn: false });

  it('renders every message of every language exactly as vue-i18n does, plurals included', () => {
    let checked = 0;
    for (const locale of LOCALES) {
      reference.global.locale.value = locale;
      ours.global.locale.value = locale;
      for (const [key, source] of leaves(messages[locale])) {
        const names = [...source.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => m[1]!);
        for (const n of [0, 1, 2, 7]) {
          const values: Record<string, unknown> = Object.fromEntries(names.map((x, i) => [x, x === 'n' ? n : `«${x}${i}»`]));
          const expected = reference.global.t(key, values, n);
          expect(ours.global.t(key, values, n), `${locale} ${key} n=${n}`).toBe(expected);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('keeps text that is not a placeholder', () => {
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en: { a: 'Visit {name} | Visits: {n}', b: '100% done' } }, messageCompiler: compileMessage });
    expect(i18n.global.t('a', { name: 'x', n: 3 }, 3)).toBe('Visits: 3');
    expect(i18n.global.t('a', { name: 'x', n: 1 }, 1)).toBe('Visit x');
    expect(i18n.global.t('b')).toBe('100% done');
  });
});
