import * as v from 'valibot';
import { DEFAULT_VISIT_INTERVAL_DAYS } from './household';
import { msg, parseWith, requiredText } from './validation';
import { TEXT_LIMITS } from './limits';

export const ROLES = ['member', 'lead'] as const;
export type Role = (typeof ROLES)[number];

export interface Team {
  id: string;
  name: string;
}

/** 联户党员 (member) or 支部书记 / 班组长 (lead). */
export interface TeamMember {
  id: string;
  name: string;
  role: Role;
  joinedAt: string;
  /** set when the member left the team; their households are reassigned */
  leftAt?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did */
  invalid?: string[];
}

export interface TeamSettings {
  defaultVisitIntervalDays: number;
  /** households due within this many days show as "due soon" */
  dueSoonDays: number;
  /** a request without its own due date is due this many days after it was raised */
  requestDueDays: number;
}

export const DEFAULT_TEAM_SETTINGS: TeamSettings = {
  defaultVisitIntervalDays: DEFAULT_VISIT_INTERVAL_DAYS,
  dueSoonDays: 7,
  requestDueDays: 15,
};

export const memberNameSchema = requiredText(TEXT_LIMITS.personName);

export function parseMemberName(input: unknown): string {
  return parseWith(memberNameSchema, input);
}

export const roleSchema = v.picklist(ROLES, msg.invalidChoice);
