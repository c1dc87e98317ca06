import * as v from 'valibot';
import { ValidationError, type FieldIssue } from './errors';

/**
 * Messages in schemas are i18n keys (`errors.*`), never prose, so the same schema serves
 * the UI in three languages and the relay's logs.
 */
export const msg = {
  required: 'errors.required',
  tooLong: 'errors.tooLong',
  tooManyPhotos: 'errors.tooManyPhotos',
  invalidPhone: 'errors.invalidPhone',
  invalidDate: 'errors.invalidDate',
  invalidDateTime: 'errors.invalidDateTime',
  invalidYear: 'errors.invalidYear',
  invalidChoice: 'errors.invalidChoice',
  invalidNumber: 'errors.invalidNumber',
  invalidId: 'errors.invalidId',
  invalidGps: 'errors.invalidGps',
  invalidSha256: 'errors.invalidSha256',
  invalidInterval: 'errors.invalidInterval',
  explanationRequired: 'errors.explanationRequired',
  dueBeforeRaised: 'errors.dueBeforeRaised',
  invalidTransition: 'errors.invalidTransition',
  invalid: 'errors.invalid',
} as const;

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A trimmed string of at most `max` characters; empty allowed. */
export const text = (max: number) => v.pipe(v.string(msg.invalid), v.trim(), v.maxLength(max, msg.tooLong));
/** A trimmed, non-empty string of at most `max` characters. */
export const requiredText = (max: number) => v.pipe(v.string(msg.required), v.trim(), v.nonEmpty(msg.required), v.maxLength(max, msg.tooLong));
/** Calendar date `YYYY-MM-DD` in the team's local calendar. */
export const isoDate = v.pipe(v.string(msg.invalidDate), v.check(isValidIsoDate, msg.invalidDate));
/** A full ISO-8601 instant (what `Date.prototype.toISOString` gives). */
export const isoDateTime = v.pipe(
  v.string(msg.invalidDateTime),
  v.check((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), msg.invalidDateTime),
);
/** Mainland mobile, landline with area code, or an extension: digits, spaces, +, - only. */
export const phone = v.pipe(
  v.string(msg.invalidPhone),
  v.trim(),
  v.check((s) => s === '' || /^\+?[0-9][0-9 -]{4,19}$/.test(s), msg.invalidPhone),
);
/** Keys that name a JavaScript object's prototype machinery: never an id, a tag or a record key. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const isSafeKey = (key: string): boolean => !RESERVED_KEYS.has(key);

export const id = v.pipe(v.string(msg.invalidId), v.regex(/^[0-9a-zA-Z_-][0-9a-zA-Z_.:-]{0,63}$/, msg.invalidId), v.check(isSafeKey, msg.invalidId));

/** Run a schema; on failure throw a ValidationError listing every field problem. */
export function parseWith<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new ValidationError(result.issues.map(toFieldIssue));
}

function toFieldIssue(issue: v.BaseIssue<unknown>): FieldIssue {
  const path = (issue.path ?? []).map((p) => String(p.key)).join('.');
  const key = issue.message.startsWith('errors.') ? issue.message : msg.invalid;
  return { path, messageKey: key };
}
