import * as v from 'valibot';
import { id, isoDateTime, msg, parseWith, requiredText, text } from './validation';
import { TEXT_LIMITS } from './limits';

/** 满意 / 基本满意 / 不满意 */
export const SATISFACTION_LEVELS = ['satisfied', 'basically_satisfied', 'dissatisfied'] as const;
export type SatisfactionLevel = (typeof SATISFACTION_LEVELS)[number];

/** Score used for averages: 满意 counts fully, 基本满意 half. */
export const SATISFACTION_SCORE: Record<SatisfactionLevel, number> = { satisfied: 1, basically_satisfied: 0.5, dissatisfied: 0 };

/** 评价: the household's satisfaction with a visit or a resolved request. */
export interface Rating {
  id: string;
  householdId: string;
  subjectKind: 'visit' | 'request';
  subjectId: string;
  /** the member whose work is rated */
  memberId: string;
  level: SatisfactionLevel;
  comment: string;
  recordedAt: string;
  recordedBy: string;
  deletedAt?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did */
  invalid?: string[];
}

/** 投诉: a household's complaint about a member. */
export interface Complaint {
  id: string;
  householdId: string;
  aboutMemberId: string;
  text: string;
  recordedAt: string;
  recordedBy: string;
  handled: boolean;
  resolution: string;
  deletedAt?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did */
  invalid?: string[];
}

export const ratingInputSchema = v.object({
  subjectKind: v.picklist(['visit', 'request'], msg.invalidChoice),
  subjectId: id,
  memberId: id,
  level: v.picklist(SATISFACTION_LEVELS, msg.invalidChoice),
  comment: text(TEXT_LIMITS.ratingComment),
});
export type RatingInput = v.InferOutput<typeof ratingInputSchema>;

export function parseRatingInput(input: unknown): RatingInput {
  return parseWith(ratingInputSchema, input);
}

export const complaintInputSchema = v.object({
  aboutMemberId: id,
  text: requiredText(TEXT_LIMITS.requestText),
  recordedAt: v.optional(isoDateTime),
});
export type ComplaintInput = v.InferOutput<typeof complaintInputSchema>;

export function parseComplaintInput(input: unknown): ComplaintInput {
  return parseWith(complaintInputSchema, input);
}
