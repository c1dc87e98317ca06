import * as Y from 'yjs';
import { addComplaint, addRating, addRequest, addRequestAction, addVisit, createHousehold, setRequestStatus, upsertMember } from '../../src/docs/household-doc';
import { householdDocName, teamDocName } from '../../src/docs/schema';
import { initTeam, linkMembers, upsertTeamMember } from '../../src/docs/team-doc';
import { VULNERABILITY_TAGS } from '../../src/domain/household';
import { OBSERVATION_ASPECTS, type ObservationLevel, type VisitKind } from '../../src/domain/visit';
import { REQUEST_CATEGORIES } from '../../src/domain/request';

/**
 * A deterministic team for benchmarks and large tests: members, households with realistic
 * Chinese names and addresses, years of visits, requests and ratings. Same seed, same
 * bytes. Default size is the bench's: 20 members, 2,000 households, 20,000 visits,
 * 4,000 requests.
 */

export interface TeamSize {
  members: number;
  households: number;
  visits: number;
  requests: number;
}

export const FULL: TeamSize = { members: 20, households: 2000, visits: 20000, requests: 4000 };
export const SMOKE: TeamSize = { members: 4, households: 60, visits: 300, requests: 60 };

export interface GeneratedTeam {
  teamId: string;
  leadId: string;
  memberIds: string[];
  team: Y.Doc;
  households: Map<string, Y.Doc>;
  /** doc name → doc, team doc included */
  docs: Map<string, Y.Doc>;
  /** size of the records as plain JSON (what the bytes-down budget is measured against) */
  jsonBytes: number;
}

