import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerKind, openLedger } from '../../../src/ledger/open.js';
import { award } from '../../contract/ledger-contract.js';
import { CLI_BUILT, cleanEnv, mergedEnv } from '../../helpers/cli.js';

// docs/ledger.md: openLedger(url) picks the backend from a path or URL.
const dir = mkdtempSync(join(tmpdir(), 'credly-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openLedger', () => {
  it('memory: is an in-process ledger', async () => {
    const ledger = await openLedger('memory:');
    expect(ledger.kind).toBe('memory');
    await ledger.planAward(award(1));
    expect((await ledger.getAward(award(1).key))?.state).toBe('planned');
    await ledger.close();
  });

  it('a file: URL and a plain path open the same file ledger', async () => {
    const path = join(dir, 'awards.ledger');
    const byUrl = await openLedger(pathToFileURL(path).href);
    expect(byUrl.kind).toBe('file');
    await byUrl.planAward(award(1));
    await byUrl.close();
    const byPath = await openLedger(path, { readOnly: true });
    expect((await byPath.getAward(award(1).key))?.state).toBe('planned');
    await byPath.close();
    expect(readdirSync(dir).filter((name) => name.startsWith('awards.ledger') && !name.includes('.lock'))).toEqual(['awards.ledger']);
  });

  it('an unknown scheme is refused (LEDGER_URL), without the password it carries', async () => {
    const error = await openLedger('mysql://badges:s3cret-pw@db.campus.edu/credly').then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'LEDGER_URL', message: expect.stringMatching(/^unknown ledger URL mysql:\/\/\*\*\*@db\.campus\.edu\/credly: use a file path, file:, memory: or postgres:\/\//) });
    expect(error!.message).not.toContain('s3cret-pw');
  });

  it('names each backend: paths (relative, absolute, Windows drive letters) are files', () => {
    expect(['memory:', 'memory'].map(ledgerKind)).toEqual(['memory', 'memory']);
    expect(['postgres://h/db', 'postgresql://h/db', 'POSTGRES://h/db'].map(ledgerKind)).toEqual(['postgres', 'postgres', 'postgres']);
    expect(['awards.ledger', '/var/lib/badges/awards.ledger', 'file:///var/lib/a.ledger', 'C:\\badges\\awards.ledger'].map(ledgerKind)).toEqual(['file', 'file', 'file', 'file']);
  });

  // docs/scaling.md, "The driver": users of the file ledger never load pg. The built CLI is one
  // bundle, so a static import of pg anywhere in it would load the driver for every command.
  it('the built CLI loads the pg driver only for a postgres:// ledger', async () => {
    const path = join(dir, 'driver.ledger');
    const ledger = await openLedger(path);
    await ledger.planAward(award(1));
    await ledger.close();
    const pgLoaded = (target: string) =>
      new Promise<string>((resolve) => {
        // Reports at exit whether any module of pg's package was required, then runs the CLI as `node dist/cli.cjs status --ledger <target>`.
        const script = `process.on('exit', () => process.stderr.write('pg loaded: ' + Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k)) + '\\n'));
          process.argv.splice(1, 0, ${JSON.stringify(CLI_BUILT)}); require(${JSON.stringify(CLI_BUILT)});`;
        execFile(process.execPath, ['-e', script, 'status', '--ledger', target], { env: mergedEnv(cleanEnv) }, (_error, _stdout, stderr) => resolve(stderr));
      });
    expect(await pgLoaded(path)).toMatch(/^pg loaded: false$/m);
    // Nothing listens on port 1: the open fails at once, after loading the driver.
    expect(await pgLoaded('postgres://u@127.0.0.1:1/db')).toMatch(/^pg loaded: true$/m);
  });
});
