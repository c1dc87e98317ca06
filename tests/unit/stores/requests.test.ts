import { describe, expect, it } from 'vitest';
import { localRecords } from '@/db/instance';
import { addRequest, createHousehold, setRequestFields } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { addDaysToDate, toLocalDate } from '@/domain/dates';
import { ValidationError } from '@/domain/errors';
import { newId } from '@/domain/ids';
import { useHouseholdsStore } from '@/stores/households';
import { useIdentityStore } from '@/stores/identity';
import { isMine, useRequestsStore } from '@/stores/requests';
import { eventually, profileInput, startAlone, useFreshStores } from './helpers';
import { ratingsOf } from '../helpers/rows';

useFreshStores();

async function withRequests() {
  await startAlone();
  const hid = await useHouseholdsStore().register(profileInput());
  const requests = useRequestsStore();
  const late = newId();
  const soon = newId();
  await requests.create(hid, { id: late, category: 'medical', description: '联系县医院复查', dueOn: '2099-12-31' });
  await requests.create(hid, { id: soon, category: 'minimum_allowance', description: '低保年审材料', dueOn: toLocalDate(new Date()) });
  return { hid, requests, late, soon };
}

describe('requests store', () => {
  it('lists my open requests by due date', async () => {
    const { requests, late, soon } = await withRequests();
    await eventually(() => expect(requests.myOpen.map((r) => r.id)).toEqual([soon, late]));
  });

  it('refuses a due date before the day the request was raised, on its field', async () => {
    const { hid, requests } = await withRequests();
    const yesterday = addDaysToDate(toLocalDate(new Date()), -1);
    const err = await requests.create(hid, { id: newId(), category: 'other', description: '补办身份证', dueOn: yesterday }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([{ path: 'dueOn', messageKey: 'errors.dueBeforeRaised' }]);
  });

  it('lists closed requests too, most recently closed first, and all of them together', async () => {
    const { hid, requests, late, soon } = await withRequests();
    await requests.changeStatus(hid, soon, 'open', { status: 'explained', text: '材料已交，月底出结果' });
    await requests.changeStatus(hid, late, 'open', { status: 'resolved', text: '已复查' });
    const third = newId();
    await requests.create(hid, { id: third, category: 'housing', description: '修屋顶' });
    await eventually(() => expect(requests.listed.map((r) => r.id)).toEqual([third]));
    requests.setScope('closed');
    await eventually(() => expect(requests.listed.map((r) => r.id)).toEqual([late, soon]));
    requests.setScope('all');
    await eventually(() => expect(requests.listed.map((r) => r.id)).toEqual([third, late, soon]));
    expect(requests.myOpen.map((r) => r.id)).toEqual([third]);
  });

  it('keeps a timeline: action taken, escalation, and closing as explained with the explanation', async () => {
    const { hid, requests, soon } = await withRequests();
    await requests.addNote(hid, soon, '已帮忙复印材料');
    await requests.escalate(hid, soon, '需要组长协调民政办');
    await expect(requests.changeStatus(hid, soon, 'open', { status: 'explained', text: '  ' })).rejects.toBeInstanceOf(ValidationError);
    await requests.changeStatus(hid, soon, 'open', { status: 'explained', text: '材料已交，月底出结果' });
    const row = await localRecords().db.requests.get(soon);
    expect(row).toMatchObject({ status: 'explained', open: 0, escalated: 1, actionCount: 3 });
    const opened = await useHouseholdsStore().openFile(hid);
    const req = opened!.file.value.requests.find((r) => r.id === soon)!;
    expect(req.actions.map((a) => a.kind)).toEqual(['note', 'escalate', 'status']);
    expect(req.explanation).toBe('材料已交，月底出结果');
    opened!.close();
    await eventually(() => expect(requests.myOpen.map((r) => r.id)).not.toContain(soon));
  });

  it('resolves, rates the outcome and can reopen', async () => {
    const { hid, requests, late } = await withRequests();
    await requests.changeStatus(hid, late, 'open', { status: 'resolved', text: '县医院已安排复查' });
    const opened = await useHouseholdsStore().openFile(hid);
    expect(opened!.file.value.requests.find((r) => r.id === late)!.actions.at(-1)).toMatchObject({ kind: 'status', status: 'resolved', text: '县医院已安排复查' });
    opened!.close();
    await requests.rate(hid, late, { level: 'basically_satisfied', comment: '' });
    expect(await ratingsOf(localRecords().db, late).then((r) => r.length)).toBe(1);
    await expect(requests.changeStatus(hid, late, 'resolved', { status: 'explained', text: 'x' })).rejects.toBeInstanceOf(ValidationError);
    await requests.changeStatus(hid, late, 'resolved', { status: 'in_progress' });
    expect((await localRecords().db.requests.get(late))?.open).toBe(1);
  });

  it('mine is what is assigned to me: one I raised and handed on is not, one handed to me from a household not linked to me is', async () => {
    const { hid, requests, late, soon } = await withRequests();
    const me = useIdentityStore().memberId;
    const other = newId();
    const at = new Date().toISOString();
    await localRecords().commit(useHouseholdsStore().docName(hid), (doc) => setRequestFields(doc, late, { ownerId: other }, { id: newId(), at, by: me, kind: 'assign', text: '' }));
    // A colleague's household, never linked to me, with a request the lead handed to me.
    const theirs = newId();
    const handed = newId();
    const colleague = { memberId: other, deviceId: 'dev-colleague', now: at };
    await localRecords().commit(householdDocName(useIdentityStore().teamId, theirs), (doc) => {
      createHousehold(doc, { id: theirs, teamId: useIdentityStore().teamId, profile: profileInput({ headName: '赵大娘' }).profile }, colleague);
      addRequest(doc, { id: handed, category: 'housing', description: '屋顶漏雨', ownerId: me }, colleague);
    });
    await eventually(() => expect(requests.myOpen.map((r) => r.id).sort()).toEqual([soon, handed].sort()));
    expect(isMine({ ownerId: me }, me)).toBe(true);
    expect(isMine({ ownerId: other }, me)).toBe(false);
    expect(isMine({ ownerId: '' }, undefined)).toBe(false);
  });

  it('refuses an empty note', async () => {
    const { hid, requests, late } = await withRequests();
    await expect(requests.addNote(hid, late, ' ')).rejects.toBeInstanceOf(ValidationError);
  });
});