/** mulberry32: small, fast, good enough for fixtures. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '秀英桂兰玉珍凤霞建国建华志强国华德明永红春梅海燕丽娟文军淑芬金花宝山长林福贵保平俊杰晓东小明丽华红霞振华秀兰玉兰凤英晓燕志刚明亮家乐思远浩然子涵雨轩欣怡佳怡梓萱';
const AREAS = ['东山林场', '西沟矿区', '北岭林场', '南坪矿区', '红旗林场', '青松岭'];
const VILLAGES = ['一道沟', '二道沟', '三岔口', '老营房', '新村', '河西', '河东', '场部', '北坡', '南坪'];
const STREETS = ['林业街', '矿工路', '建设路', '团结巷', '胜利街', ''];
const SAID = ['家里一切都好，谢谢关心。', '老伴腿脚不方便，想问问能不能办残疾证。', '孩子在外地打工，过年才回来。', '冬天取暖煤不够，希望帮忙联系。', '屋顶有点漏雨，雨季前想修一修。', '低保的事情什么时候有结果？', '血压药快吃完了，去镇上不方便。', '孙子上学路远，想问问校车的事。'];
const NOTES = ['', '', '屋内整洁，老人精神状态良好。', '院墙有裂缝，需关注。', '家中有慢性病人，已提醒按时服药。'];

export function generateTeam(size: TeamSize = FULL, seed = 20261122): GeneratedTeam {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  // UUIDv7-shaped ids from the seed, ordered by an increasing fake timestamp.
  let clock = 1_735_689_600_000;
  const id = () => {
    clock += 1 + Math.floor(r() * 1000);
    const ts = clock.toString(16).padStart(12, '0');
    return `${ts.slice(0, 8)}-${ts.slice(8)}-7${hex(3)}-${(8 + Math.floor(r() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
  };
  const givenPairs = GIVEN.match(/../gu) ?? [];
  // A surname and a two-character given name (most names), or a one-character one.
  const name = () => pick(SURNAMES.split('')) + (r() < 0.7 ? pick(givenPairs) : pick(GIVEN.split('')));
  const phone = () => `1${pick(['3', '5', '8'])}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;
  const dateIn = (fromMs: number, toMs: number) => new Date(fromMs + r() * (toMs - fromMs)).toISOString();
  const START = Date.parse('2025-01-01T00:00:00Z');
  const END = Date.parse('2026-11-15T00:00:00Z');

  const teamId = `team${hex(8)}`;
  const leadId = id();
  const memberIds = Array.from({ length: size.members }, () => id());
  const docs = new Map<string, Y.Doc>();
  const team = new Y.Doc();
  initTeam(team, { teamId, name: '东山林场第一党支部' });
  upsertTeamMember(team, { id: leadId, name: '赵书记', role: 'lead', joinedAt: '2024-12-01T00:00:00Z' });
  for (const m of memberIds) upsertTeamMember(team, { id: m, name: name(), role: 'member', joinedAt: '2024-12-01T00:00:00Z' });
  docs.set(teamDocName(teamId), team);

  const households = new Map<string, Y.Doc>();
  const hids: string[] = [];
  /** household, member, when: linked in one team doc transaction after the loop (the writers index the links once per transaction) */
  const links: [string, string, string][] = [];
  let jsonBytes = 0;
  for (let i = 0; i < size.households; i++) {
    const hid = id();
    hids.push(hid);
    const member = memberIds[i % memberIds.length]!;
    const doc = new Y.Doc();
    const createdAt = dateIn(START - 90 * 864e5, START);
    const profile = {
      headName: name(),
      phone: r() < 0.85 ? phone() : '',
      address: { area: pick(AREAS), village: pick(VILLAGES), street: pick(STREETS), house: `${1 + Math.floor(r() * 80)}号` },
      gps: r() < 0.7 ? { lat: 40 + r(), lng: 112 + r(), accuracy: 5 + Math.floor(r() * 40), capturedAt: createdAt } : undefined,
      tags: VULNERABILITY_TAGS.filter(() => r() < 0.18),
      visitIntervalDays: pick([14, 30, 30, 30, 60]),
    };
    const family = Array.from({ length: Math.floor(r() * 4) }, () => ({ id: id(), name: name(), relation: pick(['spouse', 'child', 'parent', 'grandchild'] as const), birthYear: 1940 + Math.floor(r() * 80), phone: r() < 0.3 ? phone() : undefined }));
    createHousehold(doc, { id: hid, teamId, profile, members: family, notes: pick(NOTES) }, { memberId: member, deviceId: 'dev-test', now: createdAt });
    for (const f of family) upsertMember(doc, f);
    links.push([hid, member, createdAt]);
    households.set(hid, doc);
    docs.set(householdDocName(teamId, hid), doc);
    jsonBytes += JSON.stringify({ hid, profile, family }).length;
  }
  team.transact(() => {
    for (const [hid, member, at] of links) linkMembers(team, hid, [member], { memberId: leadId, now: at });
  });

  const visitIdsByHousehold = new Map<string, string[]>();
  for (let i = 0; i < size.visits; i++) {
    const hid = hids[i % hids.length]!;
    const doc = households.get(hid)!;
    const member = memberIds[hids.indexOf(hid) % memberIds.length]!;
    const visitedAt = dateIn(START, END);
    const observations = Object.fromEntries(OBSERVATION_ASPECTS.filter(() => r() < 0.6).map((a) => [a, { level: pick(['good', 'good', 'fair', 'concern', 'urgent'] as ObservationLevel[]), note: r() < 0.3 ? pick(NOTES) : '' }]));
    const visit = { id: id(), kind: pick(['home', 'home', 'home', 'phone', 'appointment', 'reception'] as VisitKind[]), visitorIds: [member], visitedAt, observations, said: pick(SAID), notes: pick(NOTES), photos: [], nextVisitOn: undefined };
    addVisit(doc, visit, { memberId: member, deviceId: 'dev-test', now: visitedAt });
    jsonBytes += JSON.stringify(visit).length;
    if (!visitIdsByHousehold.has(hid)) visitIdsByHousehold.set(hid, []);
    visitIdsByHousehold.get(hid)!.push(visit.id);
    if (r() < 0.3) {
      const rating = { id: id(), subjectKind: 'visit' as const, subjectId: visit.id, memberId: member, level: pick(['satisfied', 'satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied'] as const), comment: '', recordedAt: visitedAt, recordedBy: member };
      addRating(doc, rating);
      jsonBytes += JSON.stringify(rating).length;
    }
  }

  for (let i = 0; i < size.requests; i++) {
    const hid = hids[Math.floor(r() * hids.length)]!;
    const doc = households.get(hid)!;
    const member = memberIds[hids.indexOf(hid) % memberIds.length]!;
    const createdAt = dateIn(START, END);
    const req = { id: id(), category: pick(REQUEST_CATEGORIES), description: pick(SAID), ownerId: member, visitId: visitIdsByHousehold.get(hid)?.[0] };
    addRequest(doc, req, { memberId: member, deviceId: 'dev-test', now: createdAt });
    const later = new Date(Date.parse(createdAt) + (1 + r() * 40) * 864e5).toISOString();
    addRequestAction(doc, req.id, { id: id(), at: later, by: member, kind: 'note', text: '已联系相关部门' });
    const roll = r();
    if (roll < 0.55) setRequestStatus(doc, req.id, { status: 'resolved' }, { id: id(), at: later, by: member, kind: 'status', text: '', status: 'resolved' });
    else if (roll < 0.75) setRequestStatus(doc, req.id, { status: 'explained', explanation: '已向群众说明政策和下一步安排' }, { id: id(), at: later, by: member, kind: 'status', text: '', status: 'explained' });
    jsonBytes += JSON.stringify(req).length + 120;
    if (r() < 0.02) addComplaint(doc, { id: id(), aboutMemberId: member, text: '走访不及时', recordedAt: createdAt, recordedBy: leadId, handled: false, resolution: '' });
  }
  return { teamId, leadId, memberIds, team, households, docs, jsonBytes };
}
