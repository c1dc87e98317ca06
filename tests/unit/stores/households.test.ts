import { IDBObjectStore } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { localRecords } from '@/db/instance';
import { StorageWriteError } from '@/db/doc-persistence';
import { teamDocName } from '@/docs/schema';
import { linkMembers, upsertTeamMember } from '@/docs/team-doc';
import { ValidationError } from '@/domain/errors';
import { useHouseholdsStore } from '@/stores/households';
import { eventually, profileInput, startAlone, useFreshStores } from './helpers';

useFreshStores();

describe('households store', () => {
  it('refuses a family member whose relation was not chosen, on that field (there is no default)', async () => {
    await startAlone();
    const { emptyHouseholdForm, emptyMember, householdInputFromForm } = await import('@/composables/household-form');
    const form = { ...emptyHouseholdForm(30), headName: '张三', area: '东山林场', members: [{ ...emptyMember(), name: '李秀英' }] };
    const err = await useHouseholdsStore().register(householdInputFromForm(form)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([{ path: 'members.0.relation', messageKey: 'errors.required' }]);
    await useHouseholdsStore().register(householdInputFromForm({ ...form, members: [{ ...form.members[0]!, relation: 'spouse' }] }));
  });

  it('lists a registered household as mine, with search by pinyin initials, phone and address', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const id = await households.register(profileInput());
    await eventually(() => expect(households.mine.map((r) => r.id)).toEqual([id]));
    for (const q of ['zs', 'zhangsan', '1234', '二道沟']) {
      households.query = q;
      expect(households.visible.map((r) => r.id), q).toEqual([id]);
    }
    households.query = 'ww';
    expect(households.visible).toEqual([]);
  });

  it('stops listing a household I registered once the lead hands it to someone else', async () => {
    const identity = await startAlone();
    const households = useHouseholdsStore();
    const id = await households.register(profileInput());
    await eventually(() => expect(households.mine.map((r) => r.id)).toEqual([id]));
    // The lead's assignment arrives with the team doc (here written straight into this device's copy).
    await localRecords().commit(teamDocName(identity.teamId), (doc) => linkMembers(doc, id, ['m-other'], { memberId: 'lead', now: new Date().toISOString() }));
    await eventually(() => expect(households.mine).toEqual([]));
    expect((await localRecords().db.households.get(id))!.linkedMemberIds).toEqual(['m-other']);
  });

  it('lists a household a lead registered on the lead\'s own list, nobody\'s in the figures, until it is assigned', async () => {
    const identity = await startAlone();
    const now = new Date().toISOString();
    await localRecords().commit(teamDocName(identity.teamId), (doc) => upsertTeamMember(doc, { id: identity.memberId, name: '王建国', role: 'lead', joinedAt: now }));
    const households = useHouseholdsStore();
    const id = await households.register(profileInput());
    await eventually(() => expect(households.mine.map((r) => r.id)).toEqual([id]));
    expect((await localRecords().db.households.get(id))!.linkedMemberIds).toEqual([]);
    await localRecords().commit(teamDocName(identity.teamId), (doc) => linkMembers(doc, id, ['m-other'], { memberId: identity.memberId, now }));
    await eventually(() => expect(households.mine).toEqual([]));
  });

  it('puts overdue households first and filters by area and tag', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const a = await households.register(profileInput({ headName: '甲', address: { area: '西山矿区', village: '', street: '', house: '' }, tags: [] }));
    const b = await households.register(profileInput({ headName: '乙' }));
    // b has been visited and is due in 30 days; a was never visited, so it is due now.
    const { useVisitsStore } = await import('@/stores/visits');
    await useVisitsStore().logVisit(b, { id: '0190a000-0000-7000-8000-000000000001', visit: { kind: 'home', visitedAt: new Date().toISOString(), observations: {}, said: '', notes: '', photos: [] }, needs: [] });
    await eventually(() => expect(households.mine.map((r) => r.headName)).toEqual(['甲', '乙']));
    households.area = '西山矿区';
    expect(households.visible.map((r) => r.id)).toEqual([a]);
    households.area = '';
    households.tag = 'elderly_alone';
    expect(households.visible.map((r) => r.id)).toEqual([b]);
    expect(households.areas).toEqual(['东山林场', '西山矿区'].sort(new Intl.Collator('zh-CN').compare));
  });

  it('orders households due the same day by name, in collation order, also for a name added later', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const collator = new Intl.Collator('zh-CN');
    for (const name of ['王五', '李四']) await households.register(profileInput({ headName: name }));
    await eventually(() => expect(households.mine.map((r) => r.headName)).toEqual(['王五', '李四'].sort(collator.compare)));
    // New names (one before, one between the others) take their places.
    for (const name of ['张三', '阿宝']) await households.register(profileInput({ headName: name }));
    await eventually(() => expect(households.mine.map((r) => r.headName)).toEqual(['王五', '李四', '张三', '阿宝'].sort(collator.compare)));
  });

  it('reports every invalid field with its path and writes nothing', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const input = profileInput({ headName: ' ', address: { area: '', village: '', street: '', house: '' } });
    input.members = [{ id: 'm1', name: '', relation: 'spouse' }];
    const err = await households.register(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path).sort()).toEqual(['address.area', 'headName', 'members.0.name']);
    expect(await localRecords().db.households.count()).toBe(0);
  });

  it('removes a member on edit and keeps the rest of the file', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const input = profileInput();
    input.members = [
      { id: 'm1', name: '李秀英', relation: 'spouse' },
      { id: 'm2', name: '张小明', relation: 'child', birthYear: 2010 },
    ];
    const id = await households.register(input);
    await households.update(id, { ...profileInput({ phone: '13900000000' }), members: [input.members[1]], notes: '冬天要送煤' });
    const opened = await households.openFile(id);
    const h = opened!.file.value.household;
    expect(h.members.map((m) => m.name)).toEqual(['张小明']);
    expect(h.phone).toBe('13900000000');
    expect(h.notes).toBe('冬天要送煤');
    opened!.close();
  });

  it('warns about a household with the same phone', async () => {
    await startAlone();
    const households = useHouseholdsStore();
    const id = await households.register(profileInput());
    await eventually(() => expect(households.rows).toHaveLength(1));
    const found = households.duplicatesOf({ headName: '李四', phones: ['138-0000-1234'], address: '', area: '' });
    expect(found.map((f) => [f.row.id, f.match.reasons])).toEqual([[id, ['same_phone']]]);
    expect(households.duplicatesOf({ headName: '李四', phones: ['138-0000-1234'], address: '', area: '' }, id)).toEqual([]);
  });

  it('opens no doc for a household this device does not hold', async () => {
    await startAlone();
    expect(await useHouseholdsStore().openFile('0190a000-0000-7000-8000-00000000dead')).toBeUndefined();
    expect((await localRecords().docs.storedNames()).filter((n) => n.includes('dead'))).toEqual([]);
  });

  it('passes a failed disk write on as StorageWriteError, with nothing saved', async () => {
    await startAlone();
    const db = localRecords().db;
    const updatesBefore = await db.updates.count();
    // The disk fills up in the middle of the save's transaction: the update is added, then
    // writing the household's row fails. Nothing of the save may stay behind.
    const put = IDBObjectStore.prototype.put;
    const full = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'households') throw new DOMException('the disk is full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const failed = await useHouseholdsStore().register(profileInput()).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StorageWriteError);
    expect((failed as StorageWriteError).reason).toBe('quota');
    expect(full).toHaveBeenCalled();
    expect(await db.households.count()).toBe(0);
    expect(await db.updates.count()).toBe(updatesBefore);
    // Once the disk has room again the same save goes through.
    full.mockRestore();
    await useHouseholdsStore().register(profileInput());
    expect(await db.households.count()).toBe(1);
  });
});
