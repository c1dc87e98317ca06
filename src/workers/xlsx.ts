import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Cell, ExportTable } from '@/domain/export-table';

/**
 * A minimal XLSX (Office Open XML SpreadsheetML) writer: one sheet per table, strings
 * inline (no shared-string table to build), dates as real date cells, a bold frozen header
 * row with filters. Zipped with fflate, which is what keeps it ~8 KB instead of a
 * spreadsheet library's hundreds (ADR 0004).
 */

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

// Characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR; lone surrogates, U+FFFE/F).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(s: string): string {
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Excel's serial day number of a YYYY-MM-DD date (days since 1899-12-30). */
export function excelDate(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? undefined : Math.round(ms / 86_400_000) + 25_569;
}

/** Excel's serial number of a local YYYY-MM-DD HH:mm date-time (a day is 1; minutes are its fraction). */
export function excelDateTime(dateTime: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})$/.exec(dateTime);
  if (!m) return undefined;
  const day = excelDate(m[1]!);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  // Rounded to whole seconds of a day's fraction, so a reader gets back the minute written.
  return day === undefined || minutes >= 1440 ? undefined : day + Math.round((minutes / 1440) * 1e10) / 1e10;
}

/** A valid, unique sheet name: ≤ 31 characters, none of []:*?/\ . */
export function sheetName(title: string, taken: Set<string>): string {
  const base = (title.replace(/[[\]:*?/\\]/g, ' ').trim() || 'Sheet').slice(0, 31);
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

// Style indexes in styles.xml: 0 default, 1 bold header, 2 date, 3 date and time.
const STYLE_HEADER = 1;
const STYLE_DATE = 2;
const STYLE_DATE_TIME = 3;

function cellXml(ref: string, cell: Cell, type: ExportTable['columns'][number]['type']): string {
  if (cell === null || cell === undefined || cell === '') return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? `<c r="${ref}"><v>${cell}</v></c>` : '';
  if (type === 'date' || type === 'datetime') {
    const serial = type === 'date' ? excelDate(cell) : excelDateTime(cell);
    if (serial !== undefined) return `<c r="${ref}" s="${type === 'date' ? STYLE_DATE : STYLE_DATE_TIME}"><v>${serial}</v></c>`;
  }
  const text = escapeXml(cell);
  const space = /^\s|\s$|\n/.test(text) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" t="inlineStr"><is><t${space}>${text}</t></is></c>`;
}

/** The worksheet XML of one table. `onRow` is told every 1,000 rows. */
export function sheetXml(table: ExportTable, onRow?: (done: number) => void): string {
  const cols = table.columns.map((_, i) => columnName(i));
  const lastCol = cols.at(-1) ?? 'A';
  const parts: string[] = [
    `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`,
    `<dimension ref="A1:${lastCol}${table.rows.length + 1}"/>`,
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
    `<cols>${table.columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width + 2}" customWidth="1"/>`).join('')}</cols>`,
    '<sheetData>',
    `<row r="1">${table.columns.map((c, i) => `<c r="${cols[i]}1" t="inlineStr" s="${STYLE_HEADER}"><is><t>${escapeXml(c.header)}</t></is></c>`).join('')}</row>`,
  ];
  table.rows.forEach((row, r) => {
    const n = r + 2;
    let xml = `<row r="${n}">`;
    for (let i = 0; i < table.columns.length; i++) xml += cellXml(`${cols[i]}${n}`, row[i] ?? null, table.columns[i]!.type);
    parts.push(`${xml}</row>`);
    if (onRow && (r + 1) % 1000 === 0) onRow(r + 1);
  });
  parts.push('</sheetData>');
  if (table.columns.length) parts.push(`<autoFilter ref="A1:${lastCol}${table.rows.length + 1}"/>`);
  parts.push('</worksheet>');
  return parts.join('');
}

const STYLES = `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd hh:mm"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

/** A whole workbook, one sheet per table, as the bytes of an .xlsx file. */
export function buildXlsx(tables: readonly ExportTable[], onProgress?: (tableIndex: number, rowsDone: number) => void): Uint8Array {
  const taken = new Set<string>();
  const sheets = tables.map((t) => ({ name: sheetName(t.title, taken), table: t }));
  const files: Zippable = {
    '[Content_Types].xml': strToU8(
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
        '</Types>',
    ),
    '_rels/.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '</Relationships>',
    ),
    'xl/workbook.xml': strToU8(
      `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets>` +
        sheets.map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
        `<Relationship Id="rId${sheets.length + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
        '</Relationships>',
    ),
    'xl/styles.xml': strToU8(STYLES),
  };
  sheets.forEach((s, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(sheetXml(s.table, (done) => onProgress?.(i, done)));
    onProgress?.(i, s.table.rows.length);
  });
  return zipSync(files, { level: 6 });
}
