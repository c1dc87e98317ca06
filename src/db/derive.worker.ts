/// <reference lib="webworker" />
import { deriveReceived, type DeriveJob } from './derive-received';

export interface DeriveRequest {
  id: number;
  jobs: DeriveJob[];
}

export type DeriveReply = { id: number; ok: true; results: ReturnType<typeof deriveReceived>[] } | { id: number; ok: false; error: string };

self.onmessage = (e: MessageEvent<DeriveRequest>) => {
  const { id, jobs } = e.data;
  let reply: DeriveReply;
  try {
    reply = { id, ok: true, results: jobs.map(deriveReceived) };
  } catch (err) {
    reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
