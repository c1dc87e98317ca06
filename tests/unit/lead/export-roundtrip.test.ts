// @vitest-environment node
import { strFromU8, unzipSync } from 'fflate';
import readXlsxFile from 'read-excel-file/node';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addRating, addRequest, addVisit, createHousehold, readHousehold, reviewVisit, setRequestStatus } from '@/docs/household-doc';
import { householdDocName } from '@/docs/schema';
import { assessmentTotal, periodContaining } from '@/domain/assessment';
import { buildExportTable, EXPORT_COLUMN_KEYS, EXPORT_DATASETS, type ExportLabels, type ExportSource } from '@/domain/export-table';
import { teamAssessment } from '@/domain/lead-figures';
import { localDay, localTime } from '@/domain/local-day';
import { projectHousehold, type ProjectionRows } from '@/domain/projection';
import type { TeamMember } from '@/domain/team';
import { README_FILE, runExport } from '@/workers/export-job';
import { fullTexts } from '@/workers/export-source';

/**
 * Exports parsed back with a spreadsheet reader (read-excel-file), not ours: visit and
 * request times are date-time cells, long texts arrive whole (the rows keep 80 characters),
 * every column is in the README, and the half-year's figures read off the sheets equal the
 * assessment page's.
 */

const TEAM = 't1';
const WANG = 'm-wang';
const LI = 'm-li';
const members: TeamMember[] = [
  { id: WANG, name: '王芳', role: 'member', joinedAt: '2026-01-01T00:00:00Z' },
  { id: LI, name: '李强', role: 'member', joinedAt: '2026-01-01T00:00:00Z' },
];
const actor = (memberId: string, now: string) => ({ memberId, deviceId: 'd1', now });

const LONG_SAID = `=SUM(A1) 老人说：${'屋顶漏雨，冬天取暖靠一个小煤炉，'.repeat(8)}\n希望村里帮忙联系危房改造。`;
const LONG_NOTES = `${'孙子在县城上学，周末回来。'.repeat(10)}\n下次带上低保申请表。`;
const LONG_REQUEST = `申请低保：${'家里只有老两口，没有固定收入，去年看病花了两万多。'.repeat(5)}`;
const LONG_EXPLANATION = `按政策，${'家庭人均收入高于当地低保标准的不能纳入，'.repeat(4)}已告知可申请临时救助。`;
const REVIEW = `记录很细，${'下次把用药情况也写上，'.repeat(9)}`;

