/**
 * CSV cells for files people open in spreadsheets (RFC 4180 quoting, CRLF line ends).
 *
 * A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
 * LibreOffice and Google Sheets (OWASP "CSV Injection"): such a value gets a leading apostrophe,
 * so that the spreadsheet shows it as text and runs nothing. A learner named `=HYPERLINK(…)` stays
 * readable; an export never becomes a way to run code on the registrar's machine.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The value as a safe, quoted-when-needed CSV cell. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // Numbers we write ourselves (credits) are never formulas; strings from people may be.
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export function csvLine(cells: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
