import type { IncomingMessage } from 'node:http';
import net from 'node:net';

/**
 * Which peers are reverse proxies whose `X-Forwarded-For` / `Forwarded` the relay believes
 * (`TRUST_PROXY`: addresses and CIDR ranges, comma-separated; `loopback` for 127.0.0.0/8
 * and ::1). Anyone else's forwarding headers are ignored: a phone could write anything there.
 */
export class TrustedProxies {
  private readonly list = new net.BlockList();
  readonly empty: boolean;

  constructor(entries: string[]) {
    for (const raw of entries) {
      const e = raw.trim();
      if (!e) continue;
      if (e === 'loopback') {
        this.list.addSubnet('127.0.0.0', 8, 'ipv4');
        this.list.addAddress('::1', 'ipv6');
        continue;
      }
      const [addr, bits] = e.split('/') as [string, string | undefined];
      const family = net.isIP(addr);
      if (family === 0) throw new Error(`TRUST_PROXY: ${e} is not an address or a CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(addr, type);
      else {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`TRUST_PROXY: bad prefix in ${e}`);
        this.list.addSubnet(addr, prefix, type);
      }
    }
    this.empty = entries.every((e) => !e.trim());
  }

  trusts(address: string): boolean {
    if (this.empty) return false;
    const family = net.isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/** One `for=` or X-Forwarded-For element: `1.2.3.4`, `1.2.3.4:5678`, `"[::1]:80"`, `[::1]`. */
function parseHop(raw: string): string | undefined {
  let s = raw.trim().replace(/^"|"$/g, '');
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracket) s = bracket[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = normalizeAddress(s);
  return net.isIP(s) ? s : undefined;
}

function forwardedHops(req: IncomingMessage): string[] | undefined {
  const xff = req.headers['x-forwarded-for'];
  if (xff !== undefined) return (Array.isArray(xff) ? xff.join(',') : xff).split(',');
  const fwd = req.headers.forwarded;
  if (fwd === undefined) return undefined;
  const hops: string[] = [];
  for (const element of fwd.split(',')) {
    const m = /(?:^|;)\s*for=("[^"]*"|[^;,\s]*)/i.exec(element);
    if (m) hops.push(m[1]!);
  }
  return hops;
}

/**
 * The address a request came from. Through trusted proxies, the right-most forwarded hop
 * that is not itself a trusted proxy (the left-most ones are the client's to invent); a
 * hop that is not an address (`unknown`, an obfuscated name) stops the walk there.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trusted.trusts(peer)) return peer;
  const hops = forwardedHops(req);
  if (!hops || hops.length === 0) return peer;
  let last = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseHop(hops[i]!);
    if (!hop) return last;
    if (!trusted.trusts(hop)) return hop;
    last = hop;
  }
  return last;
}
