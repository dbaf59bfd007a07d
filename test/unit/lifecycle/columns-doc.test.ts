import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, PENDING_CSV_COLUMNS } from '../../../src/lifecycle/index.js';

// docs/lifecycle.md promises the registrar's export and the pending list a stable header: these
// columns, in this order. The page and the code must say the same (a reorder in either fails).
const page = readFileSync(new URL('../../../docs/lifecycle.md', import.meta.url), 'utf8');

describe('docs/lifecycle.md column lists', () => {
  it("the export table lists the export's columns in the export's order", () => {
    const start = page.indexOf('| column | content |');
    const table = page.slice(start, page.indexOf('\n\n', start));
    const rows = table.split('\n').slice(2);
    const documented = rows.flatMap((row) => row.split('|')[1]!.split(',').map((cell) => cell.trim().replace(/`/g, '')));
    expect(documented).toEqual([...EXPORT_COLUMNS]);
  });

  it("the pending list's CSV columns, as the page lists them", () => {
    const start = page.indexOf('CSV columns (a mail merge');
    const listed = page.slice(start, page.indexOf('\n\n', start)).split('\n').slice(1).join(' ');
    const documented = listed.replace(/`/g, '').split(',').map((cell) => cell.trim().replace(/\.$/, '')).filter(Boolean);
    expect(documented).toEqual([...PENDING_CSV_COLUMNS]);
  });
});
