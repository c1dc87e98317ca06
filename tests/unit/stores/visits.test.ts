import { describe, expect, it } from 'vitest';
import { localRecords } from '@/db/instance';
import { ValidationError } from '@/domain/errors';
import { newId } from '@/domain/ids';
import { useHouseholdsStore } from '@/stores/households';
import { useVisitsStore, type VisitSubmission } from '@/stores/visits';
import { emptyVisitForm, visitSubmission } from '@/composables/visit-form';
import { profileInput, startAlone, useFreshStores } from './helpers';
import { ratingsOf, visitCount, visitRow } from '../helpers/rows';

useFreshStores();

const photo = { sha256: 'a'.repeat(64), mime: 'image/jpeg', size: 1234, width: 800, height: 600 };

describe('visits store', () => {
  it('logs a visit, the needs raised and the rating in one write', async () => {
    const identity = await startAlone();
    const hid = await useHouseholdsStore().register(profileInput());
    const form = emptyVisitForm(new Date(), 30);
    form.observations.housing = { level: 'concern', note: '屋顶漏雨' };
    form.said = '希望冬天前修好房顶';
    form.photos = [photo];
    form.needs = [{ id: newId(), category: 'housing', description: '修房顶', dueOn: '' }];
    form.satisfaction = 'satisfied';
    await useVisitsStore().logVisit(hid, visitSubmission(form));

    const db = localRecords().db;
    const visit = await visitRow(db, form.id);
    expect(visit).toMatchObject({ householdId: hid, kind: 'home', concerns: ['housing'], photoCount: 1, visitorIds: [identity.memberId], nextVisitOn: form.nextVisitOn });
    const requests = await db.requests.where('householdId').equals(hid).toArray();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ visitId: form.id, category: 'housing', ownerId: identity.memberId, open: 1 });
    expect(await ratingsOf(db, form.id)).toMatchObject([{ level: 'satisfied', memberId: identity.memberId }]);
    expect((await db.households.get(hid))?.openRequestCount).toBe(1);
  });

  it('a visit logged weeks after it happened: its need and rating are dated by the visit, the save time kept apart', async () => {
    await startAlone();
    const hid = await useHouseholdsStore().register(profileInput());
    const visitedAt = new Date(Date.now() - 49 * 86400_000);
    const form = emptyVisitForm(visitedAt, 30);
    form.needs = [{ id: newId(), category: 'housing', description: '修房顶', dueOn: '' }];
    form.satisfaction = 'basically_satisfied';
    const before = new Date().toISOString();
    await useVisitsStore().logVisit(hid, visitSubmission(form));

    const db = localRecords().db;
    const at = (await visitRow(db, form.id))!.visitedAt;
    const [request] = await db.requests.where('householdId').equals(hid).toArray();
    expect(request!.occurredAt).toBe(at);
    expect(request!.createdAt >= before).toBe(true);
    const [rating] = await ratingsOf(db, form.id);
    expect(rating!.occurredAt).toBe(at);
    expect(rating!.recordedAt >= before).toBe(true);
  });

  it('writes nothing when one need is blank, and says which', async () => {
    await startAlone();
    const hid = await useHouseholdsStore().register(profileInput());
    const s: VisitSubmission = {
      id: newId(),
      visit: { kind: 'home', visitedAt: new Date().toISOString(), observations: {}, said: '', notes: '', photos: [] },
      needs: [
        { id: newId(), category: 'medical', description: '看病' },
        { id: newId(), category: 'other', description: '   ' },
      ],
    };
    const err = await useVisitsStore().logVisit(hid, s).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([{ path: 'needs.1.description', messageKey: 'errors.required' }]);
    expect(await visitCount(localRecords().db)).toBe(0);
    expect(await localRecords().db.requests.count()).toBe(0);
  });

  it('refuses a need due before the day of the visit it was raised in (a back-dated visit counts from its own day)', async () => {
    await startAlone();
    const hid = await useHouseholdsStore().register(profileInput());
    const visit = { kind: 'home', visitedAt: '2026-03-10T12:00:00.000Z', observations: {}, said: '', notes: '', photos: [] };
    const s: VisitSubmission = { id: newId(), visit, needs: [{ id: newId(), category: 'medical', description: '看病', dueOn: '2026-03-09' }] };
    const err = await useVisitsStore().logVisit(hid, s).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([{ path: 'needs.0.dueOn', messageKey: 'errors.dueBeforeRaised' }]);
    // the visit's own day is fine, though it is long past
    await useVisitsStore().logVisit(hid, { ...s, needs: [{ ...s.needs[0]!, dueOn: '2026-03-10' }] });
    expect(await localRecords().db.requests.count()).toBe(1);
  });

  it('refuses a visit dated days ahead', async () => {
    await startAlone();
    const hid = await useHouseholdsStore().register(profileInput());
    const form = emptyVisitForm(new Date(Date.now() + 5 * 86400_000), 30);
    const err = await useVisitsStore().logVisit(hid, visitSubmission(form)).catch((e: unknown) => e);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual(['visitedAt']);
  });
});
