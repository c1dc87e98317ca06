/**
 * How long each text a person types may be, in characters (UTF-16 code units, what
 * `String.length` and `maxLength` count). One list for the schemas that refuse a longer text
 * and the forms that show the limit next to the field ("最多 60 个字") before it is refused:
 * a form never cuts text (no `maxlength` attribute), it says how much is over.
 */
export const TEXT_LIMITS = {
  personName: 40,
  headName: 40,
  area: 60,
  village: 60,
  street: 60,
  house: 40,
  deviceName: 60,
  householdNotes: 4000,
  observationNote: 500,
  said: 4000,
  visitNotes: 4000,
  ratingComment: 1000,
  reviewComment: 1000,
  requestText: 2000,
  withdrawReason: 500,
} as const;

/** Photos one visit may hold. */
export const MAX_VISIT_PHOTOS = 30;

export type TextLimitName = keyof typeof TEXT_LIMITS;

/** How many characters `text` is over `max` (0 when it fits), counted as the schemas count after trimming. */
export function charactersOver(text: string, max: number): number {
  return Math.max(0, text.trim().length - max);
}
