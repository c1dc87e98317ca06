import { afterEach, describe, expect, it } from 'vitest';
import { localRecords } from '@/db/instance';
import { readHousehold } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { ValidationError } from '@/domain/errors';
import { useLeadDuplicatesStore } from '@/stores/lead-duplicates';
import { useLeadRecordsStore } from '@/stores/lead-records';
import { useLeadRequestsStore } from '@/stores/lead-requests';
import { useLeadReviewStore } from '@/stores/lead-review';
import { LeadActionError, useLeadTeamStore } from '@/stores/lead-team';
import { rememberedRoster } from '@/stores/remembered-roster';
import { useTeamStore } from '@/stores/team';
import { createPinia, setActivePinia } from 'pinia';
import { eventually, useFreshStores } from '../stores/helpers';
import { household, LEAD, LI, startTeam, TEAM, WANG } from './helpers';
import { visitRow, visitRows } from '../helpers/rows';

useFreshStores();
afterEach(() => useLeadRecordsStore().stop());

const row = (id: string) => localRecords().db.households.get(id);

describe('lead team store', () => {
  it('starts with the roster as last read, before the team doc is read at the next start', async () => {
    await startTeam();
    const dbName = localRecords().db.name;
    expect(rememberedRoster(dbName)?.map((m) => m.name)).toEqual(useLeadTeamStore().members.map((m) => m.name));
    // A change to the team doc is remembered at once (not only when a lead page asks for figures).
    await useLeadTeamStore().rename(LI, '李强强');
    await eventually(() => expect(rememberedRoster(dbName)?.find((m) => m.id === LI)?.name).toBe('李强强'));

    // The next start: the team doc not read yet, the lead pages already have the roster.
    setActivePinia(createPinia());
    expect(useTeamStore().snapshot).toBeUndefined();
    const team = useLeadTeamStore();
    expect(team.members.find((m) => m.id === LI)?.name).toBe('李强强');
    expect(team.members).toHaveLength(3);
  });

  it('assigns households in bulk, adds and removes members, and the rows follow', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '李四' });
    const team = useLeadTeamStore();
    await team.assign(['h1', 'h2'], LI);
    expect((await row('h1'))!.linkedMemberIds).toEqual([LI]);
    expect((await row('h2'))!.linkedMemberIds).toEqual([LI]);
    await team.link(['h1'], [WANG]);
    expect((await row('h1'))!.linkedMemberIds).toEqual([LI, WANG].sort());
    await team.unlink(['h1', 'h2'], [LI]);
    expect((await row('h1'))!.linkedMemberIds).toEqual([WANG]);
    expect((await row('h2'))!.linkedMemberIds).toEqual([]);
    await expect(team.assign([], LI)).rejects.toBeInstanceOf(LeadActionError);
    await expect(team.assign(['h1'], 'nobody')).rejects.toMatchObject({ code: 'unknown_member' });
  });

  it('hands every household of a member who leaves to the successor in one write', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '李四' }, { linked: [WANG, LI] });
    const team = useLeadTeamStore();
    await expect(team.leave(WANG, WANG)).rejects.toMatchObject({ code: 'same_member' });
    await team.leave(WANG, LI);
    expect((await row('h1'))!.linkedMemberIds).toEqual([LI]);
    expect((await row('h2'))!.linkedMemberIds).toEqual([LI]);
    await eventually(() => expect(team.activeMembers.map((m) => m.id)).toEqual([LEAD, LI].sort()));
    await expect(team.assign(['h1'], WANG)).rejects.toMatchObject({ code: 'member_left' });
  });

  it('refuses team changes on a member device', async () => {
    await startTeam('member');
    await household('h1');
    await expect(useLeadTeamStore().assign(['h1'], LI)).rejects.toMatchObject({ code: 'not_lead' });
  });

  it('merges a duplicate into another file, lists both files records under it, and undoes it', async () => {
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '章三', phone: '' }, { linked: [LI], visitAt: '2026-03-05T09:00:00.000Z' });
    const team = useLeadTeamStore();
    await expect(team.merge('h1', 'h1')).rejects.toMatchObject({ code: 'same_household' });
    await team.merge('h2', 'h1');
    await localRecords().projector.settled();
    await eventually(async () => expect((await row('h2'))!.mergedInto).toBe('h1'));
    const visits = await visitRows(localRecords().db, 'h1');
    expect(visits.map((v) => [v.id, v.docHouseholdId]).sort()).toEqual([
      ['v-h1', 'h1'],
      ['v-h2', 'h2'],
    ]);
    // the source's members now look after the merged file too
    expect((await row('h1'))!.linkedMemberIds).toEqual([LI, WANG].sort());
    await team.unmerge('h2');
    await localRecords().projector.settled();
    await eventually(async () => expect((await row('h2'))!.mergedInto).toBeUndefined());
    expect((await visitRow(localRecords().db, 'v-h2'))!.householdId).toBe('h2');
  });
});

