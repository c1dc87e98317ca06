/**
 * Exponential backoff with "equal" jitter: base × 2^attempt, capped, then a random point in its
 * upper half (not full jitter, which could retry at once) — so a team that lost signal together does not come back in lockstep.
 */
export function backoffDelay(baseMs: number, maxMs: number, attempt: number): number {
  return jitter(Math.min(maxMs, baseMs * 2 ** attempt));
}

function jitter(ms: number): number {
  return Math.round(ms / 2 + Math.random() * (ms / 2));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
