import type { HistoryRecord } from '@/domain/history';
import type { HouseholdFile } from '@/domain/household-file';
import type { ObservationAspect } from '@/domain/visit';

/**
 * What a household file holds now at a field the history names, in the form the history
 * stores it (src/docs/household-doc.ts): compared with each concurrent edit's value to tell
 * which one the merge kept.
 */
export function currentValue(file: HouseholdFile, record: HistoryRecord, recordId: string | undefined, field: string): unknown {
  if (record === 'household') {
    const h = file.household;
    if (field in h.address) return h.address[field as keyof typeof h.address] || undefined;
    if (field === 'headName' || field === 'phone') return h[field] || undefined;
    if (field === 'visitIntervalDays') return h.visitIntervalDays;
    if (field === 'tags') return h.tags;
    if (field === 'gps') return h.gps;
    return undefined;
  }
  if (record === 'visit') {
    const v = file.visits.find((x) => x.id === recordId);
    if (!v) return undefined;
    if (field.startsWith('obs.')) return v.observations[field.slice(4) as ObservationAspect];
    if (field === 'photos') return v.photos.map((p) => p.sha256).sort();
    if (field === 'kind' || field === 'visitedAt' || field === 'said' || field === 'notes' || field === 'nextVisitOn' || field === 'gps') return v[field];
  }
  return undefined;
}
