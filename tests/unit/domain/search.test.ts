import { describe, expect, it } from 'vitest';
import { buildSearchText, matchesSearch, normalizeQuery, pinyinKeys } from '@/domain/search';

const household = { headName: '张三', memberNames: ['李秀英'], phones: ['13800001234'], address: '东山林场 二道沟 12号' };
const text = buildSearchText(household);
const find = (q: string) => matchesSearch(text, normalizeQuery(q));

describe('search that fits Chinese names', () => {
  it('finds by name, full pinyin and pinyin initials', () => {
    expect(find('张三')).toBe(true);
    expect(find('zhangsan')).toBe(true);
    expect(find('zhang san')).toBe(true);
    expect(find('zs')).toBe(true);
    expect(find('ZS')).toBe(true);
  });

  it('finds by a member name, phone fragment and address', () => {
    expect(find('秀英')).toBe(true);
    expect(find('lixiuying')).toBe(true);
    expect(find('1234')).toBe(true);
    expect(find('二道沟')).toBe(true);
    expect(find('erdaogou')).toBe(true);
  });

  it('does not find what is not there', () => {
    expect(find('wangwu')).toBe(false);
    expect(find('ww')).toBe(false);
  });

  it('reads surnames with their surname pronunciation', () => {
    expect(pinyinKeys('单田芳', true).full).toBe('shantianfang');
    expect(pinyinKeys('曾国藩', true).initials).toBe('zgf');
  });
});
