/**
 * The phone's platform authenticator (fingerprint, face) as a second way to unlock (ADR
 * 0029). Registration asks for user verification; unlocking asks the same credential again
 * and checks the authenticator says it verified the user (the UV flag). Nothing leaves the
 * phone: there is no server to check the signature, and the lock guards against the person
 * holding the phone, not against code running in the page (the threat model says so).
 */
const b64url = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Whether this phone has a platform authenticator that verifies its user. */
export async function platformAuthenticatorAvailable(): Promise<boolean> {
  try {
    return typeof PublicKeyCredential !== 'undefined' && (await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
  } catch {
    return false;
  }
}

/** Register a credential on the platform authenticator; its id (base64url). */
export async function registerPlatformCredential(userName: string, appName: string): Promise<string> {
  const cred = (await navigator.credentials.create({
    publicKey: {
      rp: { name: appName },
      user: { id: crypto.getRandomValues(new Uint8Array(16)), name: userName || appName, displayName: userName || appName },
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      pubKeyCredParams: [
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -257 },
      ],
      authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required', residentKey: 'discouraged' },
      timeout: 60_000,
      attestation: 'none',
    },
  })) as PublicKeyCredential | null;
  if (!cred) throw new Error('no credential');
  return b64url(cred.rawId);
}

/** The user-verified flag of WebAuthn authenticator data (byte 32, bit 2). */
export function userVerified(authenticatorData: ArrayBuffer): boolean {
  const flags = new Uint8Array(authenticatorData)[32] ?? 0;
  return (flags & 0x04) !== 0;
}

/** Ask the platform authenticator for `credentialId`; true when it verified the user. */
export async function verifyWithPlatform(credentialId: string): Promise<boolean> {
  const cred = (await navigator.credentials.get({
    publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      allowCredentials: [{ type: 'public-key', id: fromB64url(credentialId), transports: ['internal'] }],
      userVerification: 'required',
      timeout: 60_000,
    },
  })) as PublicKeyCredential | null;
  if (!cred || b64url(cred.rawId) !== credentialId) return false;
  return userVerified((cred.response as AuthenticatorAssertionResponse).authenticatorData);
}
