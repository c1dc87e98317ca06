import type { PhotoRef } from '@/domain/attachment';
import { addDaysToDate, toLocalDate } from '@/domain/dates';
import type { GeoPoint } from '@/domain/geo';
import { newId } from '@/domain/ids';
import { localTime } from '@/domain/local-day';
import { OBSERVATION_ASPECTS, type ObservationAspect, type ObservationLevel, type Visit, type VisitKind } from '@/domain/visit';
import type { VisitSubmission } from '@/stores/visits';

export interface NeedForm {
  id: string;
  category: string;
  description: string;
  dueOn: string;
}

/** The visit form as typed; ids are made once so a retried save writes the same records. */
export interface VisitForm {
  id: string;
  kind: VisitKind;
  /** `YYYY-MM-DDTHH:mm` in local time, as `<input type="datetime-local">` has it */
  visitedAt: string;
  observations: Record<ObservationAspect, { level: ObservationLevel | ''; note: string }>;
  said: string;
  notes: string;
  needs: NeedForm[];
  photos: PhotoRef[];
  gps: GeoPoint | null;
  nextVisitOn: string;
  satisfaction: string;
  ratingId: string;
  ratingComment: string;
}

export function emptyVisitForm(now: Date, intervalDays: number): VisitForm {
  return {
    id: newId(),
    kind: 'home',
    // local date and time as a datetime-local input wants it: 2026-05-01T09:30 (through the
    // domain's date functions, so date-fns stays behind src/domain/dates.ts)
    visitedAt: `${toLocalDate(now)}T${localTime(now.toISOString())}`,
    observations: Object.fromEntries(OBSERVATION_ASPECTS.map((a) => [a, { level: '', note: '' }])) as VisitForm['observations'],
    said: '',
    notes: '',
    needs: [],
    photos: [],
    gps: null,
    nextVisitOn: addDaysToDate(toLocalDate(now), intervalDays),
    satisfaction: '',
    ratingId: newId(),
    ratingComment: '',
  };
}

/** `datetime-local` value of an instant, in this device's time zone. */
export function isoToLocalDateTime(iso: string): string {
  return `${toLocalDate(iso)}T${localTime(iso)}`;
}

/**
 * A saved visit as the form shows it for a correction. Needs and the rating are records of
 * their own (corrected on their own pages), so the correction form leaves them out.
 */
export function visitFormFrom(v: Visit): VisitForm {
  const observations = Object.fromEntries(OBSERVATION_ASPECTS.map((a) => [a, { level: v.observations[a]?.level ?? '', note: v.observations[a]?.note ?? '' }])) as VisitForm['observations'];
  return {
    id: v.id,
    kind: v.kind,
    visitedAt: v.visitedAt ? isoToLocalDateTime(v.visitedAt) : '',
    observations,
    said: v.said,
    notes: v.notes,
    needs: [],
    photos: v.photos.map((p) => ({ ...p })),
    gps: v.gps ? { ...v.gps } : null,
    nextVisitOn: v.nextVisitOn ?? '',
    satisfaction: '',
    ratingId: '',
    ratingComment: '',
  };
}

export function emptyNeed(): NeedForm {
  return { id: newId(), category: 'other', description: '', dueOn: '' };
}

/** Local `datetime-local` value → ISO instant; left as typed when it is not a date (validation says so). */
export function localDateTimeToIso(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
}

/** What the visits store validates and writes. Untouched aspects are left out. */
export function visitSubmission(f: VisitForm): VisitSubmission {
  const observations: Record<string, { level?: string; note: string }> = {};
  for (const a of OBSERVATION_ASPECTS) {
    const o = f.observations[a];
    if (o && (o.level || o.note.trim())) observations[a] = { ...(o.level ? { level: o.level } : {}), note: o.note };
  }
  return {
    id: f.id,
    visit: {
      kind: f.kind,
      visitedAt: localDateTimeToIso(f.visitedAt),
      observations,
      said: f.said,
      notes: f.notes,
      photos: f.photos,
      gps: f.gps ?? undefined,
      nextVisitOn: f.nextVisitOn || undefined,
    },
    needs: f.needs.map((n) => ({ id: n.id, category: n.category, description: n.description, dueOn: n.dueOn || undefined })),
    rating: f.satisfaction ? { id: f.ratingId, level: f.satisfaction, comment: f.ratingComment } : undefined,
  };
}
