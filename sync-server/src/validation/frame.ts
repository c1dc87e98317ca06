import { MessageType } from '@hocuspocus/server';
import { ByteReader, MalformedError } from './byte-reader';
import { checkStateVector, checkUpdateV1, type UpdateStats } from './yjs-update';


export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const;

const MAX_DOC_NAME_BYTES = 200;
const MAX_TOKEN_BYTES = 4096;
const MAX_AWARENESS_BYTES = 16 * 1024;

export type Frame =
  | { kind: 'auth'; docName: string; token: string }
  | { kind: 'sync-step1'; docName: string }
  | { kind: 'sync-update'; docName: string; update: Uint8Array; step: 'step2' | 'update'; stats: UpdateStats }
  | { kind: 'awareness'; docName: string }
  | { kind: 'query-awareness'; docName: string }
  | { kind: 'close'; docName: string }
  /** stateless messages: Lianhu does not use them, so the relay drops them */
  | { kind: 'stateless'; docName: string };

export type FrameResult = { ok: true; frame: Frame } | { ok: false; docName?: string; reason: string; invalidUpdate?: boolean };

/**
 * Read one incoming WebSocket frame completely, before Hocuspocus does. Any framing error,
 * unknown type, trailing byte or malformed Yjs payload makes it `ok: false`.
 */
export function inspectFrame(data: Uint8Array): FrameResult {
  const r = new ByteReader(data);
  let docName: string | undefined;
  try {
    docName = r.varString(MAX_DOC_NAME_BYTES);
    const type = r.varUint();
    switch (type) {
      case MessageType.Sync:
      case MessageType.SyncReply: {
        const step = r.varUint();
        const payload = r.varBytes();
        r.end();
        if (step === SyncStep.Step1) {
          const sv = checkStateVector(payload);
          return sv.ok ? { ok: true, frame: { kind: 'sync-step1', docName } } : { ok: false, docName, reason: `state vector: ${sv.reason}` };
        }
        if (step === SyncStep.Step2 || step === SyncStep.Update) {
          const u = checkUpdateV1(payload);
          if (!u.ok) return { ok: false, docName, reason: u.reason, invalidUpdate: true };
          return { ok: true, frame: { kind: 'sync-update', docName, update: payload, step: step === SyncStep.Step2 ? 'step2' : 'update', stats: u.value } };
        }
        return { ok: false, docName, reason: `sync step ${step}` };
      }
      case MessageType.Awareness: {
        const payload = r.varBytes();
        r.end();
        if (payload.length > MAX_AWARENESS_BYTES) return { ok: false, docName, reason: 'awareness too large' };
        checkAwareness(payload);
        return { ok: true, frame: { kind: 'awareness', docName } };
      }
      case MessageType.Auth: {
        const authType = r.varUint();
        if (authType !== 0) return { ok: false, docName, reason: `auth type ${authType}` };
        const token = r.varString(MAX_TOKEN_BYTES);
        r.end();
        return { ok: true, frame: { kind: 'auth', docName, token } };
      }
      case MessageType.QueryAwareness:
        r.end();
        return { ok: true, frame: { kind: 'query-awareness', docName } };
      case MessageType.CLOSE:
        r.end();
        return { ok: true, frame: { kind: 'close', docName } };
      case MessageType.Stateless:
      case MessageType.BroadcastStateless:
        return { ok: true, frame: { kind: 'stateless', docName } };
      default:
        return { ok: false, docName, reason: `message type ${type}` };
    }
  } catch (e) {
    if (e instanceof MalformedError) return { ok: false, docName, reason: e.detail };
    throw e;
  }
}

/** y-protocols awareness update: n × (client, clock, JSON state). */
function checkAwareness(payload: Uint8Array): void {
  const r = new ByteReader(payload);
  const n = r.count(3, 'awareness entry');
  for (let i = 0; i < n; i++) {
    r.varUint();
    r.varUint();
    const state = r.varString();
    try {
      JSON.parse(state);
    } catch {
      throw new MalformedError('awareness state is not JSON');
    }
  }
  r.end();
}
