import fc from 'fast-check';
import { pinyin } from 'pinyin-pro';
import { describe, expect, it } from 'vitest';
import { toPinyin } from '@/domain/pinyin';

describe('pinyin table', () => {
  it('agrees with pinyin-pro on single characters (the table is generated from it)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x4e00, max: 0x9fa5 }), (cp) => {
        const ch = String.fromCodePoint(cp);
        const expected = pinyin(ch, { toneType: 'none', type: 'array', v: true })[0];
        if (!expected || !/^[a-z]+$/.test(expected)) return;
        expect(toPinyin(ch, false)).toEqual([expected]);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads common names and keeps latin and digits as runs', () => {
    expect(toPinyin('王秀英', true)).toEqual(['wang', 'xiu', 'ying']);
    expect(toPinyin('单田芳', true)).toEqual(['shan', 'tian', 'fang']);
    expect(toPinyin('单位', false)).toEqual(['dan', 'wei']);
    expect(toPinyin('3号楼 B座', false)).toEqual(['3', 'hao', 'lou', 'b', 'zuo']);
  });
});
