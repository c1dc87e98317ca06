import type { LianhuDb } from '@/db/database';

/**
 * The device id the relay said was revoked (`403 device_revoked` or close 4403). A lead
 * cannot undo a revocation, so the engine stops asking the relay and the home screen says
 * so even offline; a new join gives the phone a new device id, which this does not match.
 */
const REVOKED_DEVICE = 'sync.revokedDevice';

export async function loadRevokedDevice(db: LianhuDb): Promise<string | undefined> {
  return (await db.settings.get(REVOKED_DEVICE))?.value as string | undefined;
}

export async function saveRevokedDevice(db: LianhuDb, deviceId: string): Promise<void> {
  await db.settings.put({ key: REVOKED_DEVICE, value: deviceId });
}
