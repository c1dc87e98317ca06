import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/domain/errors';
import { normalizePhone, parseHouseholdProfile, householdPhones } from '@/domain/household';
import { parseVisitInput } from '@/domain/visit';
import { parseRequestInput, parseStatusChange } from '@/domain/request';
import { parseRatingInput } from '@/domain/rating';
import { isId, newId } from '@/domain/ids';

const profile = {
  headName: ' 张三 ',
  phone: '138 0000 0000',
  address: { area: '东山林场', village: '二道沟', street: '', house: '12号' },
  tags: ['elderly_alone', 'elderly_alone', 'hardship'],
  visitIntervalDays: 30,
};

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('household profile', () => {
  it('trims names and removes duplicate tags', () => {
    const p = parseHouseholdProfile(profile);
    expect(p.headName).toBe('张三');
    expect(p.tags).toEqual(['elderly_alone', 'hardship']);
  });

  it('names every bad field with an i18n key', () => {
    const issues = issuesOf(() =>
      parseHouseholdProfile({ ...profile, headName: '  ', phone: 'call me', address: { ...profile.address, area: '' }, visitIntervalDays: 0 }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'headName', messageKey: 'errors.required' },
        { path: 'phone', messageKey: 'errors.invalidPhone' },
        { path: 'address.area', messageKey: 'errors.required' },
        { path: 'visitIntervalDays', messageKey: 'errors.invalidInterval' },
      ]),
    );
  });

  it('refuses a GPS fix outside the globe', () => {
    const issues = issuesOf(() => parseHouseholdProfile({ ...profile, gps: { lat: 95, lng: 120, accuracy: 10, capturedAt: '2026-01-01T00:00:00Z' } }));
    expect(issues[0]).toEqual({ path: 'gps.lat', messageKey: 'errors.invalidGps' });
  });

  it('normalises phones so +86 and spaced numbers match', () => {
    expect(normalizePhone('+86 138-0000-0000')).toBe('13800000000');
    expect(normalizePhone('0086 13800000000')).toBe('13800000000');
    expect(householdPhones({ phone: '13800000000', members: [{ id: 'a', name: '李四', relation: 'spouse', phone: '+86 13800000000' }] })).toEqual(['13800000000']);
  });
});

describe('visit', () => {
  const visit = {
    kind: 'home',
    visitorIds: [newId()],
    visitedAt: '2026-05-01T09:30:00.000Z',
    observations: { housing: { level: 'concern', note: '屋顶漏雨' } },
    said: '希望帮忙修房顶',
    notes: '',
    photos: [],
    nextVisitOn: '2026-06-01',
  };

  it('accepts a well-formed visit', () => {
    expect(parseVisitInput(visit, new Date('2026-05-02T00:00:00Z')).observations.housing?.level).toBe('concern');
  });

  it('refuses a visit dated days in the future, an unknown kind and an impossible date', () => {
    expect(issuesOf(() => parseVisitInput(visit, new Date('2026-04-20T00:00:00Z')))).toEqual([{ path: 'visitedAt', messageKey: 'errors.invalidDateTime' }]);
    expect(issuesOf(() => parseVisitInput({ ...visit, kind: 'email' }))[0]?.path).toBe('kind');
    expect(issuesOf(() => parseVisitInput({ ...visit, nextVisitOn: '2026-02-30' }))[0]).toEqual({ path: 'nextVisitOn', messageKey: 'errors.invalidDate' });
  });

  it('needs at least one visitor and well-formed photo references', () => {
    expect(issuesOf(() => parseVisitInput({ ...visit, visitorIds: [] }))[0]?.path).toBe('visitorIds');
    const bad = { sha256: 'xyz', mime: 'image/jpeg', size: 10 };
    expect(issuesOf(() => parseVisitInput({ ...visit, photos: [bad] }))[0]).toEqual({ path: 'photos.0.sha256', messageKey: 'errors.invalidSha256' });
  });
});

describe('request', () => {
  it('needs a description and a known category', () => {
    const issues = issuesOf(() => parseRequestInput({ category: 'fishing', description: '', ownerId: newId() }));
    expect(issues.map((i) => i.path).sort()).toEqual(['category', 'description']);
  });

  it('closing as explained needs the explanation given to the household', () => {
    expect(issuesOf(() => parseStatusChange('open', { status: 'explained' }))).toEqual([{ path: 'explanation', messageKey: 'errors.explanationRequired' }]);
    expect(parseStatusChange('in_progress', { status: 'explained', explanation: '政策不符，已说明可申请临时救助' }).status).toBe('explained');
  });

  it('a closed request can only be reopened', () => {
    expect(issuesOf(() => parseStatusChange('resolved', { status: 'explained', explanation: 'x' }))[0]?.messageKey).toBe('errors.invalidTransition');
    expect(parseStatusChange('resolved', { status: 'in_progress' }).status).toBe('in_progress');
  });
});

describe('rating and ids', () => {
  it('accepts the three satisfaction levels only', () => {
    const base = { subjectKind: 'visit', subjectId: newId(), memberId: newId(), comment: '' };
    expect(parseRatingInput({ ...base, level: 'basically_satisfied' }).level).toBe('basically_satisfied');
    expect(issuesOf(() => parseRatingInput({ ...base, level: 'great' }))[0]?.path).toBe('level');
  });

  it('makes ids that sort by creation time', async () => {
    const a = newId();
    await new Promise((r) => setTimeout(r, 2));
    const b = newId();
    expect(isId(a) && isId(b)).toBe(true);
    expect(a < b).toBe(true);
  });
});
