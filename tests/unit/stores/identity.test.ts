import { describe, expect, it, vi } from 'vitest';
import { localRecords, resetLocalRecords } from '@/db/instance';
import { isLocalTeam, loadIdentity, loadSession, saveIdentity } from '@/db/identity';
import { householdDocName } from '@/docs/schema';
import { ValidationError } from '@/domain/errors';
import { useHouseholdsStore } from '@/stores/households';
import { useIdentityStore } from '@/stores/identity';
import { useVisitsStore } from '@/stores/visits';
import { JoinError, parseInviteCode } from '@/sync/join';
import { createPinia, setActivePinia } from 'pinia';
import { eventually, profileInput, startAlone, useFreshStores } from './helpers';

useFreshStores();

const TEAM = 'team-forest-1';
function relayAnswers(status: number, body: unknown) {
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}
const redeemed = (memberId: string) => ({ token: 'jwt', teamId: TEAM, teamName: '东山林场支部', memberId, role: 'member', deviceId: 'dev-1', expiresAt: '2027-01-01T00:00:00.000Z' });

describe('identity: first run', () => {
  it('starts alone under a local team id and keeps the names', async () => {
    const identity = await startAlone('王建国');
    expect(identity.isLocal).toBe(true);
    const stored = await loadIdentity(localRecords().db);
    expect(stored).toMatchObject({ memberName: '王建国', deviceName: '测试手机' });
    expect(isLocalTeam(stored!.teamId)).toBe(true);
  });

  it('refuses blank names field by field', async () => {
    const identity = useIdentityStore();
    await identity.load();
    const err = await identity.startAlone({ memberName: ' ', deviceName: '' }).catch((e: unknown) => e);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['memberName', 'deviceName']);
    expect(identity.identity).toBeUndefined();
  });

  it('joins with an invite code on a new device', async () => {
    const identity = useIdentityStore();
    await identity.load();
    const fetchMock = relayAnswers(200, redeemed('m-team'));
    await identity.join({ memberName: '李梅', deviceName: '手机', code: ' AB12 CD34 ' });
    // The device's public signing key goes with the code (ADR 0023); its private half never leaves.
    const body = JSON.parse(fetchMock.mock.calls[0]![1]!.body as string) as Record<string, unknown>;
    expect(body).toEqual({ code: 'AB12CD34', memberName: '李梅', deviceName: '手机', publicKey: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) } });
    expect(identity.identity).toMatchObject({ teamId: TEAM, memberId: 'm-team', teamName: '东山林场支部' });
    expect(await loadSession(localRecords().db)).toEqual({ token: 'jwt', expiresAt: '2027-01-01T00:00:00.000Z' });
  });

  it('keeps everything entered alone when joining later', async () => {
    const identity = await startAlone();
    const localTeam = identity.teamId;
    const me = identity.memberId;
    const households = useHouseholdsStore();
    const id = await households.register(profileInput());
    await useVisitsStore().logVisit(id, { id: '0190a000-0000-7000-8000-000000000001', visit: { kind: 'home', visitedAt: new Date().toISOString(), observations: {}, said: '屋顶漏雨', notes: '', photos: [] }, needs: [] });

    const fetchMock = relayAnswers(200, redeemed(me));
    await identity.join({ memberName: '王建国', deviceName: '测试手机', code: 'XYZ' });
    expect(JSON.parse(fetchMock.mock.calls[0]![1]!.body as string).memberId).toBe(me);

    expect(identity.teamId).toBe(TEAM);
    const names = await localRecords().docs.storedNames();
    expect(names).toContain(householdDocName(TEAM, id));
    expect(names.filter((n) => n.startsWith(localTeam))).toEqual([]);
    await eventually(() => expect(households.byId.get(id)?.teamId).toBe(TEAM));
    const opened = await households.openFile(id);
    expect(opened!.file.value.household.teamId).toBe(TEAM);
    expect(opened!.file.value.visits.map((v) => v.said)).toEqual(['屋顶漏雨']);
    expect(households.mine.map((r) => r.id)).toEqual([id]);
    opened!.close();
  });

  it('finishes moving the docs at start-up when a join was interrupted', async () => {
    const identity = await startAlone();
    const localTeam = identity.teamId;
    const id = await useHouseholdsStore().register(profileInput());
    // The crash: identity already says the team, the docs are still under the local id.
    await saveIdentity(localRecords().db, { ...identity.identity!, teamId: TEAM, rekeyFrom: localTeam });
    await resetLocalRecords();
    setActivePinia(createPinia());
    const again = useIdentityStore();
    await again.load();
    expect(again.identity?.rekeyFrom).toBeUndefined();
    const names = await localRecords().docs.storedNames();
    expect(names.filter((n) => n.includes('/household/'))).toEqual([householdDocName(TEAM, id)]);
    expect(names.filter((n) => n.startsWith(localTeam))).toEqual([]);
    expect((await localRecords().db.households.get(id))?.teamId).toBe(TEAM);
  });

  it('says why a join failed and changes nothing', async () => {
    const identity = await startAlone();
    const before = identity.teamId;
    relayAnswers(404, { error: { code: 'invite_not_found', message: 'no such invite' } });
    const rejected = await identity.join({ memberName: '王建国', deviceName: '手机', code: 'BAD' }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(JoinError);
    expect((rejected as JoinError).messageKey).toBe('errors.inviteRejected');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const offline = await identity.join({ memberName: '王建国', deviceName: '手机', code: 'ANY' }).catch((e: unknown) => e);
    expect((offline as JoinError).code).toBe('network');
    expect(identity.teamId).toBe(before);
    expect(await loadSession(localRecords().db)).toBeUndefined();
  });

  it('reads an invite code from a scanned link', () => {
    expect(parseInviteCode('https://lianhu.example/join?code=AB12')).toBe('AB12');
    expect(parseInviteCode(' ab 12 ')).toBe('ab12');
  });
});
