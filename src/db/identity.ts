import type { Role } from '@/domain/team';
import type { LianhuDb } from './database';

/** Who this device is working for. Kept in the `settings` table under `identity`. */
export interface Identity {
  memberId: string;
  memberName: string;
  deviceId: string;
  deviceName: string;
  /** `local-<id>` until the device joins a team */
  teamId: string;
  teamName: string;
  role: Role;
  createdAt: string;
  /** set while local docs are being moved to the joined team's names (resumed at start) */
  rekeyFrom?: string;
}

/** The relay's credential for this device (see docs/sync-protocol.md). */
export interface Session {
  token: string;
  expiresAt: string;
}

const IDENTITY = 'identity';
const SESSION = 'session';
const LOCAL_PREFIX = 'local-';

export function localTeamId(id: string): string {
  return `${LOCAL_PREFIX}${id}`;
}

/** A device that started alone works under a local team id until it joins. */
export function isLocalTeam(teamId: string): boolean {
  return teamId.startsWith(LOCAL_PREFIX);
}

export async function loadIdentity(db: LianhuDb): Promise<Identity | undefined> {
  return (await db.settings.get(IDENTITY))?.value as Identity | undefined;
}

export async function saveIdentity(db: LianhuDb, identity: Identity): Promise<void> {
  // Dexie cannot store Vue proxies: store a plain copy.
  await db.settings.put({ key: IDENTITY, value: { ...identity } });
}

export async function loadSession(db: LianhuDb): Promise<Session | undefined> {
  return (await db.settings.get(SESSION))?.value as Session | undefined;
}

export async function saveSession(db: LianhuDb, session: Session): Promise<void> {
  await db.settings.put({ key: SESSION, value: { ...session } });
}
