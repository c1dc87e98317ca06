import { checkPublicKey, type DevicePublicKey } from '#domain/device-key';
import type { BundleSignature } from './bundle';

export { checkPublicKey, type DevicePublicKey };

/**
 * Signing an exported file and checking its signature (docs/adr/0023-carried-file-delivery.md).
 * ECDSA P-256 with SHA-256 through WebCrypto, which the browser and Node (the relay) both
 * have, so the phone that signs and the relay that checks run this one module. The signature
 * is WebCrypto's raw r‖s (64 bytes), base64url in the file.
 */

export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_PARAMS = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A new key pair; the private half cannot be exported (it never leaves the phone's IndexedDB). */
export async function generateDeviceKey(): Promise<{ privateKey: CryptoKey; publicKey: DevicePublicKey }> {
  const pair = await crypto.subtle.generateKey(SIGNING_ALGORITHM, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const publicKey = checkPublicKey(jwk);
  if (!publicKey) throw new Error('WebCrypto made a key that is not P-256');
  return { privateKey: pair.privateKey, publicKey };
}

export async function signBytes(privateKey: CryptoKey, deviceId: string, data: Uint8Array): Promise<BundleSignature> {
  const sig = new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS, privateKey, data as BufferSource));
  return { alg: 'ES256', deviceId, sig: toBase64Url(sig) };
}

/** Whether `sig` is `publicKey`'s signature of `data`. A malformed key or signature is simply false. */
export async function verifyBytes(publicKey: DevicePublicKey, sig: BundleSignature, data: Uint8Array): Promise<boolean> {
  let key: CryptoKey;
  let raw: Uint8Array;
  try {
    key = await crypto.subtle.importKey('jwk', { ...publicKey, ext: true }, SIGNING_ALGORITHM, false, ['verify']);
    raw = fromBase64Url(sig.sig);
  } catch {
    return false;
  }
  if (raw.length !== 64) return false;
  try {
    return await crypto.subtle.verify(SIGN_PARAMS, key, raw as BufferSource, data as BufferSource);
  } catch {
    return false;
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}
