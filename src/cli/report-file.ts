import { writeFile, rename } from 'node:fs/promises';

/** Writes a report beside its final name, then renames it: a reader never sees half a report. */
export async function writeTextFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}

/** The JSON report, written whole. */
export async function writeReportFile(path: string, report: unknown): Promise<void> {
  await writeTextFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
