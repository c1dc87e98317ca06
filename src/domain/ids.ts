import { uuidv7 } from 'uuidv7';

/** Ids sort by creation time (UUIDv7), so lists ordered by id are ordered by age. */
export function newId(): string {
  return uuidv7();
}

const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value);
}
