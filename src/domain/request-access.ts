/**
 * Access follows request ownership (issue 11, ADR 0024): a member who owns a request of a
 * household reaches that household's file even when the household is not linked to them —
 * a lead may hand one request to whoever can act on it (the member who knows the clinic, the
 * one who lives in the next village) without handing over the household. The owner keeps it
 * while the request is open, and for `closedDays` after it was closed (the household's rating
 * of how it was closed is often recorded days later); a request handed to someone else, or
 * deleted, gives nothing to its former owner.
 *
 * Kept free of Yjs and storage: the relay feeds it what it stored of each request.
 */

/** What access needs to know of one request. */
export interface RequestOwnership {
  requestId: string;
  ownerId: string;
  /** when it was closed (resolved or explained); absent while it is open */
  closedAt?: string;
  /** soft-deleted requests give no access */
  deletedAt?: string;
}

/**
 * Until when each owner reaches the household through its requests, as of `now`:
 * `Infinity` while one of their requests is open, else the latest closing + `closedMs`.
 * Owners whose access has run out are not listed.
 */
export function ownersWithAccess(requests: Iterable<RequestOwnership>, now: number, closedMs: number): Map<string, number> {
  const until = new Map<string, number>();
  for (const r of requests) {
    if (!r.ownerId || r.deletedAt) continue;
    const closed = r.closedAt ? Date.parse(r.closedAt) : NaN;
    // A closing time that does not parse counts as open: access errs on the side of the owner
    // being able to finish the request, never on cutting off a request someone still works on.
    const ends = r.closedAt && Number.isFinite(closed) ? closed + closedMs : Infinity;
    if (ends <= now) continue;
    until.set(r.ownerId, Math.max(until.get(r.ownerId) ?? 0, ends));
  }
  return until;
}

/** The same list written in a stable order, to tell cheaply whether a write changed who owns what. */
export function ownershipKey(requests: readonly RequestOwnership[]): string {
  return [...requests]
    .sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0))
    .map((r) => `${r.requestId}\u0001${r.ownerId}\u0001${r.closedAt ?? ''}\u0001${r.deletedAt ?? ''}`)
    .join('\u0002');
}
