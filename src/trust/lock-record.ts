import type { PinVerifier } from './pin';

/**
 * What the app lock keeps (ADR 0029), in localStorage: read synchronously at start, so a
 * device without a PIN pays one `getItem` and loads nothing else of the lock. A remote wipe
 * clears it with the rest; a re-join with the lead's code replaces it.
 */
export interface LockRecord {
  pin: PinVerifier;
  /** lock after this many minutes without a touch */
  idleMinutes: number;
  /** WebAuthn credential id (base64url) of the platform authenticator, if set up */
  credentialId?: string;
}

/** Wrong PINs so far and when the next try is allowed (ms since epoch). */
export interface Attempts {
  failures: number;
  notBefore: number;
}

const LOCK = 'lianhu.lock';
const ATTEMPTS = 'lianhu.lock.attempts';
export const IDLE_CHOICES = [1, 2, 5, 10, 30] as const;
export const DEFAULT_IDLE_MINUTES = 5;
/** Wrong PINs without any wait. */
export const FREE_TRIES = 4;
/** After this many wrong PINs the PIN no longer unlocks: re-join with the lead's code. */
export const MAX_FAILURES = 10;
const FIRST_WAIT_MS = 30_000;

function read<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export const readLock = (): LockRecord | undefined => read<LockRecord>(LOCK);
export const saveLock = (r: LockRecord): void => localStorage.setItem(LOCK, JSON.stringify(r));
export function clearLock(): void {
  localStorage.removeItem(LOCK);
  localStorage.removeItem(ATTEMPTS);
}

export const readAttempts = (): Attempts => read<Attempts>(ATTEMPTS) ?? { failures: 0, notBefore: 0 };
export const resetAttempts = (): void => localStorage.removeItem(ATTEMPTS);

/** The wait after the `failures`-th wrong PIN: none for the first few, then 30 s doubling each time. */
export function waitAfter(failures: number): number {
  return failures <= FREE_TRIES ? 0 : FIRST_WAIT_MS * 2 ** (failures - FREE_TRIES - 1);
}

/** Count a wrong PIN (before saying so: a reload right after must not forget it). */
export function recordFailure(now = Date.now()): Attempts {
  const failures = readAttempts().failures + 1;
  const a = { failures, notBefore: now + waitAfter(failures) };
  localStorage.setItem(ATTEMPTS, JSON.stringify(a));
  return a;
}
