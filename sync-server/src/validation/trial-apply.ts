import * as Y from 'yjs';

/**
 * A Y.Doc for checking things, never synced anywhere. A fixed guid: Yjs otherwise draws a
 * random UUID per doc from 31 calls to WebCrypto, which cost more than the check itself.
 */
export function scratchDoc(gc = true): Y.Doc {
  return new Y.Doc({ guid: 'lianhu-relay-scratch', gc });
}

export type TrialResult =
  | {
      ok: true;
      /** what the update actually changed (null: nothing new), to store and count as a change */
      effective: Uint8Array | null;
      /** the update left structs or deletes waiting for updates the relay has not seen yet */
      pending: boolean;
    }
  | { ok: false; reason: string };

/**
 * Apply `update` to a scratch copy of `current` and check the result can be encoded and loaded
 * again to the same state. Yjs applies what it can of a broken update and then throws (the
 * part already applied stays and is announced), and it accepts structs that make a doc fail
 * to encode later; this copy is where that happens instead of the live document.
 */
export function trialApply(current: Y.Doc, update: Uint8Array): TrialResult {
  const scratch = scratchDoc(current.gc);
  let reload: Y.Doc | undefined;
  try {
    try {
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(current));
    } catch (e) {
      return { ok: false, reason: `the stored document does not copy: ${message(e)}` };
    }
    const changes: Uint8Array[] = [];
    scratch.on('update', (u: Uint8Array) => changes.push(u));
    try {
      Y.applyUpdate(scratch, update);
    } catch (e) {
      return { ok: false, reason: `apply failed: ${message(e)}` };
    }
    let encoded: Uint8Array;
    try {
      encoded = Y.encodeStateAsUpdate(scratch);
    } catch (e) {
      return { ok: false, reason: `result does not encode: ${message(e)}` };
    }
    reload = scratchDoc(current.gc);
    try {
      Y.applyUpdate(reload, encoded);
    } catch (e) {
      return { ok: false, reason: `result does not load: ${message(e)}` };
    }
    if (!sameBytes(Y.encodeStateVector(reload), Y.encodeStateVector(scratch))) {
      return { ok: false, reason: 'result does not load to the same state' };
    }
    const pending = scratch.store.pendingStructs !== null || scratch.store.pendingDs !== null;
    const effective = changes.length === 0 ? null : changes.length === 1 ? changes[0]! : Y.mergeUpdates(changes);
    return { ok: true, effective, pending };
  } finally {
    scratch.destroy();
    reload?.destroy();
  }
}

/** Whether `bytes` load into an empty doc and encode again without error. */
export function loadsCleanly(bytes: Uint8Array): boolean {
  const d = scratchDoc();
  try {
    Y.applyUpdate(d, bytes);
    const again = scratchDoc();
    Y.applyUpdate(again, Y.encodeStateAsUpdate(d));
    const ok = sameBytes(Y.encodeStateVector(again), Y.encodeStateVector(d));
    again.destroy();
    return ok;
  } catch {
    return false;
  } finally {
    d.destroy();
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
