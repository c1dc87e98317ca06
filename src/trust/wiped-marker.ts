/**
 * What a phone keeps after it erased itself as lost (ADR 0029): when, in which language to
 * say so, and — only while the relay has not heard of it — the relay's address and this
 * device's (revoked) token, good for nothing but `POST /api/devices/wiped`. Kept in
 * localStorage: read synchronously at start, before anything of the app is opened.
 */
export interface WipedMarker {
  at: string;
  locale: string;
  confirm?: { http: string; token: string };
}

const KEY = 'lianhu.wiped';

export function readWipedMarker(): WipedMarker | undefined {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as WipedMarker) : undefined;
  } catch {
    return undefined;
  }
}

export function writeWipedMarker(m: WipedMarker): void {
  localStorage.setItem(KEY, JSON.stringify(m));
}

/** "Start again": the phone is a new one (the welcome screen, joining with a code). */
export function clearWipedMarker(): void {
  localStorage.removeItem(KEY);
}
