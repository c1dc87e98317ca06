import type { RatingRow, RequestRow } from './projection';

/**
 * When a request or rating happened, as the figures count it (ADR 0012): the time of the
 * visit it was raised in, else when it was entered — never when a phone happened to save it.
 * Kept apart from src/domain/projection.ts (which derives `occurredAt`) so the workers that
 * read rows import neither date-fns nor the search index. Rows derived by an earlier release
 * have no `occurredAt`: they give the saved time, as they did, until they are derived again.
 */

/** When the household raised the request. */
export const raisedAt = (r: Pick<RequestRow, 'occurredAt' | 'createdAt'>): string => r.occurredAt || r.createdAt;

/** When the household gave the rating. */
export const ratedAt = (r: Pick<RatingRow, 'occurredAt' | 'recordedAt'>): string => r.occurredAt || r.recordedAt;
