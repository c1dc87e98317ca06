import { describe, expect, it, vi } from 'vitest';
import { useConnectivityStore } from '@/stores/connectivity';
import { useFreshStores } from './helpers';

useFreshStores();

describe('connectivity store', () => {
  it('is online only when the relay answers /healthz', async () => {
    const fetchMock = vi.fn(async () => new Response('{"ok":true}', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const c = useConnectivityStore();
    c.browserOnline = true;
    expect(await c.probe()).toBe(true);
    expect(c.state).toBe('online');
    expect(fetchMock).toHaveBeenCalledWith('/healthz', expect.objectContaining({ cache: 'no-store' }));
  });

  it('says "no server" when the network is up but the relay does not answer', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const c = useConnectivityStore();
    c.browserOnline = true;
    await c.probe();
    expect(c.state).toBe('no_server');
  });

  it('says offline when the browser is, without asking the network', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    const c = useConnectivityStore();
    const stop = c.watch();
    // watch() probes once while the browser is still online: let that one finish.
    await c.probe();
    window.dispatchEvent(new Event('offline'));
    expect(c.state).toBe('offline');
    const asked = fetchMock.mock.calls.length;
    await c.probe();
    expect(c.state).toBe('offline');
    expect(fetchMock).toHaveBeenCalledTimes(asked);
    stop();
  });
});
