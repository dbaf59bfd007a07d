import { writeFile, rename } from 'node:fs/promises';

/** Writes the JSON report beside its final name, then renames it: a reader never sees half a report. */
export async function writeReportFile(path: string, report: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}