/** Two households' docs: back-dated visits (June, saved in July), ratings, a request answered with an explanation. */
function teamDocs(): Map<string, Y.Doc> {
  const a = new Y.Doc();
  createHousehold(a, { id: 'h1', teamId: TEAM, profile: { headName: '张三', phone: '', address: { area: '东山林场', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, actor(WANG, '2026-01-05T08:00:00.000Z'));
  addVisit(a, { id: 'v1', kind: 'home', visitorIds: [WANG], visitedAt: '2026-03-10T01:30:00.000Z', observations: {}, said: LONG_SAID, notes: LONG_NOTES, photos: [] }, actor(WANG, '2026-03-10T02:00:00.000Z'));
  // Logged on 07-03 for a visit on 06-20: it is the first half-year's.
  addVisit(a, { id: 'v2', kind: 'phone', visitorIds: [WANG, LI], visitedAt: '2026-06-20T06:45:00.000Z', observations: {}, said: '都好', notes: '', photos: [] }, actor(WANG, '2026-07-03T02:00:00.000Z'));
  reviewVisit(a, 'v1', { status: 'reviewed', comment: REVIEW, by: 'lead', at: '2026-03-12T01:00:00.000Z' });
  addRequest(a, { id: 'q1', category: 'minimum_allowance', description: LONG_REQUEST, ownerId: WANG, visitId: 'v1' }, actor(WANG, '2026-03-11T02:00:00.000Z'));
  setRequestStatus(a, 'q1', { status: 'explained', explanation: LONG_EXPLANATION }, { id: 'act1', at: '2026-04-02T03:00:00.000Z', by: WANG, kind: 'status', text: '已向老人当面解释政策', status: 'explained' });
  addRating(a, { id: 'r1', subjectKind: 'visit', subjectId: 'v1', memberId: WANG, level: 'satisfied', comment: '', recordedAt: '2026-03-10T02:00:00.000Z', recordedBy: WANG });
  addRating(a, { id: 'r2', subjectKind: 'visit', subjectId: 'v2', memberId: LI, level: 'basically_satisfied', comment: '', recordedAt: '2026-07-03T02:00:00.000Z', recordedBy: WANG });
  const b = new Y.Doc();
  createHousehold(b, { id: 'h2', teamId: TEAM, profile: { headName: '李四', phone: '', address: { area: '西沟矿区', village: '', street: '', house: '' }, tags: [], visitIntervalDays: 30 } }, actor(LI, '2026-01-05T08:00:00.000Z'));
  addVisit(b, { id: 'v3', kind: 'home', visitorIds: [LI], visitedAt: '2026-07-15T02:00:00.000Z', observations: {}, said: '下半年的走访', notes: '', photos: [] }, actor(LI, '2026-07-15T03:00:00.000Z'));
  addRating(b, { id: 'r3', subjectKind: 'visit', subjectId: 'v3', memberId: LI, level: 'dissatisfied', comment: '', recordedAt: '2026-07-15T03:00:00.000Z', recordedBy: LI });
  return new Map([[householdDocName(TEAM, 'h1'), a], [householdDocName(TEAM, 'h2'), b]]);
}

function sourceOf(docs: Map<string, Y.Doc>): ExportSource {
  const linked: Record<string, string[]> = { h1: [WANG], h2: [LI] };
  const rows: ProjectionRows[] = [...docs.values()].map((d) => {
    const file = readHousehold(d);
    return projectHousehold(file, { docVersion: '1', linkedMemberIds: linked[file.household.id]!, requestDueDays: 14 });
  });
  // The worker reads the texts from the docs' stored updates, the way they are on disk.
  const updates = [...docs.entries()].map(([doc, d], id) => ({ id, doc, update: Y.encodeStateAsUpdate(d) }));
  return {
    households: rows.map((r) => r.household),
    visits: rows.flatMap((r) => r.visits),
    requests: rows.flatMap((r) => r.requests),
    ratings: rows.flatMap((r) => r.ratings),
    texts: fullTexts(updates),
  };
}

const labels: ExportLabels = {
  titles: { households: '户档案', visits: '走访记录', requests: '诉求', ratings: '群众评价' },
  headers: Object.fromEntries(EXPORT_DATASETS.map((d) => [d, Object.fromEntries(EXPORT_COLUMN_KEYS[d].map((k) => [k, k]))])) as ExportLabels['headers'],
  values: { category: { minimum_allowance: '低保申请' }, status: { explained: '已答复' }, satisfaction: { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' }, actionKind: { status: '状态变更' } },
  members: { [WANG]: '王芳', [LI]: '李强' },
  separator: '、',
  about: Object.fromEntries([...new Set(Object.values(EXPORT_COLUMN_KEYS).flat())].map((k) => [k, `about ${k}`])),
  readme: { title: '说明', lines: ['第一行', 'CSV 的单引号'], headers: ['工作表', '列', '内容'] },
};

const local = (instant: string) => `${localDay(instant)} ${localTime(instant)}`;

type Cell = string | number | boolean | Date | null;
const str = (c: Cell | undefined) => (typeof c === 'string' ? c : undefined);
/**
 * A date cell as it reads in a spreadsheet program, `YYYY-MM-DD HH:mm`: spreadsheet dates have
 * no time zone, and the reader gives the wall-clock time written in the cell as a UTC instant.
 */
const wall = (c: Cell | undefined) => (c instanceof Date ? new Date(Math.round(c.getTime() / 60_000) * 60_000).toISOString().slice(0, 16).replace('T', ' ') : undefined);

describe('XLSX export read back', () => {
  const source = sourceOf(teamDocs());
  const bytes = runExport({ format: 'xlsx', datasets: [...EXPORT_DATASETS], source, labels, baseName: 'x' }).bytes;
  let book: { sheet: string; data: Cell[][] }[] = [];
  beforeAll(async () => {
    book = (await readXlsxFile(Buffer.from(bytes))) as typeof book;
  });
  /** A sheet's rows as records keyed by the header row. */
  const sheet = (name: string): Record<string, Cell>[] => {
    const [head, ...rows] = book.find((s) => s.sheet === name)!.data;
    return rows.map((r) => Object.fromEntries(head!.map((h, i) => [String(h), r[i] ?? null])));
  };

  it('has a sheet per dataset with a frozen header, and a README sheet naming every column', () => {
    expect(book.map((s) => s.sheet)).toEqual(['户档案', '走访记录', '诉求', '群众评价', '说明']);
    // The reader does not report panes: the first four worksheets' XML freezes row 1.
    const files = unzipSync(bytes);
    for (const n of [1, 2, 3, 4]) expect(strFromU8(files[`xl/worksheets/sheet${n}.xml`]!)).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    const readme = sheet('说明');
    for (const d of EXPORT_DATASETS) {
      for (const k of EXPORT_COLUMN_KEYS[d]) expect(readme.some((r) => str(r['工作表']) === labels.titles[d] && str(r['列']) === k && str(r['内容']) === `about ${k}`), `${d}.${k}`).toBe(true);
    }
    expect(readme.map((r) => str(r['工作表']))).toContain('CSV 的单引号');
  });

  it('writes visit and request times as date-time cells at the local minute', () => {
    const visits = sheet('走访记录');
    expect(visits.every((v) => v.visitedAt instanceof Date)).toBe(true);
    expect(visits.map((v) => wall(v.visitedAt))).toEqual([local('2026-03-10T01:30:00.000Z'), local('2026-06-20T06:45:00.000Z'), local('2026-07-15T02:00:00.000Z')]);
    const [q1] = sheet('诉求');
    // raised in visit v1: the visit's time, not the save's
    expect(wall(q1!.raisedAt)).toBe(local('2026-03-10T01:30:00.000Z'));
    expect(wall(q1!.savedAt)).toBe(local('2026-03-11T02:00:00.000Z'));
    expect(wall(q1!.closedOn)).toBe(`${localDay('2026-04-02T03:00:00.000Z')} 00:00`);
  });

  it('exports what was said, notes, review comments, the request, its explanation and timeline in full', () => {
    expect(LONG_SAID.length).toBeGreaterThan(80);
    const [v1] = sheet('走访记录');
    expect(str(v1!.said)).toBe(LONG_SAID);
    expect(str(v1!.notes)).toBe(LONG_NOTES);
    expect(str(v1!.reviewComment)).toBe(REVIEW);
    const [q1] = sheet('诉求');
    expect(str(q1!.description)).toBe(LONG_REQUEST);
    expect(str(q1!.explanation)).toBe(LONG_EXPLANATION);
    expect(str(q1!.timeline)).toBe(`${local('2026-04-02T03:00:00.000Z')} 王芳 (状态变更): 已向老人当面解释政策`);
    expect(str(q1!.category)).toBe('低保申请');
  });

  it('gives the half-year figures the assessment page shows', () => {
    const period = periodContaining('half', '2026-03-01');
    const total = assessmentTotal(teamAssessment({ ...source, complaints: [] }, { period, today: '2026-12-07', members }));
    const inPeriod = (c: Cell | undefined) => !!wall(c) && wall(c)!.slice(0, 10) >= period.from && wall(c)!.slice(0, 10) <= period.to;
    const visits = sheet('走访记录').filter((v) => inPeriod(v.visitedAt));
    const ratings = sheet('群众评价').filter((r) => inPeriod(r.recordedOn));
    const level = (name: string) => ratings.filter((r) => str(r.level) === name).length;
    expect(visits).toHaveLength(2);
    expect(total.visits).toBe(visits.length);
    expect(total.visitedHouseholds).toBe(new Set(visits.map((v) => str(v.householdId))).size);
    expect(total.ratings).toEqual({ satisfied: level('满意'), basically_satisfied: level('基本满意'), dissatisfied: level('不满意') });
    expect(total.explained).toBe(sheet('诉求').filter((q) => str(q.status) === '已答复' && inPeriod(q.closedOn)).length);
  });
});

describe('CSV zip', () => {
  const source = sourceOf(teamDocs());
  const res = runExport({ format: 'csv', datasets: ['visits', 'requests'], source, labels, baseName: '联户走访-2026-12-07' });
  const entries = () => {
    // The central directory, read by hand: the name bytes, the UTF-8 flag and the host system.
    const b = res.bytes;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const out: { name: string; utf8: boolean; host: number; mode: number }[] = [];
    for (let i = 0; i + 46 <= b.length; i++) {
      if (view.getUint32(i, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(i + 28, true);
      out.push({ name: new TextDecoder().decode(b.subarray(i + 46, i + 46 + nameLength)), utf8: (view.getUint16(i + 8, true) & 0x800) !== 0, host: b[i + 5]!, mode: view.getUint32(i + 38, true) >>> 16 });
      i += 45 + nameLength;
    }
    return out;
  };

  it('names its files in UTF-8, flagged, as made on Unix with readable permissions', () => {
    expect(res.fileName).toBe('联户走访-2026-12-07-csv.zip');
    const list = entries();
    expect(list.map((e) => e.name).sort()).toEqual([README_FILE, '联户走访-2026-12-07-诉求.csv', '联户走访-2026-12-07-走访记录.csv'].sort());
    // Info-ZIP unzip reads names of entries made on MS-DOS (host 0) as code page 437, whatever the flag.
    for (const e of list) expect(e).toMatchObject({ utf8: [...e.name].some((ch) => ch.charCodeAt(0) > 0x7f), host: 3, mode: 0o100644 });
  });

  it('explains the formula guard in its README and keeps full texts in the CSV', () => {
    const files = unzipSync(res.bytes);
    const readme = strFromU8(files[README_FILE]!);
    expect(readme).toContain('CSV 的单引号');
    for (const k of EXPORT_COLUMN_KEYS.visits) expect(readme).toContain(`  ${k}: about ${k}`);
    const visits = strFromU8(files['联户走访-2026-12-07-走访记录.csv']!);
    // guarded, quoted (it has a line break), and whole
    expect(visits).toContain(`"'${LONG_SAID.replace(/"/g, '""')}"`);
    expect(visits).toContain(local('2026-06-20T06:45:00.000Z'));
  });
});

describe('export tables', () => {
  it('leave text cells empty for a record whose doc could not be read, and keep its row', () => {
    const source = sourceOf(teamDocs());
    const t = buildExportTable('visits', { ...source, texts: { visits: new Map(), requests: new Map() } }, labels);
    expect(t.rows).toHaveLength(3);
    expect(t.rows[0]![EXPORT_COLUMN_KEYS.visits.indexOf('said')]).toBe('');
  });
});
