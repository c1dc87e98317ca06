import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { saveSession } from '@/db/identity';
import { addVisit, createHousehold, readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { newId } from '@/domain/ids';
import { TokenService, loadSecret } from '../../sync-server/src/auth/tokens';
import { syncOnce, waitForStatus } from './helpers/client-device';
import { clientSuite } from './helpers/client-suite';
import { actor, profile } from './helpers/fixtures';
import { api, teamWith, waitFor, type Joined } from './helpers/relay';

const { relay: t, device } = clientSuite();

/** Households stored on the relay as if members had synced them over the years (~3 KB each). */
async function seedHouseholds(teamId: string, by: Joined, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newId();
    const doc = new Y.Doc();
    const who = actor(by.memberId);
    createHousehold(doc, { id, teamId, profile: profile(`户主${i}`, `1380000${String(i).padStart(4, '0')}`) }, who);
    for (let v = 0; v < 6; v++) {
      addVisit(doc, { id: newId(), kind: 'home', visitorIds: [by.memberId], visitedAt: new Date(Date.UTC(2025, v, 3)).toISOString(), observations: { housing: { level: 'fair', note: '房屋基本完好，冬季取暖需关注' } }, said: `第${v + 1}次走访：老人身体尚可，希望子女多回家看看。`, notes: '', photos: [] }, who);
    }
    await t.relay.services.store.append(householdDocName(teamId, id), Y.encodeStateAsUpdate(doc), { deviceId: 'seed', memberId: by.memberId });
    ids.push(id);
  }
  return ids;
}

