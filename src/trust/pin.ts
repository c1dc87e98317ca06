/**
 * The app lock's PIN (ADR 0029): what is stored is a verifier, never the PIN.
 *
 *   master  = PBKDF2-SHA256(PIN, 16 random bytes of salt, ITERATIONS)   — 256 bits, once per unlock
 *   verifier = HKDF-SHA256(master, info "lianhu/pin-verifier/v1")        — stored, compared
 *   wrapKey  = HKDF-SHA256(master, info "lianhu/pin-wrap/v1") as AES-KW  — never stored
 *
 * One slow derivation per unlock; the two HKDF outputs are independent, so the stored
 * verifier tells nothing about the wrapping key except by guessing the PIN through PBKDF2.
 * `wrapKey` is what issue 14 item 2 wraps the records' data key with (not built yet).
 */
export const PIN_LENGTH = 6;
/** OWASP's 2023 figure for PBKDF2-SHA256; about 0.3–1 s on a low-end phone's WebCrypto. */
export const PIN_ITERATIONS = 600_000;

export interface PinVerifier {
  v: 1;
  /** base64 */
  salt: string;
  iterations: number;
  /** base64, 32 bytes */
  verifier: string;
}

export const isPin = (pin: string): boolean => new RegExp(`^[0-9]{${PIN_LENGTH}}$`).test(pin);

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function master(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', enc.encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256);
  return crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode(info) });

async function verifierBits(m: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.deriveBits(hkdf('lianhu/pin-verifier/v1'), m, 256));
}

/** A fresh verifier for `pin` (random salt). */
export async function createVerifier(pin: string, iterations = PIN_ITERATIONS): Promise<PinVerifier> {
  if (!isPin(pin)) throw new Error(`a PIN is ${PIN_LENGTH} digits`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { v: 1, salt: b64(salt), iterations, verifier: b64(await verifierBits(await master(pin, salt, iterations))) };
}

/** Whether `pin` is the one `stored` was made from (compared without an early exit). */
export async function checkPin(pin: string, stored: PinVerifier): Promise<boolean> {
  if (!isPin(pin)) return false;
  const got = await verifierBits(await master(pin, unb64(stored.salt), stored.iterations));
  const want = unb64(stored.verifier);
  if (got.length !== want.length) return false;
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff |= got[i]! ^ want[i]!;
  return diff === 0;
}

/**
 * The key that will wrap the records' data key (issue 14 item 2): AES-KW, not extractable,
 * derived from the same PBKDF2 run as the verifier. Not used by anything yet.
 */
export async function pinWrapKey(pin: string, stored: PinVerifier): Promise<CryptoKey> {
  const m = await master(pin, unb64(stored.salt), stored.iterations);
  return crypto.subtle.deriveKey(hkdf('lianhu/pin-wrap/v1'), m, { name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}
