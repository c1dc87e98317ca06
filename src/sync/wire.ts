import * as decoding from 'lib0/decoding';

/**
 * Just enough of the Hocuspocus 3.4 frame layout to follow acknowledgements: every frame
 * starts with the document name and a message type; sync frames then carry a y-protocols
 * sub-type. See @hocuspocus/provider `MessageReceiver` and @hocuspocus/server `MessageReceiver`.
 */
export const MSG_SYNC = 0;
export const MSG_AUTH = 2;
export const MSG_CLOSE = 7;
export const MSG_SYNC_STATUS = 8;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export interface FrameHead {
  doc: string;
  type: number;
  /** sync frames: SYNC_STEP1 / SYNC_STEP2 / SYNC_UPDATE */
  syncType?: number;
  /** sync-status frames: whether the relay applied (and stored) the update */
  applied?: boolean;
  /** the whole frame's size */
  bytes: number;
}

/** Read a frame's head; undefined for anything that does not parse (never throws). */
export function readFrameHead(data: unknown): FrameHead | undefined {
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return undefined;
  try {
    const d = decoding.createDecoder(bytes);
    const doc = decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    const size = bytes.byteLength;
    if (type === MSG_SYNC) return { doc, type, syncType: decoding.readVarUint(d), bytes: size };
    if (type === MSG_SYNC_STATUS) return { doc, type, applied: decoding.readVarInt(d) === 1, bytes: size };
    return { doc, type, bytes: size };
  } catch {
    return undefined;
  }
}

export function frameSize(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