describe('first sync', () => {
  it('downloads a large team as a bundle in pieces with progress, resumes after losing the connection, then costs one request', async () => {
    const N = 600;
    const { teamId, lead } = await teamWith(t, []);
    const ids = await seedHouseholds(teamId, lead, N);
    const progress: { done: number; total: number }[] = [];
    const d = await device(t.url, lead, 'first-lead', { start: false, pieceSize: 200 });
    const seen: { state: string; headline: string; complete: boolean; done?: number; total?: number }[] = [];
    // The connection drops after the first piece: cut from the progress report itself (the
    // next piece is already being fetched while one is written, so a poll could come too late).
    let cutOff = false;
    d.engine.onStatus((s) => {
      if (s.progress) progress.push({ ...s.progress });
      seen.push({ state: s.state, headline: s.headline, complete: s.teamRecords.complete, done: s.teamRecords.done, total: s.teamRecords.total });
      if (!cutOff && s.progress && s.progress.done >= 200) {
        cutOff = true;
        d.setOnline(false);
      }
    });
    const cut = waitFor(() => cutOff, 60_000, 'first piece');
    const started = Date.now();
    await d.engine.start();
    await cut;
    await waitForStatus(d, (s) => s.state === 'offline' && s.reason === 'network', 30_000, 'cut off');
    // Cut off mid-download: the device says the team's records are not all here, and how far it got.
    expect(d.engine.status.teamRecords).toMatchObject({ complete: false, total: N + 1 });
    expect(d.engine.status.teamRecords.done).toBeGreaterThanOrEqual(200);
    expect(d.engine.status.headline).toBe('team_download');
    const stored = (await d.records.docs.storedNames()).length;
    expect(stored).toBeGreaterThanOrEqual(200);
    expect(stored).toBeLessThan(N);

    d.setOnline(true);
    await syncOnce(d);
    const elapsed = Date.now() - started;
    expect(d.engine.status).toMatchObject({ state: 'synced', pendingHouseholds: 0, teamRecords: { complete: true }, headline: 'all_on_server' });
    // Never "synced" or "all on the server" before the team's records (and their rows) were all here.
    const firstComplete = seen.findIndex((x) => x.complete);
    expect(firstComplete).toBeGreaterThan(0);
    expect(seen.slice(0, firstComplete).filter((x) => x.state === 'synced' || x.headline === 'all_on_server')).toEqual([]);
    // Before the engine has read the device's state it claims nothing ('starting'); from then on it says the records are coming.
    const headlines = seen.slice(0, firstComplete).map((x) => x.headline);
    const known = headlines.findIndex((h) => h !== 'starting');
    expect(known).toBeGreaterThanOrEqual(0);
    expect(headlines.slice(known).every((h) => h === 'team_download')).toBe(true);
    const bundleRequests = d.requests.filter((r) => r.path.startsWith('/api/bundle'));
    // Resumed after the last stored doc: no piece was fetched twice.
    const afters = bundleRequests.map((r) => new URL(r.path, 'http://x').searchParams.get('after') ?? '');
    expect(new Set(afters).size).toBe(afters.length);
    expect(afters[0]).toBe('');
    expect(bundleRequests.length).toBe(Math.ceil((N + 1) / 200));
    // Progress counted up to everything the device may read (team doc + households).
    expect(progress.at(-1)).toEqual({ done: N + 1, total: N + 1 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(d.engine.stats.attaches).toBe(0);
    // "Complete" includes the rows: the lists and the lead's figures read them.
    expect(await d.records.db.households.count()).toBe(N);
    const one = readHousehold(await d.records.doc(d.household(ids[N - 1]!)));
    expect(one.visits).toHaveLength(6);
    const bytes = d.engine.stats.http.bytesReceived;
    console.log(`[measure] first sync of ${N} households (+ team doc) in ${Math.ceil((N + 1) / 200)} pieces: ${elapsed} ms with one interruption, ${(bytes / 1024).toFixed(0)} KiB over HTTP (${(bytes / N).toFixed(0)} B per household)`);

    // Nothing new: one request.
    const before = d.requests.length;
    await syncOnce(d);
    expect(d.requests.length - before).toBe(1);
  });

  it('swaps an expired token for a fresh one and carries on; a revoked device stops, says why and keeps its records', async () => {
    const { teamId, lead, members } = await teamWith(t, ['吴刚']);
    const m = members[0]!;
    // A token that expired yesterday, signed with the relay's own secret.
    const expired = await new TokenService(loadSecret(t.dataDir), -1, 365).sign({ deviceId: lead.deviceId, teamId, memberId: lead.memberId, role: 'lead' });
    const L = await device(t.url, { ...lead, token: expired.token, expiresAt: expired.expiresAt }, 'token-lead', { start: false });
    await saveSession(L.records.db, { token: expired.token, expiresAt: expired.expiresAt });
    await L.engine.start();
    await waitForStatus(L, (s) => s.state === 'synced', 15_000, 'synced after refresh');
    expect(L.requests.some((r) => r.path === '/api/token/refresh' && r.status === 200)).toBe(true);
    const session = (await L.records.db.settings.get('session'))?.value as { token: string };
    expect(session.token).not.toBe(expired.token);

    const M = await device(t.url, m, 'token-m');
    await waitForStatus(M, (s) => s.state === 'synced', 15_000, 'member synced');
    const id = newId();
    await M.records.commit(M.household(id), (doc) => createHousehold(doc, { id, teamId, profile: profile('郑大娘') }, actor(m.memberId)));
    await waitForStatus(M, (s) => s.state === 'synced' && s.pendingHouseholds === 0, 15_000, 'member pushed');
    M.setOnline(false);
    await M.records.commit(M.household(id), (doc) => addVisit(doc, { id: newId(), kind: 'home', visitorIds: [m.memberId], visitedAt: new Date().toISOString(), observations: {}, said: '丢手机前的走访', notes: '', photos: [] }, actor(m.memberId)));
    expect((await api(t.url, 'POST', `/api/devices/${m.deviceId}/revoke`, { token: session.token })).status).toBe(200);
    M.setOnline(true);
    await syncOnce(M);
    expect(M.engine.status).toMatchObject({ state: 'error', reason: 'device_revoked', pendingHouseholds: 1 });
    // It does not keep knocking: the run is over (syncOnce waited for it) and no retry is
    // scheduled (a failure that may be retried schedules one before its run ends; polling is
    // off here). And nothing local was dropped.
    const knocks = M.requests.length;
    expect(M.engine.status.retryAt).toBeUndefined();
    await M.engine.whenIdle();
    expect(M.requests.length).toBe(knocks);
    expect(readHousehold(await M.records.doc(M.household(id))).visits.map((v) => v.said)).toEqual(['丢手机前的走访']);
    expect((await M.records.db.docs.get(M.household(id)))?.unsynced).toBe(1);
  });
});
