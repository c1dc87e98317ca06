import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { csvCell, tableToCsv, UTF8_BOM } from '@/domain/csv';
import { buildExportTable, EXPORT_COLUMN_KEYS, EXPORT_DATASETS, type ExportLabels, type ExportSource } from '@/domain/export-table';
import { runExport } from '@/workers/export-job';
import { columnName, excelDate, sheetName } from '@/workers/xlsx';
import { household, rating, request, visit } from './rows';

const labels: ExportLabels = {
  titles: { households: '户档案', visits: '走访记录', requests: '诉求', ratings: '群众评价' },
  headers: Object.fromEntries(EXPORT_DATASETS.map((d) => [d, Object.fromEntries(EXPORT_COLUMN_KEYS[d].map((k) => [k, `${d}.${k}`]))])) as ExportLabels['headers'],
  values: { category: { medical: '就医' }, status: { open: '待办', resolved: '已解决' }, tag: { elderly_alone: '孤寡老人' }, visitKind: { home: '入户走访' }, satisfaction: { satisfied: '满意' }, subject: { visit: '走访' }, yesNo: { yes: '是' }, aspect: { housing: '住' } },
  members: { m1: '王芳', m2: '李强' },
  separator: '、',
  about: {},
  readme: { title: '说明', lines: [], headers: ['工作表', '列', '内容'] },
};

const source: ExportSource = {
  households: [
    household('h2', { headName: '张三', area: '西沟矿区', tags: ['elderly_alone', 'custom'], linkedMemberIds: ['m1', 'm2'], phone: '13800001234' }),
    household('h1', { headName: '李四, "老李"', area: '东山林场', lastVisitAt: '2026-03-01T09:00:00' }),
    household('h3', { headName: '王五', mergedInto: 'h1' }),
  ],
  visits: [visit('v2', 'h2', '2026-03-02T09:30:00', { concerns: ['housing'], summary: '=1+1 屋顶漏雨…' }), visit('v1', 'h1', '2026-03-01T09:00:00')],
  requests: [request('q1', 'h2', '2026-03-02T09:00:00', { escalated: 1, status: 'resolved', closedAt: '2026-03-05T09:00:00' })],
  ratings: [rating('r1', 'h2', '2026-03-02T10:00:00', 'satisfied')],
  texts: { visits: new Map([['v2', { said: '=1+1 屋顶漏雨\n需要修', notes: '' }]]), requests: new Map() },
};

describe('export tables', () => {
  it('shapes households with names and labels, merged files left out', () => {
    const t = buildExportTable('households', source, labels);
    expect(t.columns.map((c) => c.header).slice(0, 3)).toEqual(['households.headName', 'households.phone', 'households.area']);
    expect(t.rows.map((r) => r[0])).toEqual(['李四, "老李"', '张三']);
    const zhang = t.rows[1]!;
    expect(zhang[EXPORT_COLUMN_KEYS.households.indexOf('tags')]).toBe('孤寡老人、custom');
    expect(zhang[EXPORT_COLUMN_KEYS.households.indexOf('linkedMembers')]).toBe('王芳、李强');
    expect(t.rows[0]![EXPORT_COLUMN_KEYS.households.indexOf('lastVisitOn')]).toBe('2026-03-01');
  });

  it('shapes visits in date order with the household named', () => {
    const t = buildExportTable('visits', source, labels);
    expect(t.rows.map((r) => r[EXPORT_COLUMN_KEYS.visits.indexOf('id')])).toEqual(['v1', 'v2']);
    expect(t.rows[1]!.slice(0, 5)).toEqual(['2026-03-02 09:30', '张三', '西沟矿区', '入户走访', '王芳']);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('两行\n文字')).toBe('"两行\n文字"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+86 138 0000 1234')).toBe('+86 138 0000 1234');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });

  it('starts with a byte order mark so Excel reads UTF-8, lines end in CRLF', () => {
    const csv = tableToCsv(buildExportTable('requests', source, labels));
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]!.split(',')[0]).toBe('requests.raisedAt');
    expect(lines[1]).toContain('就医');
    expect(lines[1]).toContain('已解决');
    expect(lines.at(-1)).toBe('');
  });
});

describe('XLSX', () => {
  it('names columns, dates and sheets the way Excel expects', () => {
    expect([columnName(0), columnName(25), columnName(26), columnName(701), columnName(702)]).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA']);
    expect(excelDate('1900-03-01')).toBe(61);
    expect(excelDate('2026-01-01')).toBe(46023);
    const taken = new Set<string>();
    expect(sheetName('a/b:c', taken)).toBe('a b c');
    expect(sheetName('A/B:C', taken)).toBe('A B C 2');
  });

  it('writes a workbook with a sheet per dataset that reads back with the right rows', () => {
    const progress: number[] = [];
    const res = runExport({ format: 'xlsx', datasets: ['households', 'visits', 'requests', 'ratings'], source, labels, baseName: '联户走访' }, (f) => progress.push(f));
    expect(res.fileName).toBe('联户走访.xlsx');
    expect(res.rows).toEqual({ households: 2, visits: 2, requests: 1, ratings: 1 });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const files = unzipSync(res.bytes);
    expect(Object.keys(files)).toContain('xl/worksheets/sheet4.xml');
    expect(strFromU8(files['xl/workbook.xml']!)).toContain('<sheet name="走访记录" sheetId="2" r:id="rId2"/>');
    const sheet = strFromU8(files['xl/worksheets/sheet2.xml']!);
    const doc = new DOMParser().parseFromString(sheet, 'application/xml');
    const rows = [...doc.getElementsByTagName('row')].map((r) => [...r.getElementsByTagName('c')].map((c) => c.textContent));
    expect(rows).toHaveLength(3);
    // the visit time is a date-time cell (serial day and fraction), the rest as shown
    expect(rows[2]!.slice(0, 5)).toEqual(['46083.3958333333', '张三', '西沟矿区', '入户走访', '王芳']);
    expect(sheet).toContain('=1+1 屋顶漏雨\n需要修');
    // households sheet: the quote in a name is escaped, the date is a real date cell
    const hh = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(hh).toContain('李四, &quot;老李&quot;');
    expect(hh).toMatch(/<c r="I2" s="2"><v>46082<\/v><\/c>/);
  });

  it('writes several CSVs as one zip', () => {
    const res = runExport({ format: 'csv', datasets: ['visits', 'ratings'], source, labels, baseName: 'x' });
    expect(res.fileName).toBe('x-csv.zip');
    const files = unzipSync(res.bytes);
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'x-群众评价.csv', 'x-走访记录.csv']);
    expect([...files['x-走访记录.csv']!.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const single = runExport({ format: 'csv', datasets: ['ratings'], source, labels, baseName: 'x' });
    expect(single.fileName).toBe('x-群众评价.csv');
  });
});
