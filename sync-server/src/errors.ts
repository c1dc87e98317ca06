/**
 * Errors the relay answers with. HTTP: `{ "error": { "code", "message" } }` with `status`.
 * WebSocket: a close code and reason from `CLOSE` (the table in docs/sync-protocol.md).
 */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
    /** for a request body that does not match its schema: the first failing field, dotted */
    readonly path?: string,
  ) {
    super(message ?? code);
    this.name = 'RelayError';
  }
}

export interface CloseReason {
  code: number;
  reason: string;
}

/** WebSocket close codes. Keep in step with docs/sync-protocol.md. */
export const CLOSE = {
  tokenInvalid: { code: 4401, reason: 'token-invalid' },
  tokenExpired: { code: 4401, reason: 'token-expired' },
  forbidden: { code: 4403, reason: 'forbidden' },
  deviceRevoked: { code: 4403, reason: 'device-revoked' },
  /** revoked as lost: the phone erases itself (ADR 0029) */
  deviceLost: { code: 4403, reason: 'device-lost' },
  /** revoked as replaced: the phone makes its last upload, then stops */
  deviceReplaced: { code: 4403, reason: 'device-replaced' },
  authTimeout: { code: 4408, reason: 'auth-timeout' },
  messageTooLarge: { code: 4413, reason: 'message-too-large' },
  preAuthTooLarge: { code: 4413, reason: 'too-much-before-auth' },
  documentTooLarge: { code: 4413, reason: 'document-too-large' },
  tooManyKeys: { code: 4413, reason: 'too-many-keys' },
  invalidUpdate: { code: 4422, reason: 'invalid-update' },
  malformedMessage: { code: 4422, reason: 'malformed-message' },
  /** per document: the update writes a record that breaks the stored layout; the socket carries on */
  invalidRecord: { code: 4422, reason: 'invalid-record' },
  rateLimited: { code: 4429, reason: 'rate-limited' },
  tooManyDocuments: { code: 4429, reason: 'too-many-documents' },
  tooManySockets: { code: 4429, reason: 'too-many-sockets' },
  tooManyUnauthenticated: { code: 4429, reason: 'too-many-unauthenticated' },
  shuttingDown: { code: 1001, reason: 'shutting-down' },
  /** the database (or the bus between relays) does not answer: nothing was acknowledged, try again later */
  storageUnavailable: { code: 1013, reason: 'storage-unavailable' },
} as const satisfies Record<string, CloseReason>;
