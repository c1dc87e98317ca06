import type { LianhuDb } from '@/db/database';
import { generateDeviceKey, type DevicePublicKey } from '@/docs/bundle-signature';

/**
 * This device's signing key (docs/adr/0023-carried-file-delivery.md): made with WebCrypto when
 * the phone joins (its public half goes with the redeem request) or, for a phone that joined
 * before keys, on its next sync run (`POST /api/devices/key`). The private key is a
 * non-extractable CryptoKey kept in IndexedDB (stored by structured clone): the file this
 * phone exports is signed with it, so a colleague who carries the file can deliver it to the
 * relay on this device's authority.
 */

const KEY = 'sync.signingKey';

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: DevicePublicKey;
  /** the device the relay holds the public half for; unset until registered */
  deviceId?: string;
}

export async function loadSigningKey(db: LianhuDb): Promise<SigningKey | undefined> {
  return (await db.settings.get(KEY))?.value as SigningKey | undefined;
}

/** A new key for a join (the device id comes with the answer). */
export async function newSigningKey(): Promise<SigningKey> {
  return generateDeviceKey();
}

export async function saveSigningKey(db: LianhuDb, key: SigningKey): Promise<void> {
  await db.settings.put({ key: KEY, value: key });
}

/** The key registered for `deviceId`, if this phone has one (only such a key signs a file). */
export async function registeredKey(db: LianhuDb, deviceId: string): Promise<SigningKey | undefined> {
  const key = await loadSigningKey(db);
  return key?.deviceId === deviceId ? key : undefined;
}

/**
 * A phone that joined before keys (or whose key is of an earlier device id) registers one.
 * `register` is `POST /api/devices/key`; a refusal leaves the phone as it was (files unsigned)
 * and is tried again next run.
 */
export async function ensureRegisteredKey(db: LianhuDb, deviceId: string, register: (key: DevicePublicKey) => Promise<void>): Promise<SigningKey> {
  const current = await loadSigningKey(db);
  if (current?.deviceId === deviceId) return current;
  // A key made for an earlier device id (joined again) is never reused for a new device.
  const key = current && !current.deviceId ? current : await newSigningKey();
  // Kept before asking, so a lost answer registers the same key again (the relay accepts its own key twice).
  if (key !== current) await saveSigningKey(db, key);
  await register(key.publicKey);
  const done = { ...key, deviceId };
  await saveSigningKey(db, done);
  return done;
}
