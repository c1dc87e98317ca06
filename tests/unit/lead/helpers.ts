import { clearLock, saveLock } from '@/trust/lock-record';
import { localRecords } from '@/db/instance';
import { saveIdentity } from '@/db/identity';
import { addRequest, addVisit, createHousehold } from '@/docs/household-doc';
import { householdDocName, teamDocName } from '@/docs/schema';
import { initTeam, linkMembers, upsertTeamMember } from '@/docs/team-doc';
import type { HouseholdProfile } from '@/domain/household';
import type { Role } from '@/domain/team';
import { useHouseholdsStore } from '@/stores/households';
import { useIdentityStore } from '@/stores/identity';
import { useTeamStore } from '@/stores/team';

export const TEAM = 'team1';
export const LEAD = 'lead1';
export const WANG = 'm-wang';
export const LI = 'm-li';

/** A device of the team's lead (or of a member), with a roster of 赵书记, 王芳 and 李强. */
export async function startTeam(role: Role = 'lead') {
  const records = localRecords();
  const me = role === 'lead' ? LEAD : WANG;
  await saveIdentity(records.db, { memberId: me, memberName: role === 'lead' ? '赵书记' : '王芳', deviceId: 'd1', deviceName: '测试手机', teamId: TEAM, teamName: '东山林场支部', role, createdAt: '2026-01-01T00:00:00Z' });
  await records.commit(teamDocName(TEAM), (doc) => {
    initTeam(doc, { teamId: TEAM, name: '东山林场支部' });
    upsertTeamMember(doc, { id: LEAD, name: '赵书记', role: 'lead', joinedAt: '2026-01-01T00:00:00Z' });
    upsertTeamMember(doc, { id: WANG, name: '王芳', role: 'member', joinedAt: '2026-01-01T00:00:00Z' });
    upsertTeamMember(doc, { id: LI, name: '李强', role: 'member', joinedAt: '2026-01-01T00:00:00Z' });
  });
  // A lead's device has its PIN (ADR 0029: the lead workspace asks for one first). The
  // verifier is never checked here: these tests do not unlock.
  if (role === 'lead') saveLock({ pin: { v: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', iterations: 1, verifier: 'AAAA' }, idleMinutes: 5 });
  else clearLock();
  const identity = useIdentityStore();
  await identity.load();
  await useTeamStore().open(TEAM);
  useHouseholdsStore().watchRows();
  return identity;
}

const profile = (over: Partial<HouseholdProfile> = {}): HouseholdProfile => ({
  headName: '张三',
  phone: '13800001234',
  address: { area: '东山林场', village: '二道沟', street: '', house: '12号' },
  tags: ['elderly_alone'],
  visitIntervalDays: 30,
  ...over,
});

/** A household registered by `by`, linked to `linked`, with a visit and an open request. */
export async function household(id: string, over: Partial<HouseholdProfile> = {}, opts: { by?: string; linked?: string[]; visitAt?: string } = {}) {
  const by = opts.by ?? WANG;
  const records = localRecords();
  const now = '2026-03-01T09:00:00.000Z';
  await records.commit(householdDocName(TEAM, id), (doc) => {
    createHousehold(doc, { id, teamId: TEAM, profile: profile(over) }, { memberId: by, deviceId: 'dev-test', now });
    addVisit(doc, { id: `v-${id}`, kind: 'home', visitorIds: [by], visitedAt: opts.visitAt ?? '2026-03-02T09:00:00.000Z', observations: {}, said: `${id} 说家里都好`, notes: '', photos: [] }, { memberId: by, deviceId: 'dev-test', now });
    addRequest(doc, { id: `q-${id}`, category: 'medical', description: `${id} 想去县医院复查`, ownerId: by }, { memberId: by, deviceId: 'dev-test', now });
  });
  if (opts.linked?.length) await records.commit(teamDocName(TEAM), (doc) => linkMembers(doc, id, opts.linked!, { memberId: LEAD, now }));
}
