/**
 * Why sync stopped or could not finish, as a machine-readable code. The UI shows
 * `sync.reasons.<code>`; every code keeps all local data — sync never deletes to recover.
 */
export type SyncErrorCode =
  /** the device has not joined a team (works alone) */
  | 'not_joined'
  /** the relay cannot be reached */
  | 'network'
  /** the relay answered with an error we do not expect (5xx, bad JSON) */
  | 'server'
  /** the token is not valid (4401 token-invalid / HTTP 401): re-join */
  | 'token_invalid'
  /** the token expired and could not be refreshed: re-join */
  | 'token_expired'
  /** this device was revoked by the team lead (4403 device-revoked) */
  | 'device_revoked'
  /** revoked as lost (4403 device-lost / HTTP 403 device_lost): this phone erases itself (ADR 0029) */
  | 'device_lost'
  /** revoked as replaced (4403 device-replaced / HTTP 403 device_replaced): upload once more, then stop */
  | 'device_replaced'
  /** the relay refused access (4403 forbidden / HTTP 403) */
  | 'forbidden'
  /** the relay refused some documents to this device (not linked to it, or read-only) */
  | 'refused'
  /** a document was not acknowledged in time, even after retries */
  | 'stalled'
  /** the relay refused one of our updates as too large (4413) */
  | 'message_too_large'
  /** the relay refused some documents' updates as breaking the stored layout (`invalid-record`) */
  | 'invalid_record'
  /** the relay refused one of our updates as invalid (4422) */
  | 'invalid_update'
  /** the relay asked us to slow down (4429 / HTTP 429) */
  | 'rate_limited'
  /** the device's storage refused a write (quota, I/O) */
  | 'storage';

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? code, options);
    this.name = 'SyncError';
  }

  /** i18n key for the UI */
  get messageKey(): string {
    return `sync.reasons.${this.code}`;
  }

  /** Whether retrying later (with backoff) can help, or a person must act first. */
  get retryable(): boolean {
    return !FATAL.has(this.code);
  }
}

const FATAL = new Set<SyncErrorCode>(['not_joined', 'token_invalid', 'token_expired', 'device_revoked', 'device_lost', 'forbidden']);

/** The relay's WebSocket close codes (docs/sync-protocol.md) mapped to our reasons. */
export function reasonForClose(code: number, reason: string): SyncErrorCode | undefined {
  switch (code) {
    case 4401:
      return reason === 'token-expired' ? 'token_expired' : 'token_invalid';
    case 4403:
      return reason === 'device-revoked' ? 'device_revoked' : reason === 'device-lost' ? 'device_lost' : reason === 'device-replaced' ? 'device_replaced' : 'forbidden';
    case 4413:
    case 1009: // ws itself, for a frame over twice the relay's limit
      return 'message_too_large';
    case 4422:
      return 'invalid_update';
    case 4429:
      return 'rate_limited';
    default:
      // 4408 auth-timeout, 1001 shutting-down, 1006 dropped: reconnect.
      return undefined;
  }
}

/** The relay's HTTP error answers mapped to our reasons. */
export function reasonForHttp(status: number, code: string | undefined): SyncErrorCode {
  if (status === 401) return code === 'token_expired' || code === 'token-expired' ? 'token_expired' : 'token_invalid';
  if (status === 403) {
    if (code === 'device_lost') return 'device_lost';
    if (code === 'device_replaced') return 'device_replaced';
    return code === 'device_revoked' || code === 'device-revoked' ? 'device_revoked' : 'forbidden';
  }
  if (status === 429) return 'rate_limited';
  return 'server';
}
