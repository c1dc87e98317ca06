import { LocalRecords } from './local-records';

/**
 * The app's one LocalRecords. Stores reach the disk through it; components never do.
 * Tests reset it between cases because each case gets a fresh fake IndexedDB.
 */
let instance: LocalRecords | undefined;

export function localRecords(): LocalRecords {
  instance ??= new LocalRecords();
  return instance;
}

/** Close and forget the instance (tests, and a re-key that restarts on another team). */
export async function resetLocalRecords(): Promise<void> {
  const current = instance;
  instance = undefined;
  await current?.close();
}
