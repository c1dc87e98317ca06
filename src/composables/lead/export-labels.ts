import { EXPORT_COLUMN_KEYS, EXPORT_DATASETS, type ExportDataset, type ExportLabels } from '@/domain/export-table';
import { VULNERABILITY_TAGS } from '@/domain/household';
import { REQUEST_ACTION_KINDS, REQUEST_CATEGORIES, REQUEST_STATUSES } from '@/domain/request';
import { SATISFACTION_LEVELS } from '@/domain/rating';
import { OBSERVATION_ASPECTS, REVIEW_STATUSES, VISIT_KINDS } from '@/domain/visit';

type Translate = (key: string) => string;

const map = (keys: readonly string[], label: (k: string) => string) => Object.fromEntries(keys.map((k) => [k, label(k)]));

/**
 * Everything an export needs to name in the user's language, as plain data for the
 * worker: sheet titles, column headers, the names of stored keys, member names.
 */
export function exportLabels(t: Translate, members: { id: string; name: string }[], customTags: { key: string; label: string }[]): ExportLabels {
  return {
    titles: map(EXPORT_DATASETS, (d) => t(`lead.export.datasets.${d}`)) as Record<ExportDataset, string>,
    headers: Object.fromEntries(EXPORT_DATASETS.map((d) => [d, map(EXPORT_COLUMN_KEYS[d], (k) => t(`lead.export.columns.${k}`))])) as ExportLabels['headers'],
    values: {
      tag: { ...map(VULNERABILITY_TAGS, (k) => t(`field.tags.${k}`)), ...Object.fromEntries(customTags.map((c) => [c.key, c.label])) },
      visitKind: map(VISIT_KINDS, (k) => t(`field.visitKinds.${k}`)),
      aspect: map(OBSERVATION_ASPECTS, (k) => t(`field.aspects.${k}`)),
      review: map(REVIEW_STATUSES, (k) => t(`lead.review.status.${k}`)),
      category: map(REQUEST_CATEGORIES, (k) => t(`field.categories.${k}`)),
      status: map(REQUEST_STATUSES, (k) => t(`field.statuses.${k}`)),
      satisfaction: map(SATISFACTION_LEVELS, (k) => t(`field.satisfaction.${k}`)),
      subject: { visit: t('lead.export.subject.visit'), request: t('lead.export.subject.request') },
      yesNo: { yes: t('lead.export.yes') },
      actionKind: map(REQUEST_ACTION_KINDS, (k) => t(`field.actionKinds.${k}`)),
    },
    members: Object.fromEntries(members.map((m) => [m.id, m.name])),
    separator: t('common.listSeparator'),
    about: map([...new Set(EXPORT_DATASETS.flatMap((d) => EXPORT_COLUMN_KEYS[d]))], (k) => t(`lead.export.about.${k}`)),
    readme: {
      title: t('lead.export.readme.title'),
      lines: [1, 2, 3, 4].map((n) => t(`lead.export.readme.line${n}`)),
      headers: [t('lead.export.readme.dataset'), t('lead.export.readme.column'), t('lead.export.readme.meaning')],
    },
  };
}
