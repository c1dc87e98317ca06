import { findDuplicatePairs } from '../../src/domain/duplicate-pairs';
import { findDuplicates, type DuplicateCandidate } from '../../src/domain/duplicates';
import { summarize, type Bench } from './harness';

/**
 * Duplicate scoring at a team's size, in Node (the domain code is the same on a phone, only
 * slower): the register form scores a probe against every household while a member types
 * (budget 200 ms), and the lead's duplicates page pairs the whole team (budget 1 s). These
 * were wall-clock assertions in unit tests; speed lives here.
 */
export const duplicates: Bench = async (ctx) => {
  const n = ctx.smoke ? 200 : 2000;
  const surnames = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
  const given = '秀英桂兰玉珍凤霞建国建华志强国华德明永红春梅海燕丽娟';
  const team: DuplicateCandidate[] = Array.from({ length: n }, (_, i) => ({
    id: `h${i}`,
    headName: surnames[i % 20]! + given[(i * 7) % given.length]! + (i % 3 ? given[(i * 11) % given.length]! : ''),
    phones: [`138${String((i * 7919) % 100000000).padStart(8, '0')}`],
    address: `东山林场 ${i % 10}道沟 ${i % 80}号`,
    area: '东山林场',
    lat: 45 + (i % 50) * 0.001,
    lng: 127,
  }));
  const probe = { headName: '王秀英', phones: ['13800007919'], address: '东山林场 1道沟 1号', area: '东山林场', lat: 45.001, lng: 127 };
  findDuplicates(probe, team); // warm up the pinyin tables
  const typing: number[] = [];
  const pairing: number[] = [];
  for (let r = 0; r < ctx.runs; r++) {
    let t0 = performance.now();
    findDuplicates(probe, team);
    typing.push(performance.now() - t0);
    t0 = performance.now();
    findDuplicatePairs(team);
    pairing.push(performance.now() - t0);
  }
  return [
    summarize(`duplicate warning while typing, ${n} households`, 'ms', typing, 200),
    summarize(`duplicate pairs of the whole team, ${n} households`, 'ms', pairing, 1000),
  ];
};
