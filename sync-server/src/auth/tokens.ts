import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '#domain/team';

/** What a device token says: this device, of this member, in this team, with this role. */
export interface DeviceClaims {
  deviceId: string;
  teamId: string;
  memberId: string;
  role: Role;
  /** seconds since the epoch */
  exp: number;
}

export type TokenProblem = 'token-invalid' | 'token-expired';

export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problem);
    this.name = 'TokenError';
  }
}

export const SECRET_FILE = 'token-secret';
const ISSUER = 'lianhu-relay';
const AUDIENCE = 'lianhu-device';

/**
 * Load the HS256 secret from `dataDir`, creating it on first start. It is readable by its
 * owner only: anyone holding it can mint device tokens for every team.
 */
export function loadSecret(dataDir: string): Uint8Array {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SECRET_FILE);
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const text = fs.readFileSync(file, 'utf8').trim();
  if (text.length < 32) throw new Error(`${file} is too short to be a token secret`);
  return new TextEncoder().encode(text);
}

export class TokenService {
  constructor(
    private readonly secret: Uint8Array,
    private readonly ttlDays: number,
    private readonly refreshGraceDays: number,
  ) {}

  async sign(c: Omit<DeviceClaims, 'exp'>): Promise<{ token: string; expiresAt: string }> {
    const exp = Math.floor(Date.now() / 1000) + Math.round(this.ttlDays * 86400);
    const token = await new SignJWT({ team: c.teamId, member: c.memberId, role: c.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.deviceId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.secret);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Verify a token. `forRefresh` accepts one that expired less than the refresh grace ago. */
  async verify(token: string, opts: { forRefresh?: boolean } = {}): Promise<DeviceClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw new TokenError('token-invalid');
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: opts.forRefresh ? Math.round(this.refreshGraceDays * 86400) : 5,
      });
      const { sub, team, member, role, exp } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof team !== 'string' || typeof member !== 'string' || (role !== 'member' && role !== 'lead') || typeof exp !== 'number') {
        throw new TokenError('token-invalid');
      }
      return { deviceId: sub, teamId: team, memberId: member, role, exp };
    } catch (e) {
      if (e instanceof TokenError) throw e;
      if (e instanceof errors.JWTExpired) throw new TokenError('token-expired');
      throw new TokenError('token-invalid');
    }
  }
}