describe('lead review and requests', () => {
  it('writes a review into the doc that holds the visit, also inside a merged file', async () => {
    await startTeam();
    await household('h1');
    await household('h2', { headName: '章三' });
    await useLeadTeamStore().merge('h2', 'h1');
    await localRecords().projector.settled();
    const records = useLeadRecordsStore();
    await records.start();
    await records.refresh();
    const visit = records.visits.find((v) => v.id === 'v-h2')!;
    expect(visit).toMatchObject({ householdId: 'h1', docHouseholdId: 'h2' });
    const review = useLeadReviewStore();
    await expect(review.review(visit, { status: 'needs_correction', comment: ' ' })).rejects.toBeInstanceOf(ValidationError);
    await review.review(visit, { status: 'needs_correction', comment: '请补上走访照片' });
    const doc = readHousehold(await localRecords().doc(householdDocName(TEAM, 'h2')));
    expect(doc.visits[0]!.review).toMatchObject({ status: 'needs_correction', comment: '请补上走访照片', by: LEAD });
    expect((await visitRow(localRecords().db, 'v-h2'))!.reviewStatus).toBe('needs_correction');
    await eventually(() => expect(records.visits.find((v) => v.id === 'v-h2')?.reviewStatus).toBe('needs_correction'), 4000);
  });

  it('filters the feed by member, area and review state', async () => {
    await startTeam();
    await household('h1');
    await household('h2', { headName: '李四', address: { area: '西沟矿区', village: '', street: '', house: '' } }, { by: LI });
    const records = useLeadRecordsStore();
    await records.start();
    const review = useLeadReviewStore();
    await eventually(() => expect(review.feed.map((v) => v.id).sort()).toEqual(['v-h1', 'v-h2']));
    review.setFilter({ memberId: LI });
    expect(review.feed.map((v) => v.id)).toEqual(['v-h2']);
    review.setFilter({ memberId: '', area: '东山林场' });
    expect(review.feed.map((v) => v.id)).toEqual(['v-h1']);
    review.setFilter({ area: '', review: 'reviewed' });
    expect(review.feed).toEqual([]);
  });

  it('reassigns, sets a due date, comments and takes up an escalation, each on the timeline', async () => {
    await startTeam();
    await household('h1');
    const requests = useLeadRequestsStore();
    const target = { id: 'q-h1', docHouseholdId: 'h1', occurredAt: '2026-03-02T09:00:00.000Z', createdAt: '2026-03-02T09:00:00.000Z' };
    await requests.reassign(target, LI, '');
    // not before the day it was raised
    await expect(requests.setDueDate(target, '2026-03-01')).rejects.toMatchObject({ issues: [{ path: 'dueOn', messageKey: 'errors.dueBeforeRaised' }] });
    await requests.setDueDate(target, '2026-04-30');
    await requests.comment(target, '请本周内联系卫生院');
    await requests.setEscalated(target, true, '需要协调');
    await requests.setEscalated(target, false);
    await expect(requests.comment(target, '  ')).rejects.toBeInstanceOf(ValidationError);
    await expect(requests.setDueDate(target, '2026-02-30')).rejects.toBeInstanceOf(ValidationError);
    const r = await localRecords().db.requests.get('q-h1');
    expect(r).toMatchObject({ ownerId: LI, dueOn: '2026-04-30', hasOwnDueDate: 1, escalated: 0, actionCount: 4 });
    const file = readHousehold(await localRecords().doc(householdDocName(TEAM, 'h1')));
    expect(file.requests[0]!.actions.map((a) => [a.kind, a.by])).toEqual([
      ['assign', LEAD],
      ['due', LEAD],
      ['comment', LEAD],
      ['escalate', LEAD],
    ]);
  });
});

