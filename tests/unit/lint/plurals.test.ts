// @vitest-environment node
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import common from '@/i18n/messages/common.en';
import field from '@/i18n/messages/field.en';
import lead from '@/i18n/messages/lead.en';
import sync from '@/i18n/messages/sync.en';

/** Every English message by its dotted key. */
function flatten(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') out.set(prefix, tree);
  else if (tree && typeof tree === 'object') for (const [k, v] of Object.entries(tree)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'messages' ? [] : sources(p);
    return /\.(vue|ts)$/.test(f) ? [p] : [];
  });
}

describe('English plurals', () => {
  it('every message with plural forms is asked for with its count (or the first form always shows: "1 households")', () => {
    const en = flatten({ ...common, ...field, ...lead, ...sync });
    const plural = new Set([...en].filter(([, text]) => text.includes(' | ')).map(([key]) => key));
    expect(plural.size).toBeGreaterThan(20);
    const wrong: string[] = [];
    // `t('key', { n: … })`: named arguments only, so vue-i18n picks the first form whatever n is.
    const call = /(?<![\w.])t\(\s*['`]([\w.]+)['`]\s*,\s*\{[^}]*\bn:[^}]*\}\s*\)/g;
    for (const file of sources('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(call)) if (plural.has(m[1]!)) wrong.push(`${file}: ${m[0]}`);
    }
    expect(wrong).toEqual([]);
  });
});
