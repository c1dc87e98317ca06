import * as v from 'valibot';
import { ValidationError } from './errors';
import { id, isoDate, msg, parseWith, requiredText, text } from './validation';
import { TEXT_LIMITS } from './limits';

/** 就医 / 就业 / 就学 / 养老 / 低保申请 / 住房 / 环保 / 其他 */
export const REQUEST_CATEGORIES = ['medical', 'employment', 'schooling', 'elderly_care', 'minimum_allowance', 'housing', 'environment', 'other'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

/**
 * open → in_progress → resolved (已解决) | explained (已答复: the household was told why and
 * what happens next — 给群众一个说法). A closed request can be reopened.
 */
export const REQUEST_STATUSES = ['open', 'in_progress', 'resolved', 'explained'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const CLOSED_STATUSES: readonly RequestStatus[] = ['resolved', 'explained'];

export const REQUEST_ACTION_KINDS = ['note', 'status', 'escalate', 'assign', 'due', 'comment'] as const;
export type RequestActionKind = (typeof REQUEST_ACTION_KINDS)[number];

/** One entry in a request's timeline: what was done on the household's behalf (代办). */
export interface RequestAction {
  id: string;
  at: string;
  by: string;
  kind: RequestActionKind;
  text: string;
  /** for `status` actions: the status set */
  status?: RequestStatus;
}

/** 诉求 */
export interface HouseholdRequest {
  id: string;
  householdId: string;
  visitId?: string;
  category: RequestCategory;
  description: string;
  ownerId: string;
  dueOn?: string;
  status: RequestStatus;
  escalated: boolean;
  /** what the household was told, required when status is `explained` */
  explanation: string;
  closedAt?: string;
  createdAt: string;
  createdBy: string;
  actions: RequestAction[];
  deletedAt?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did */
  invalid?: string[];
}

export const requestInputSchema = v.object({
  category: v.picklist(REQUEST_CATEGORIES, msg.invalidChoice),
  description: requiredText(TEXT_LIMITS.requestText),
  ownerId: id,
  dueOn: v.optional(isoDate),
  visitId: v.optional(id),
});
export type RequestInput = v.InferOutput<typeof requestInputSchema>;

/**
 * Validate a request form. `raisedOn` (YYYY-MM-DD, the household's calendar): the day it was
 * raised — a due date before it is a typo and refused (`checkDueOn`).
 */
export function parseRequestInput(input: unknown, raisedOn?: string): RequestInput {
  const req = parseWith(requestInputSchema, input);
  if (raisedOn) checkDueOn(req.dueOn, raisedOn);
  return req;
}

/** A due date before the day the request was raised is refused, on the `dueOn` field. */
export function checkDueOn(dueOn: string | null | undefined, raisedOn: string): void {
  if (dueOn && dueOn < raisedOn) throw new ValidationError([{ path: 'dueOn', messageKey: msg.dueBeforeRaised }]);
}

export const requestActionInputSchema = v.object({ text: requiredText(TEXT_LIMITS.requestText) });

const ALLOWED: Record<RequestStatus, readonly RequestStatus[]> = {
  open: ['in_progress', 'resolved', 'explained'],
  in_progress: ['open', 'resolved', 'explained'],
  resolved: ['in_progress'],
  explained: ['in_progress'],
};

export interface StatusChange {
  status: RequestStatus;
  /** the explanation given to the household; required for `explained` */
  explanation?: string;
}

/** Check a status change; closing as explained needs the explanation given to the household. */
export function parseStatusChange(from: RequestStatus, input: unknown): StatusChange {
  const change = parseWith(
    v.object({ status: v.picklist(REQUEST_STATUSES, msg.invalidChoice), explanation: v.optional(text(TEXT_LIMITS.requestText)) }),
    input,
  );
  if (!ALLOWED[from].includes(change.status)) {
    throw new ValidationError([{ path: 'status', messageKey: msg.invalidTransition }]);
  }
  if (change.status === 'explained' && !change.explanation) {
    throw new ValidationError([{ path: 'explanation', messageKey: msg.explanationRequired }]);
  }
  return change;
}

export function isClosed(status: RequestStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}
