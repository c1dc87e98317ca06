import { strFromU8, unzipSync } from 'fflate';

/**
 * A reader of SpreadsheetML as a spreadsheet program reads it, written from the standard
 * (ECMA-376 part 1, §18) and not from our writer: sheets are found through the workbook's
 * relationships, a cell's type from its `t` attribute, and whether a number is a date from
 * the number format its style applies (built-in date formats 14–22, or a custom format
 * code with date or time parts). The round-trip test reads exports with it.
 */

export type ReadCell = { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'date'; value: string; serial: number } | { type: 'boolean'; value: boolean };

export interface ReadSheet {
  name: string;
  /** rows by their 1-based number, cells by column letters */
  rows: Map<number, Map<string, ReadCell>>;
  frozenRows: number;
}

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'application/xml');
const children = (el: Element | Document, name: string) => [...el.getElementsByTagName(name)];

/** A serial date-time as `YYYY-MM-DD HH:mm` (no time zone: a spreadsheet's dates have none). */
export function serialToText(serial: number): string {
  const ms = Math.round((serial - 25_569) * 86_400_000 / 60_000) * 60_000;
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function isDateFormat(id: number, code: string | undefined): boolean {
  if (id >= 14 && id <= 22) return true;
  if (!code) return false;
  // Drop quoted literals, escapes and colour/condition brackets before looking for date parts.
  const bare = code.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '');
  return /[ymdhs]/i.test(bare);
}

export function readXlsx(bytes: Uint8Array): ReadSheet[] {
  const files = unzipSync(bytes);
  const text = (path: string) => {
    const f = files[path];
    if (!f) throw new Error(`the workbook has no ${path}`);
    return strFromU8(f);
  };
  const types = parse(text('[Content_Types].xml'));
  if (!children(types, 'Override').some((o) => o.getAttribute('PartName') === '/xl/workbook.xml')) throw new Error('no workbook part');
  const rels = new Map(children(parse(text('xl/_rels/workbook.xml.rels')), 'Relationship').map((r) => [r.getAttribute('Id')!, r.getAttribute('Target')!]));
  const styles = parse(text('xl/styles.xml'));
  const formats = new Map(children(styles, 'numFmt').map((f) => [Number(f.getAttribute('numFmtId')), f.getAttribute('formatCode') ?? '']));
  const cellXfs = children(styles, 'cellXfs')[0];
  const xfDate = cellXfs ? children(cellXfs, 'xf').map((xf) => {
    const id = Number(xf.getAttribute('numFmtId') ?? 0);
    return isDateFormat(id, formats.get(id));
  }) : [];
  const shared = files['xl/sharedStrings.xml'] ? children(parse(text('xl/sharedStrings.xml')), 'si').map((si) => children(si, 't').map((t) => t.textContent).join('')) : [];
  return children(parse(text('xl/workbook.xml')), 'sheet').map((s) => {
    const target = rels.get(s.getAttribute('r:id') ?? '');
    if (!target) throw new Error(`sheet ${s.getAttribute('name')} has no part`);
    const doc = parse(text(`xl/${target}`));
    const rows = new Map<number, Map<string, ReadCell>>();
    for (const row of children(doc, 'row')) {
      const cells = new Map<string, ReadCell>();
      for (const c of children(row, 'c')) {
        const ref = c.getAttribute('r')!;
        const t = c.getAttribute('t') ?? 'n';
        const v = children(c, 'v')[0]?.textContent ?? '';
        let cell: ReadCell;
        if (t === 'inlineStr') cell = { type: 'string', value: children(c, 't').map((x) => x.textContent).join('') };
        else if (t === 's') cell = { type: 'string', value: shared[Number(v)] ?? '' };
        else if (t === 'str') cell = { type: 'string', value: v };
        else if (t === 'b') cell = { type: 'boolean', value: v === '1' };
        else {
          const n = Number(v);
          cell = xfDate[Number(c.getAttribute('s') ?? 0)] ? { type: 'date', value: serialToText(n), serial: n } : { type: 'number', value: n };
        }
        cells.set(ref.replace(/\d+$/, ''), cell);
      }
      rows.set(Number(row.getAttribute('r')), cells);
    }
    const pane = children(doc, 'pane')[0];
    return { name: s.getAttribute('name')!, rows, frozenRows: pane?.getAttribute('state') === 'frozen' ? Number(pane.getAttribute('ySplit') ?? 0) : 0 };
  });
}

/** A sheet as records: the first row's strings name the columns. */
export function sheetRecords(sheet: ReadSheet): Record<string, ReadCell | undefined>[] {
  const header = sheet.rows.get(1);
  if (!header) return [];
  const names = [...header.entries()].map(([col, c]) => [col, c.type === 'string' ? c.value : String(c.value)] as const);
  return [...sheet.rows.entries()].filter(([n]) => n > 1).sort((a, b) => a[0] - b[0]).map(([, cells]) => Object.fromEntries(names.map(([col, name]) => [name, cells.get(col)])));
}