describe('lead duplicates store', () => {
  it('pairs likely duplicates, offers the file with more history as the one to keep, and remembers dismissals', async () => {
    await startTeam();
    await household('h1');
    await household('h2', { headName: '章三', phone: '+86 138 0000 1234' });
    await household('h3', { headName: '王五', phone: '', address: { area: '西沟矿区', village: '', street: '', house: '' } });
    const dups = useLeadDuplicatesStore();
    await dups.loadDismissed();
    await eventually(() => expect(dups.pairs.map((p) => [p.a, p.b, p.reasons])).toEqual([['h1', 'h2', ['similar_name', 'same_phone', 'same_address']]]));
    expect(dups.pairs[0]!.target.id).toBe('h1');
    await dups.dismiss('h2', 'h1');
    expect(dups.pairs).toEqual([]);
    // the team's, in the team doc, not this device's settings
    const { readDismissedPairs } = await import('@/docs/team-doc');
    const { teamDocName } = await import('@/docs/schema');
    expect([...readDismissedPairs(await localRecords().doc(teamDocName('team1')))]).toEqual(['h1|h2']);
    expect(await localRecords().db.settings.get('lead.duplicates.dismissed')).toBeUndefined();
    await dups.restoreDismissed();
    await eventually(() => expect(dups.pairs).toHaveLength(1));
  });

  it('moves the list an earlier release kept on this device into the team doc', async () => {
    await startTeam();
    await household('h1');
    await household('h2', { headName: '章三', phone: '+86 138 0000 1234' });
    await localRecords().db.settings.put({ key: 'lead.duplicates.dismissed', value: ['h1|h2', '__proto__|x'] });
    const dups = useLeadDuplicatesStore();
    await dups.loadDismissed();
    expect([...dups.dismissed]).toEqual(['h1|h2']);
    expect(await localRecords().db.settings.get('lead.duplicates.dismissed')).toBeUndefined();
    await eventually(() => expect(dups.pairs).toEqual([]));
  });
});

describe('export source', () => {
  it('is read by the worker straight from the app database', async () => {
    const { readExportSource } = await import('@/workers/export-source');
    await startTeam();
    await household('h1');
    await household('h2', { headName: '李四' });
    const source = await readExportSource(localRecords().db.name, ['visits']);
    expect(source.households.map((h) => h.id).sort()).toEqual(['h1', 'h2']);
    expect(source.visits.map((v) => v.id).sort()).toEqual(['v-h1', 'v-h2']);
    expect(source.requests).toEqual([]);
    // full texts from the household docs' stored updates, not the rows' summaries
    expect(source.texts.visits.get('v-h2')).toEqual({ said: 'h2 说家里都好', notes: '' });
    expect(source.texts.requests.get('q-h1')?.description).toBe('h1 想去县医院复查');
    await expect(readExportSource('no-such-db', ['visits'])).rejects.toBeTruthy();
  });
});

describe('assignments made offline on two lead devices', () => {
  it('both survive when the devices meet', async () => {
    const Y = await import('yjs');
    const { teamDocName } = await import('@/docs/schema');
    const { linkMembers } = await import('@/docs/team-doc');
    await startTeam();
    await household('h1', {}, { linked: [WANG] });
    await household('h2', { headName: '李四' }, { linked: [WANG] });
    const records = localRecords();
    const live = await records.doc(teamDocName('team1'));
    // The other lead's device: a copy of the team doc as it was, then its own changes offline.
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(live));
    const before = Y.encodeStateVector(other);
    // This device hands h1 to 李强; the other adds 李强 to h2 and hands h1 to 赵书记 as well.
    await useLeadTeamStore().assign(['h1'], LI);
    linkMembers(other, 'h2', [LI], { memberId: 'lead2', now: '2026-11-20T08:00:00.000Z' });
    linkMembers(other, 'h1', [LEAD], { memberId: 'lead2', now: '2026-11-20T08:00:00.000Z' });
    Y.applyUpdate(live, Y.encodeStateAsUpdate(other, before));
    await eventually(async () => expect((await row('h2'))!.linkedMemberIds).toEqual([LI, WANG].sort()));
    // 王芳 was unlinked from h1 here; the other device's link of 赵书记 to h1 is kept too.
    await eventually(async () => expect((await row('h1'))!.linkedMemberIds).toEqual([LEAD, LI].sort()));
  });
});
