import * as v from 'valibot';
import { msg } from './validation';

/** A photo is referenced by content: the bytes live in the attachment store, not in the doc. */
export interface PhotoRef {
  sha256: string;
  mime: string;
  size: number;
  width?: number;
  height?: number;
}

export const PHOTO_MIME_TYPES = ['image/jpeg', 'image/webp', 'image/png'] as const;
/** After compression a photo is ~300 KB; anything over this is not one of ours. */
export const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

export const photoRefSchema = v.object({
  sha256: v.pipe(v.string(msg.invalidSha256), v.regex(/^[0-9a-f]{64}$/, msg.invalidSha256)),
  mime: v.picklist(PHOTO_MIME_TYPES, msg.invalidChoice),
  size: v.pipe(v.number(msg.invalidNumber), v.integer(msg.invalidNumber), v.minValue(1, msg.invalidNumber), v.maxValue(MAX_PHOTO_BYTES, msg.tooLong)),
  width: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  height: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});
