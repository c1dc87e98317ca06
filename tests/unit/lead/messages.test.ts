import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMN_KEYS, EXPORT_DATASETS } from '@/domain/export-table';
import { REVIEW_STATUSES } from '@/domain/visit';
import { allMessages as messages } from '@/i18n/all-messages';

type Tree = { [k: string]: string | Tree };
const flat = (tree: Tree, prefix = ''): string[] => Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : flat(v, `${prefix}${k}.`)));
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.(vue|ts)$/.test(f) && !dir.includes('i18n') ? [join(dir, f)] : []));

describe('lead messages', () => {
  const zh = new Set(flat(messages['zh-CN'] as unknown as Tree));

  it('has every literal lead key the lead workspace uses', () => {
    const used = new Set<string>();
    for (const f of files('src')) for (const m of readFileSync(f, 'utf8').matchAll(/['"`](lead\.[A-Za-z0-9_.]+[A-Za-z0-9_])['"`]/g)) used.add(m[1]!);
    used.delete('lead.duplicates.dismissed'); // a settings key, not a message
    expect(used.size).toBeGreaterThan(150);
    expect([...used].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('has the keys the pages build at run time', () => {
    const built = [
      ...['assign', 'link', 'unlink'].map((k) => `lead.assign.done.${k}`),
      ...['not_lead', 'unknown_member', 'member_left', 'same_member', 'same_household', 'nothing_selected'].map((k) => `lead.errors.${k}`),
      ...['offline', 'not_joined', 'forbidden', 'server'].map((k) => `lead.relay.${k}`),
      ...EXPORT_DATASETS.map((d) => `lead.export.datasets.${d}`),
      ...Object.values(EXPORT_COLUMN_KEYS).flat().map((k) => `lead.export.columns.${k}`),
      ...['month', 'quarter', 'half', 'year'].flatMap((k) => [`lead.period.kinds.${k}`, `lead.period.label.${k}`]),
      ...[...REVIEW_STATUSES, 'unreviewed'].map((s) => `lead.review.status.${s}`),
      ...['half', 'year'].flatMap((k) => [`lead.summary.title.${k}`, `lead.summary.notesTitle.${k}`]),
    ];
    expect(built.filter((k) => !zh.has(k))).toEqual([]);
  });

  it('is complete in Traditional Chinese and English, and different from the Simplified text', () => {
    const lead = (locale: keyof typeof messages) => (messages[locale] as unknown as { lead: Tree }).lead;
    expect(flat(lead('zh-TW')).sort()).toEqual(flat(lead('zh-CN')).sort());
    expect(flat(lead('en')).sort()).toEqual(flat(lead('zh-CN')).sort());
    expect((lead('zh-TW').nav as Tree).review).toBe('講評');
    expect((lead('en').nav as Tree).review).toBe('Review');
  });
});
