import { defineStore } from 'pinia';
import { localRecords } from '@/db/instance';
import { addRating, addRequest, addVisit, restoreVisit, updateVisit, withdrawVisit } from '@/docs/household-doc';
import { toLocalDate } from '@/domain/dates';
import { ValidationError, type FieldIssue } from '@/domain/errors';
import { withdrawReasonSchema } from '@/domain/history';
import { parseWith } from '@/domain/validation';
import { parseRatingInput, type RatingInput } from '@/domain/rating';
import { parseRequestInput, type RequestInput } from '@/domain/request';
import { parseVisitInput, type VisitInput } from '@/domain/visit';
import { useHouseholdsStore } from './households';
import { useIdentityStore } from './identity';

/** A visit as the form submits it: the visit, the needs raised, and the household's rating. */
export interface VisitSubmission {
  id: string;
  visit: Record<string, unknown>;
  needs: { id: string; category: string; description: string; dueOn?: string }[];
  rating?: { id: string; level: string; comment: string };
}

/** Run one parser, collecting its issues under `prefix` instead of throwing at once. */
function collect<T>(issues: FieldIssue[], prefix: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...err.issues.map((i) => ({ ...i, path: prefix + i.path })));
    return undefined;
  }
}

export const useVisitsStore = defineStore('visits', () => {
  const identity = useIdentityStore();
  const households = useHouseholdsStore();

  /**
   * Log a visit, the requests raised during it and the household's rating in one write:
   * either all of it is on disk or none of it is.
   */
  async function logVisit(householdId: string, s: VisitSubmission): Promise<void> {
    const me = identity.memberId;
    const issues: FieldIssue[] = [];
    const visit = collect<VisitInput>(issues, '', () => parseVisitInput({ ...s.visit, visitorIds: [me] }));
    // Needs are raised on the day of the visit: their due dates cannot be earlier.
    const raisedOn = visit ? toLocalDate(visit.visitedAt) : undefined;
    const needs = s.needs.map((n, i) => [n.id, collect<RequestInput>(issues, `needs.${i}.`, () => parseRequestInput({ category: n.category, description: n.description, dueOn: n.dueOn || undefined, ownerId: me, visitId: s.id }, raisedOn))] as const);
    const rating = s.rating ? collect<RatingInput>(issues, 'rating.', () => parseRatingInput({ subjectKind: 'visit', subjectId: s.id, memberId: me, level: s.rating!.level, comment: s.rating!.comment })) : undefined;
    if (issues.length || !visit) throw new ValidationError(issues);
    const actor = identity.actor();
    const now = actor.now;
    await localRecords().commit(households.docName(householdId), (doc) => {
      addVisit(doc, { id: s.id, ...visit }, actor);
      for (const [id, req] of needs) if (req) addRequest(doc, { id, ...req }, actor);
      if (rating && s.rating) addRating(doc, { id: s.rating.id, ...rating, recordedAt: now, recordedBy: me });
    });
  }

  /**
   * Correct a saved visit (every field, photos added or removed). The visit keeps its
   * visitors; the household's history keeps what each field held before (ADR 0018).
   */
  async function correctVisit(householdId: string, visitId: string, visitorIds: string[], input: Record<string, unknown>): Promise<void> {
    const visit = parseVisitInput({ ...input, visitorIds });
    const actor = identity.actor();
    await localRecords().commit(households.docName(householdId), (doc) => updateVisit(doc, { id: visitId, ...visit }, actor));
  }

  /** Withdraw a visit logged on the wrong household; the reason is required. */
  async function withdraw(householdId: string, visitId: string, reason: string): Promise<void> {
    let clean: string;
    try {
      clean = parseWith(withdrawReasonSchema, reason);
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.issues.map((i) => ({ ...i, path: 'reason' })));
      throw err;
    }
    const actor = identity.actor();
    await localRecords().commit(households.docName(householdId), (doc) => withdrawVisit(doc, visitId, clean, actor));
  }

  /** Undo a withdrawal. */
  async function restore(householdId: string, visitId: string): Promise<void> {
    const actor = identity.actor();
    await localRecords().commit(households.docName(householdId), (doc) => restoreVisit(doc, visitId, actor));
  }

  return { logVisit, correctVisit, withdraw, restore };
});
