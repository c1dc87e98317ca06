import * as v from 'valibot';
import { photoRefSchema, type PhotoRef } from './attachment';
import { ValidationError } from './errors';
import { geoPointSchema, type GeoPoint } from './geo';
import { id, isoDate, isoDateTime, msg, parseWith, text } from './validation';
import { MAX_VISIT_PHOTOS, TEXT_LIMITS } from './limits';

/** 入户走访 / 电话联系 / 约访 / 接待来访 */
export const VISIT_KINDS = ['home', 'phone', 'appointment', 'reception'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];

/** 住、吃、穿 plus health and income: what the member looks at on every visit. */
export const OBSERVATION_ASPECTS = ['housing', 'food', 'clothing', 'health', 'income'] as const;
export type ObservationAspect = (typeof OBSERVATION_ASPECTS)[number];

/** Quick choice per aspect; `concern` and `urgent` are what a lead filters on. */
export const OBSERVATION_LEVELS = ['good', 'fair', 'concern', 'urgent'] as const;
export type ObservationLevel = (typeof OBSERVATION_LEVELS)[number];

export interface Observation {
  level?: ObservationLevel;
  note: string;
}

export type Observations = Partial<Record<ObservationAspect, Observation>>;

export const REVIEW_STATUSES = ['reviewed', 'needs_correction'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface VisitReview {
  status: ReviewStatus;
  comment: string;
  by: string;
  at: string;
}

/** A visit its member withdrew (logged on the wrong household): it stays in the file and counts nowhere. */
export interface VisitWithdrawal {
  at: string;
  by: string;
  reason: string;
}

/** 走访记录 */
export interface Visit {
  id: string;
  householdId: string;
  kind: VisitKind;
  visitorIds: string[];
  visitedAt: string;
  observations: Observations;
  /** what the household said, in their words */
  said: string;
  notes: string;
  photos: PhotoRef[];
  gps?: GeoPoint;
  nextVisitOn?: string;
  createdAt: string;
  createdBy: string;
  review?: VisitReview;
  withdrawn?: VisitWithdrawal;
  /** when its member corrected it after a lead asked for a correction */
  correctedAt?: string;
  deletedAt?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did */
  invalid?: string[];
}

const observationSchema = v.object({
  level: v.optional(v.picklist(OBSERVATION_LEVELS, msg.invalidChoice)),
  note: text(TEXT_LIMITS.observationNote),
});

export const visitInputSchema = v.object({
  kind: v.picklist(VISIT_KINDS, msg.invalidChoice),
  visitorIds: v.pipe(v.array(id), v.minLength(1, msg.required), v.maxLength(10, msg.tooLong)),
  visitedAt: isoDateTime,
  observations: v.object(
    Object.fromEntries(OBSERVATION_ASPECTS.map((a) => [a, v.optional(observationSchema)])) as Record<ObservationAspect, v.OptionalSchema<typeof observationSchema, undefined>>,
  ),
  said: text(TEXT_LIMITS.said),
  notes: text(TEXT_LIMITS.visitNotes),
  photos: v.pipe(v.array(photoRefSchema), v.maxLength(MAX_VISIT_PHOTOS, msg.tooManyPhotos)),
  gps: v.optional(geoPointSchema),
  nextVisitOn: v.optional(isoDate),
});

export type VisitInput = v.InferOutput<typeof visitInputSchema>;

/** Validate a visit form; throws ValidationError. A visit dated in the future is refused. */
export function parseVisitInput(input: unknown, now: Date = new Date()): VisitInput {
  const visit = parseWith(visitInputSchema, input);
  // A clock a few minutes fast must not block a save at the door; a date days ahead is a typo.
  if (Date.parse(visit.visitedAt) > now.getTime() + 24 * 3600_000) {
    throw new ValidationError([{ path: 'visitedAt', messageKey: msg.invalidDateTime }]);
  }
  return visit;
}

export const reviewInputSchema = v.object({
  status: v.picklist(REVIEW_STATUSES, msg.invalidChoice),
  comment: text(TEXT_LIMITS.reviewComment),
});
