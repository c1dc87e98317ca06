import { BundleError } from '@/docs/bundle';
import { StorageWriteError } from '@/db/doc-persistence';
import { DomainError, ValidationError, type FieldIssue } from '@/domain/errors';

/** What a form shows for a failed action: one message, plus a message per field. */
export interface ErrorView {
  messageKey: string;
  issues: FieldIssue[];
}

/** An error with its own i18n key (join, photo, …) carries it as `messageKey`. */
export interface KeyedError {
  messageKey: string;
}

function hasMessageKey(err: unknown): err is KeyedError {
  return !!err && typeof err === 'object' && typeof (err as KeyedError).messageKey === 'string';
}

/** Turn anything thrown by a store action into i18n keys. */
export function describeError(err: unknown): ErrorView {
  if (err instanceof ValidationError) return { messageKey: err.messageKey, issues: err.issues };
  if (err instanceof StorageWriteError) return { messageKey: err.reason === 'quota' ? 'errors.storageQuota' : 'errors.storageIo', issues: [] };
  if (err instanceof BundleError || err instanceof DomainError || hasMessageKey(err)) return { messageKey: err.messageKey, issues: [] };
  return { messageKey: 'errors.unknown', issues: [] };
}
