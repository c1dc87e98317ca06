import type { HouseholdProfile } from '@/domain/household';
import type { NewVisit } from '@/docs/household-doc';

export const profile = (over: Partial<HouseholdProfile> = {}): HouseholdProfile => ({
  headName: '张三',
  phone: '13800000000',
  address: { area: '东山林场', village: '二道沟', street: '', house: '12号' },
  tags: ['elderly_alone'],
  visitIntervalDays: 30,
  ...over,
});

export const visit = (id: string, over: Partial<NewVisit> = {}): NewVisit => ({
  id,
  kind: 'home',
  visitorIds: ['m1'],
  visitedAt: '2026-05-01T09:00:00.000Z',
  observations: { housing: { level: 'concern', note: '屋顶漏雨' } },
  said: '希望修房顶',
  notes: '',
  photos: [],
  nextVisitOn: '2026-05-15',
  ...over,
});

export const actor = { memberId: 'm1', deviceId: 'dev-test', now: '2026-05-01T09:05:00.000Z' };
