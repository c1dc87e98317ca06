import type { Cell, ExportTable } from './export-table';

/**
 * CSV that Excel opens correctly with Chinese text: UTF-8 with a byte order mark, CRLF line
 * ends, RFC 4180 quoting. A text cell that a spreadsheet would run as a formula (=, +, -, @
 * followed by something that is not a plain number) is prefixed with an apostrophe.
 */

export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?[\d\s]+(\.\d+)?$/;

/** One cell, quoted when it holds a comma, quote or line break. */
export function csvCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  let s = cell;
  if (FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvCell).join(',');
}

/** The whole table as CSV text, header first, BOM included. */
export function tableToCsv(table: ExportTable): string {
  const lines = [csvLine(table.columns.map((c) => c.header)), ...table.rows.map(csvLine)];
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
