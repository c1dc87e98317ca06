import { describe, expect, it } from 'vitest';
import { DUPLICATE_WARN_SCORE, findDuplicates, prepareProbe, scoreDuplicate, type DuplicateCandidate } from '@/domain/duplicates';

const base: DuplicateCandidate = { id: 'a', headName: '张三', phones: ['13800001234'], address: '东山林场 二道沟 12号', area: '东山林场', lat: 45.0, lng: 127.0 };
const probe = (over: Partial<DuplicateCandidate>) => ({ headName: '', phones: [], address: '', area: '', ...over });
const score = (over: Partial<DuplicateCandidate>, c: DuplicateCandidate = base) => scoreDuplicate(prepareProbe(probe(over)), c);

describe('duplicate household scoring', () => {
  it('warns about the same name', () => {
    const m = score({ headName: ' 张三 ' });
    expect(m.reasons).toEqual(['same_name']);
    expect(m.score).toBeGreaterThanOrEqual(DUPLICATE_WARN_SCORE);
  });

  it('sees a homophone name only as similar, and not enough alone', () => {
    const m = score({ headName: '章三' });
    expect(m.reasons).toEqual(['similar_name']);
    expect(m.score).toBeLessThan(DUPLICATE_WARN_SCORE);
  });

  it('warns about a homophone name near the same place', () => {
    const m = score({ headName: '章三', lat: 45.0002, lng: 127.0002 });
    expect(m.reasons).toEqual(['similar_name', 'nearby']);
    expect(m.score).toBeGreaterThanOrEqual(DUPLICATE_WARN_SCORE);
  });

  it('matches a phone written another way', () => {
    expect(score({ headName: '李四', phones: ['+86 138-0000-1234'] }).reasons).toEqual(['same_phone']);
  });

  it('ignores phone fragments too short to mean anything', () => {
    expect(score({ phones: ['1234'] }, { ...base, phones: ['1234'] }).reasons).toEqual([]);
  });

  it('matches the same address but not the same area alone', () => {
    expect(score({ address: '东山林场 二道沟 12号', area: '东山林场' }).reasons).toEqual(['same_address']);
    expect(score({ address: '东山林场', area: '东山林场' }, { ...base, address: '东山林场' }).reasons).toEqual([]);
  });

  it('treats a neighbour within 50 m as no duplicate by itself', () => {
    const m = score({ headName: '王五', lat: 45.0003, lng: 127.0 }); // ~33 m north
    expect(m.reasons).toEqual(['nearby']);
    expect(m.score).toBeLessThan(DUPLICATE_WARN_SCORE);
  });

  it('does not call a house 100 m away nearby', () => {
    expect(score({ headName: '张三', lat: 45.0009, lng: 127.0 }).reasons).toEqual(['same_name']);
  });

  it('lists the likeliest first, skips the household being edited and stays under the limit', () => {
    const candidates: DuplicateCandidate[] = [
      base,
      { ...base, id: 'b', headName: '张三', phones: [], address: '', lat: undefined, lng: undefined },
      { ...base, id: 'c', headName: '赵六', phones: [], address: '西山矿区 1号', area: '西山矿区', lat: undefined, lng: undefined },
    ];
    const found = findDuplicates(probe({ headName: '张三', phones: ['13800001234'] }), candidates);
    expect(found.map((m) => m.id)).toEqual(['a', 'b']);
    expect(findDuplicates(probe({ headName: '张三' }), candidates, { excludeId: 'a' }).map((m) => m.id)).toEqual(['b']);
    expect(findDuplicates(probe({ headName: '张三' }), candidates, { limit: 1 })).toHaveLength(1);
  });

  it('finds nothing for an empty form', () => {
    expect(findDuplicates(probe({}), [base])).toEqual([]);
  });

  // How fast: `npm run bench -- --only=duplicates`. Here only what it finds at that size.
  it('finds the one close match among 2,000 households', () => {
    const many: DuplicateCandidate[] = Array.from({ length: 2000 }, (_, i) => ({ id: String(i), headName: `王${'一二三四五六七八九十'[i % 10]}${'明华'[i % 2]}`, phones: [`1390000${String(i).padStart(4, '0')}`], address: `片区${i % 7} 村${i % 13} ${i}号`, area: `片区${i % 7}`, lat: 45 + i / 1e4, lng: 127 }));
    const found = findDuplicates(probe({ headName: '汪一明', phones: ['13900000001'], address: '片区1 村1 1号', area: '片区1', lat: 45.0001, lng: 127 }), many);
    expect(found[0]?.id).toBe('1');
  });
});
