import { describe, expect, it } from 'vitest';
import { addDaysToDate, toLocalDate } from '@/domain/dates';
import type { HouseholdRow } from '@/domain/projection';
import { buildSearchText } from '@/domain/search';
import { useHouseholdsStore } from '@/stores/households';
import { startAlone, useFreshStores } from './helpers';

useFreshStores();

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '秀兰建国桂芝德福淑珍玉梅志强春华金凤海军丽娟明';

function rows(n: number, me: string): HouseholdRow[] {
  const today = toLocalDate(new Date());
  return Array.from({ length: n }, (_, i) => {
    const headName = SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + GIVEN[(i * 3) % GIVEN.length]!;
    const phone = `139${String(10000000 + i * 7919).slice(0, 8)}`;
    const address = `片区${i % 9} 村${i % 31} ${i}号`;
    return {
      id: `h${String(i).padStart(5, '0')}`,
      teamId: 't',
      headName,
      phone,
      area: `片区${i % 9}`,
      address,
      tags: i % 5 === 0 ? ['elderly_alone'] : [],
      // Half linked by the lead, half mine because I registered them (src/domain/assignment.ts): all mine.
      linkedMemberIds: [me],
      createdBy: me,
      createdAt: '2026-01-01T00:00:00.000Z',
      memberCount: 1,
      nextDueOn: addDaysToDate(today, (i % 90) - 30),
      visitCount: 0,
      openRequestCount: 0,
      hasGps: 0,
      archived: 0,
      searchText: buildSearchText({ headName, memberNames: [], phones: [phone], address }),
      docVersion: 'v',
    };
  });
}

// Speed is measured by `npm run bench` (search as you type, real Chromium, 4x CPU); this
// test checks what the store does with 2,000 households, not how fast a loaded CI box is.
describe('my households at 2,000', () => {
  it('sorts overdue first and finds by pinyin initials, phone fragment, name and tag', async () => {
    const identity = await startAlone();
    const households = useHouseholdsStore();
    households.rows = rows(2000, identity.memberId);

    expect(households.mine).toHaveLength(2000);
    const due = households.mine.map((r) => r.nextDueOn);
    expect(due).toEqual([...due].sort());

    // Typing "wxx" (王秀秀, the first row) one key at a time, then a phone fragment, then a tag filter.
    for (const q of ['w', 'wx', 'wxx', '王秀', '1391', '片区3']) {
      households.query = q;
      expect(households.visible.length, q).toBeGreaterThan(0);
    }
    households.query = 'wxx';
    expect(households.visible[0]?.headName).toBe('王秀秀');
    households.query = '';
    households.tag = 'elderly_alone';
    expect(households.visible).toHaveLength(400);
  });
});
