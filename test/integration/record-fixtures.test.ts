import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCredly, type FakeCredly } from '../../src/testing/index.js';
import { TSX } from '../helpers/cli.js';

const script = fileURLToPath(new URL('../../scripts/record-fixtures.ts', import.meta.url));
let fake: FakeCredly;
let dir: string;

beforeAll(async () => {
  fake = await startFakeCredly({ seed: 9 });
  dir = mkdtempSync(join(tmpdir(), 'record-'));
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function record(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', pathToFileURL(TSX).href, script], { env: { ...process.env, ...env, CREDLY_FIXTURES_DIR: dir }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    proc.on('exit', (code) => resolve({ code, out }));
  });
}

describe('npm run fixtures:record', () => {
  it('refuses to run without sandbox credentials', async () => {
    const result = await record({ CREDLY_SANDBOX_TOKEN: '', CREDLY_SANDBOX_ORG_ID: '' });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/needs CREDLY_SANDBOX_TOKEN and CREDLY_SANDBOX_ORG_ID/);
  });

  it('records every scenario through the real client, scrubbed (tried here against the fake Credly)', async () => {
    const template = fake.createTemplate({ name: 'Recorded' });
    const result = await record({
      CREDLY_SANDBOX_BASE_URL: fake.baseUrl,
      CREDLY_SANDBOX_TOKEN: fake.token,
      CREDLY_SANDBOX_ORG_ID: fake.organizationId,
      CREDLY_SANDBOX_TEMPLATE_ID: String(template.id),
      CREDLY_SANDBOX_RECIPIENT: 'real.person@campus.org',
    });
    expect(result.code, result.out).toBe(0);
    const files = readdirSync(dir).filter((f) => f.startsWith('recorded-')).sort();
    expect(files).toEqual([
      'recorded-badge-issue-duplicate.json',
      'recorded-badge-issue.json',
      'recorded-badge-revoke.json',
      'recorded-badge-templates-list.json',
      'recorded-badges-list.json',
      'recorded-events-list.json',
      'recorded-organization-get.json',
    ]);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toContain(fake.token);
      expect(text, file).not.toContain(fake.organizationId);
      expect(text, file).not.toContain('campus.org');
      expect(text, file).not.toMatch(/"authorization"/i);
    }
    const issued = JSON.parse(readFileSync(join(dir, 'recorded-badge-issue.json'), 'utf8'));
    expect(issued[0]).toMatchObject({ method: 'POST', status: 201, scope: 'https://sandbox-api.credly.com:443', body: { recipient_email: 'learner1@example.edu' } });
    expect(JSON.parse(readFileSync(join(dir, 'recorded-badge-issue-duplicate.json'), 'utf8'))[0].status).toBe(422);
  });
});
