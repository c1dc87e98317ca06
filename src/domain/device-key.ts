/**
 * A device's public signing key as the relay keeps it and the API carries it (ADR 0023):
 * the JWK of an ECDSA P-256 point, nothing else.
 */
export interface DevicePublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/** The public JWK reduced to its curve point; anything else (a private `d`, another curve) is refused. */
export function checkPublicKey(jwk: unknown): DevicePublicKey | undefined {
  if (!jwk || typeof jwk !== 'object') return undefined;
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'EC' || k.crv !== 'P-256' || 'd' in k) return undefined;
  if (typeof k.x !== 'string' || typeof k.y !== 'string' || !B64URL_32.test(k.x) || !B64URL_32.test(k.y)) return undefined;
  return { kty: 'EC', crv: 'P-256', x: k.x, y: k.y };
}

