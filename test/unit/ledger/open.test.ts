import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerKind, openLedger } from '../../../src/ledger/open.js';
import { award } from '../../contract/ledger-contract.js';

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
});
