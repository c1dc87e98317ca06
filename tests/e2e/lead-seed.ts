import * as Y from 'yjs';
import { localRecords } from '@/db/instance';
import { saveIdentity, saveSession } from '@/db/identity';
import { addVisit, createHousehold, readHousehold, reviewVisit, setRequestFields, updateProfile } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { linkMembers, readTeam, upsertTeamMember } from '@/docs/team-doc';
import { generateTeam, rng, type TeamSize } from '../bench/generate';

/**
 * Runs inside the page (imported through the Vite dev server): fills this device with a
 * generated team, as if a sync had brought it, and makes the device the team's lead. Adds
 * what the generator leaves out — files registered twice, reviews, escalations — so every
 * lead page has something to show.
 */
export async function seedLeadDevice(size: TeamSize): Promise<{ teamId: string; leadId: string; households: number; ms: number }> {
  const t0 = performance.now();
  const team = generateTeam(size);
  const r = rng(7);
  const records = localRecords();
  const hids = [...team.households.keys()];
  const now = '2026-11-20T08:00:00.000Z';

  // Names as people have them: two or three characters.
  const tidy = (name: string) => (name.length > 3 ? name.slice(0, 3) : name.length < 2 ? `${name}红` : name);
  for (const m of readTeam(team.team).members) upsertTeamMember(team.team, { ...m, name: tidy(m.name) });
  for (const doc of team.households.values()) {
    const h = readHousehold(doc).household;
    if (tidy(h.headName) !== h.headName) updateProfile(doc, { ...h, headName: tidy(h.headName) }, { memberId: team.leadId, deviceId: 'dev-test', now });
  }

  // The same family registered a second time by another member, under a homophone or the same name.
  const homophones: Record<string, string> = { 张: '章', 王: '汪', 李: '理', 刘: '柳', 陈: '沉', 杨: '阳', 黄: '皇', 赵: '照', 吴: '吾', 周: '舟' };
  for (let i = 0; i < Math.max(2, Math.round(hids.length / 150)); i++) {
    const original = readHousehold(team.households.get(hids[Math.floor(r() * hids.length)]!)!).household;
    const id = `dup${String(i).padStart(4, '0')}-${original.id.slice(9)}`;
    const head = original.headName;
    const name = homophones[head[0]!] && i % 2 === 0 ? homophones[head[0]!] + head.slice(1) : head;
    const doc = new Y.Doc();
    const by = team.memberIds[(i * 7) % team.memberIds.length]!;
    createHousehold(doc, { id, teamId: team.teamId, profile: { headName: name, phone: i % 3 === 0 ? '' : original.phone, address: { ...original.address }, gps: original.gps, tags: original.tags.slice(0, 1), visitIntervalDays: 30 } }, { memberId: by, deviceId: 'dev-test', now: '2026-10-02T08:00:00.000Z' });
    addVisit(doc, { id: `${id}-v`, kind: 'home', visitorIds: [by], visitedAt: '2026-10-02T09:00:00.000Z', observations: { housing: { level: 'concern', note: '' } }, said: '以前好像有人来登记过。', notes: '', photos: [] }, { memberId: by, deviceId: 'dev-test', now: '2026-10-02T09:00:00.000Z' });
    linkMembers(team.team, id, [by], { memberId: team.leadId, now });
    team.docs.set(householdDocName(team.teamId, id), doc);
  }
  // Some reviews and escalations, and a few households nobody looks after.
  hids.forEach((hid, i) => {
    const doc = team.households.get(hid)!;
    const file = readHousehold(doc);
    const v = file.visits.at(-1);
    if (v && i % 5 === 0) reviewVisit(doc, v.id, { status: i % 15 === 0 ? 'needs_correction' : 'reviewed', comment: i % 15 === 0 ? '请补充家庭收入情况' : '', by: team.leadId, at: now });
    const open = file.requests.find((q) => q.status === 'open');
    if (open && i % 9 === 0) setRequestFields(doc, open.id, { escalated: true }, { id: `esc-${open.id}`, at: now, by: open.ownerId, kind: 'escalate', text: '需要组长协调' });
  });
  const assignments = team.team.getMap('assignments');
  for (const hid of hids.slice(-Math.max(3, Math.round(hids.length / 100)))) assignments.delete(hid);

  await saveIdentity(records.db, { memberId: team.leadId, memberName: '赵书记', deviceId: 'device-lead', deviceName: '支部电脑', teamId: team.teamId, teamName: '东山林场第一党支部', role: 'lead', createdAt: '2024-12-01T00:00:00.000Z' });
  // A session, so the pages that ask the relay (devices, invites) try; the test answers for it.
  await saveSession(records.db, { token: 'e2e-token', expiresAt: '2099-01-01T00:00:00.000Z' });
  await records.start(team.teamId);
  for (const [name, gen] of team.docs) {
    const doc = await records.docs.get(name);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(gen));
  }
  await records.docs.flushAll();
  await records.projector.settled();
  return { teamId: team.teamId, leadId: team.leadId, households: await records.db.households.count(), ms: Math.round(performance.now() - t0) };
}
