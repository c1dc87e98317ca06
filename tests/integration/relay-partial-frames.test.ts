import { describe, expect, it } from 'vitest';
import { binaryFrameHeader, closeCodeIn, rawUpgrade } from './helpers/raw';
import { api, relayProcessPerTest, rssOf } from './helpers/relay';

const relays = relayProcessPerTest();

const MiB = 1024 * 1024;

describe('before authentication', () => {
  it('200 sockets sending partial 1 MiB frames are closed at the frame header; the relay holds little for them', async () => {
    // ws's own ceiling is twice the message limit: 1 MiB here.
    const { relay: child } = await relays.start({ MAX_MESSAGE_BYTES: String(MiB / 2) });
    expect((await api(child.url, 'GET', '/healthz')).status).toBe(200);
    const before = rssOf(child.proc.pid!);

    const sockets = await Promise.all(Array.from({ length: 200 }, () => rawUpgrade(child.wsUrl)));
    const partial = Buffer.alloc(MiB - 64 * 1024, 7);
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.socket.write(binaryFrameHeader(MiB - 1));
            // Either the relay takes every byte (and holds them), or it closes the connection.
            s.socket.write(partial, () => resolve());
            s.ended.then(() => resolve());
          }),
      ),
    );
    // Whatever the relay will do with them, it has done once every connection is over or idle.
    await Promise.race([Promise.all(sockets.map((s) => s.ended)), new Promise((r) => setTimeout(r, 3000))]);
    const grown = rssOf(child.proc.pid!) - before;
    const codes = sockets.map((s) => closeCodeIn(s.received()));
    for (const s of sockets) s.socket.destroy();
    console.log(`partial frames: relay RSS grew ${(grown / MiB).toFixed(1)} MiB for 200 sockets; close codes ${[...new Set(codes)].join(',')}`);
    expect(codes.filter((c) => c !== 4413)).toEqual([]);
    // 200 × 1 MiB would be 200 MiB held.
    expect(grown).toBeLessThan(64 * MiB);
  });
});
