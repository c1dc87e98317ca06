import { describe, expect, it } from 'vitest';
import { ownersWithAccess, ownershipKey } from '@/domain/request-access';

const DAY = 86_400_000;
const now = Date.parse('2026-12-07T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('access follows request ownership (the rule)', () => {
  it('an open request gives its owner the household with no end', () => {
    expect(ownersWithAccess([{ requestId: 'r1', ownerId: 'zhang' }], now, 30 * DAY)).toEqual(new Map([['zhang', Infinity]]));
  });

  it('a closed request gives it until closing + the days, then nothing', () => {
    const closed = now - 10 * DAY;
    expect(ownersWithAccess([{ requestId: 'r1', ownerId: 'zhang', closedAt: iso(closed) }], now, 30 * DAY)).toEqual(new Map([['zhang', closed + 30 * DAY]]));
    expect(ownersWithAccess([{ requestId: 'r1', ownerId: 'zhang', closedAt: iso(now - 30 * DAY) }], now, 30 * DAY)).toEqual(new Map());
  });

  it('an owner with an open and a closed request keeps it with no end; deleted and ownerless requests give nothing', () => {
    const got = ownersWithAccess(
      [
        { requestId: 'r1', ownerId: 'zhang', closedAt: iso(now - DAY) },
        { requestId: 'r2', ownerId: 'zhang' },
        { requestId: 'r3', ownerId: 'wang', deletedAt: iso(now - DAY) },
        { requestId: 'r4', ownerId: '' },
      ],
      now,
      30 * DAY,
    );
    expect(got).toEqual(new Map([['zhang', Infinity]]));
  });

  it('a closing time that does not parse counts as open (never cuts off someone still working on it)', () => {
    expect(ownersWithAccess([{ requestId: 'r1', ownerId: 'zhang', closedAt: 'not a time' }], now, DAY).get('zhang')).toBe(Infinity);
  });

  it('the ownership key ignores order and changes with an owner, a closing or a deletion', () => {
    const a = { requestId: 'a', ownerId: 'zhang' };
    const b = { requestId: 'b', ownerId: 'wang' };
    expect(ownershipKey([a, b])).toBe(ownershipKey([b, a]));
    expect(ownershipKey([a, b])).not.toBe(ownershipKey([a, { ...b, ownerId: 'li' }]));
    expect(ownershipKey([a])).not.toBe(ownershipKey([{ ...a, closedAt: iso(now) }]));
    expect(ownershipKey([a])).not.toBe(ownershipKey([{ ...a, deletedAt: iso(now) }]));
  });
});
