import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicatePairs, pairKey, suggestMergeTarget } from '@/domain/duplicate-pairs';
import { DUPLICATE_WARN_SCORE, prepareProbe, scoreDuplicate, type DuplicateCandidate } from '@/domain/duplicates';

const hh = (id: string, over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({ id, headName: '', phones: [], address: '', area: '', ...over });

/** Every pair scored: what blocking must agree with. */
function bruteForce(cs: DuplicateCandidate[]) {
  const out: { a: string; b: string; score: number }[] = [];
  for (let i = 0; i < cs.length; i++) {
    const p = prepareProbe(cs[i]!);
    for (let j = i + 1; j < cs.length; j++) {
      const m = scoreDuplicate(p, cs[j]!);
      if (m.score >= DUPLICATE_WARN_SCORE) {
        const [a, b] = cs[i]!.id < cs[j]!.id ? [cs[i]!.id, cs[j]!.id] : [cs[j]!.id, cs[i]!.id];
        out.push({ a, b, score: m.score });
      }
    }
  }
  return out.sort((x, y) => (pairKey(x.a, x.b) < pairKey(y.a, y.b) ? -1 : 1));
}

describe('duplicate pairs across the team', () => {
  it('finds the same family registered twice under a homophone name next door', () => {
    const pairs = findDuplicatePairs([
      hh('1', { headName: '张三', area: '东山林场', address: '东山林场', lat: 45, lng: 127 }),
      hh('2', { headName: '章三', area: '东山林场', address: '东山林场', lat: 45.0001, lng: 127.0001 }),
      hh('3', { headName: '李四', phones: ['13800001234'] }),
      hh('4', { headName: '李斯', phones: ['+86 138 0000 1234'] }),
      hh('5', { headName: '王五', lat: 45, lng: 127 }),
    ]);
    expect(pairs.map((p) => [p.a, p.b, p.reasons])).toEqual([
      ['3', '4', ['similar_name', 'same_phone']],
      ['1', '2', ['similar_name', 'nearby']],
    ]);
  });

  it('leaves out pairs the lead dismissed', () => {
    const cs = [hh('1', { headName: '张三' }), hh('2', { headName: '张三' })];
    expect(findDuplicatePairs(cs)).toHaveLength(1);
    expect(findDuplicatePairs(cs, { dismissed: new Set([pairKey('2', '1')]) })).toEqual([]);
  });

  it('loses no pair that scoring every pair would find', () => {
    const names = ['张三', '章三', '张 三', '李四', '王芳', '汪芳', 'Li Si', ''];
    const phones = ['13800001234', '+86 13800001234', '13900005678', '1234', ''];
    const addresses = ['东山林场 二道沟 12号', '东山林场', '西沟矿区 新村 3号', ''];
    const household = fc.record({
      headName: fc.constantFrom(...names),
      phone: fc.constantFrom(...phones),
      address: fc.constantFrom(...addresses),
      near: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(household, { maxLength: 14 }), (list) => {
        const cs = list.map((h, i) =>
          hh(String(i).padStart(2, '0'), {
            headName: h.headName,
            phones: h.phone ? [h.phone] : [],
            address: h.address,
            area: h.address.split(' ')[0] ?? '',
            ...(h.near !== undefined ? { lat: 45 + h.near * 0.0002, lng: 127 } : {}),
          }),
        );
        const fast = findDuplicatePairs(cs).map(({ a, b, score }) => ({ a, b, score }));
        expect(fast.sort((x, y) => (pairKey(x.a, x.b) < pairKey(y.a, y.b) ? -1 : 1))).toEqual(bruteForce(cs));
      }),
      { numRuns: 300 },
    );
  });

  // How fast: `npm run bench -- --only=duplicates`. Here that every pair found at that size
  // is one scoring says is a duplicate (the property test above compares with every pair).
  it('pairs 2,000 households, each pair a real match', () => {
    const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
    const given = '秀英桂兰玉珍凤霞建国建华志强国华德明永红春梅海燕丽娟';
    const cs = Array.from({ length: 2000 }, (_, i) =>
      hh(`h${i}`, {
        headName: surnames[i % 20]! + given[(i * 7) % given.length]! + (i % 3 ? given[(i * 11) % given.length]! : ''),
        phones: [`138${String(i * 7919 % 100000000).padStart(8, '0')}`],
        address: `东山林场 ${i % 10}道沟 ${i % 80}号`,
        area: '东山林场',
        lat: 45 + (i % 50) * 0.001,
        lng: 127,
      }),
    );
    const pairs = findDuplicatePairs(cs);
    expect(pairs.length).toBeGreaterThan(0);
    const byId = new Map(cs.map((c) => [c.id, c]));
    for (const { a, b, score } of pairs) expect(scoreDuplicate(prepareProbe(byId.get(a)!), byId.get(b)!).score).toBe(score);
    expect(pairs.every((p) => p.score >= DUPLICATE_WARN_SCORE)).toBe(true);
    expect(new Set(pairs.map((p) => pairKey(p.a, p.b))).size).toBe(pairs.length);
  });

  it('keeps the file with more visits, else the older one', () => {
    expect(suggestMergeTarget({ id: 'b', visitCount: 5, createdAt: '2026-02-01' }, { id: 'a', visitCount: 2, createdAt: '2026-01-01' })).toEqual({ targetId: 'b', sourceId: 'a' });
    expect(suggestMergeTarget({ id: 'b', visitCount: 2, createdAt: '2026-02-01' }, { id: 'a', visitCount: 2, createdAt: '2026-01-01' })).toEqual({ targetId: 'a', sourceId: 'b' });
  });
});
