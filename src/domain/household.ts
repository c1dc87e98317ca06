import * as v from 'valibot';
import { geoPointSchema, type GeoPoint } from './geo';
import { id, isSafeKey, msg, parseWith, phone, requiredText, text } from './validation';
import { TEXT_LIMITS } from './limits';

/** Why a household needs attention (the tags leads filter and report by). Teams may add their own tags too. */
export const VULNERABILITY_TAGS = [
  'elderly_alone', // 孤寡老人
  'left_behind_children', // 留守儿童
  'disabled', // 残疾人
  'lost_only_child', // 失独家庭
  'laid_off', // 下岗职工
  'minimum_allowance', // 低保户
  'hardship', // 困难户
] as const;
export type VulnerabilityTag = (typeof VULNERABILITY_TAGS)[number];

export const RELATIONS = ['head', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

export const DEFAULT_VISIT_INTERVAL_DAYS = 30;
export const MAX_VISIT_INTERVAL_DAYS = 366;

export interface HouseholdMember {
  id: string;
  name: string;
  relation: Relation;
  birthYear?: number;
  phone?: string;
  /** set by the reader when the stored record breaks the layout: the fields that did (src/domain/doc-layout.ts) */
  invalid?: string[];
}

export interface Address {
  /** 片区 / 林场 / 矿区 */
  area: string;
  village: string;
  street: string;
  house: string;
}

/** The editable profile of a household file (户档案). */
export interface HouseholdProfile {
  headName: string;
  phone: string;
  address: Address;
  gps?: GeoPoint;
  /** built-in VulnerabilityTag values or a team's own tag keys */
  tags: string[];
  visitIntervalDays: number;
}

export interface Household extends HouseholdProfile {
  id: string;
  teamId: string;
  members: HouseholdMember[];
  notes: string;
  createdAt: string;
  createdBy: string;
  archived: boolean;
  /** set by the reader when the stored file breaks the layout: the fields that did (`headName`, `area`, …) */
  invalid?: string[];
  /** tag keys stored on the file that are no valid tag (`__proto__`, a number): shown flagged, removed on the next save */
  invalidTags?: string[];
}

const thisYear = () => new Date().getFullYear();

export const householdMemberSchema = v.object({
  id,
  name: requiredText(TEXT_LIMITS.personName),
  // No default: a relation not chosen is refused as missing, not stored as a guess.
  relation: v.picklist(RELATIONS, msg.required),
  birthYear: v.optional(
    v.pipe(v.number(msg.invalidYear), v.integer(msg.invalidYear), v.minValue(1900, msg.invalidYear), v.check((y) => y <= thisYear(), msg.invalidYear)),
  ),
  phone: v.optional(phone),
});

export const addressSchema = v.object({
  area: requiredText(TEXT_LIMITS.area),
  village: text(TEXT_LIMITS.village),
  street: text(TEXT_LIMITS.street),
  house: text(TEXT_LIMITS.house),
});

export const tagSchema = v.pipe(v.string(msg.invalid), v.trim(), v.regex(/^[a-z0-9_\-\u3400-\u9fff]{1,32}$/u, msg.invalidChoice), v.check(isSafeKey, msg.invalidChoice));

export const householdProfileSchema = v.object({
  headName: requiredText(TEXT_LIMITS.headName),
  phone: phone,
  address: addressSchema,
  gps: v.optional(geoPointSchema),
  tags: v.pipe(v.array(tagSchema), v.maxLength(20, msg.tooLong)),
  visitIntervalDays: v.pipe(
    v.number(msg.invalidInterval),
    v.integer(msg.invalidInterval),
    v.minValue(1, msg.invalidInterval),
    v.maxValue(MAX_VISIT_INTERVAL_DAYS, msg.invalidInterval),
  ),
});

/** Validate what a form submits for a household profile; throws ValidationError. */
export function parseHouseholdProfile(input: unknown): HouseholdProfile {
  const p = parseWith(householdProfileSchema, input);
  return { ...p, tags: [...new Set(p.tags)] };
}

export function parseHouseholdMember(input: unknown): HouseholdMember {
  return parseWith(householdMemberSchema, input);
}

/** One line for lists: 片区 村 街 门牌, skipping blanks. */
export function formatAddress(a: Address): string {
  return [a.area, a.village, a.street, a.house].filter((s) => s.trim() !== '').join(' ');
}

/** Every phone number on a household file, for search and duplicate checks. */
export function householdPhones(h: Pick<Household, 'phone' | 'members'>): string[] {
  const all = [h.phone, ...h.members.map((m) => m.phone ?? '')].map(normalizePhone).filter((p) => p.length >= 5);
  return [...new Set(all)];
}

/** Digits only, without a +86 / 0086 prefix, so "+86 138-0000-0000" matches "13800000000". */
export function normalizePhone(p: string): string {
  const digits = p.replace(/\D/g, '');
  if (digits.startsWith('0086')) return digits.slice(4);
  if (digits.startsWith('86') && digits.length === 13) return digits.slice(2);
  return digits;
}
