// Records nock back fixtures against the real Credly sandbox, scrubbed before they are written.
// Run with `npm run fixtures:record`. Reads, from a git-ignored .env or the environment:
//   CREDLY_SANDBOX_TOKEN, CREDLY_SANDBOX_ORG_ID
//   optional: CREDLY_SANDBOX_TEMPLATE_ID and CREDLY_SANDBOX_RECIPIENT to record issue and revoke too.
// Writes fixtures/credly/recorded-<scenario>.json (CREDLY_FIXTURES_DIR elsewhere). See
// docs/credly-client.md "Recording fixtures".
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import 'dotenv/config';
import nock from 'nock';
import { scrubDefinitions } from './fixtures/scrub.mjs';

const token = process.env.CREDLY_SANDBOX_TOKEN?.trim();
const organizationId = process.env.CREDLY_SANDBOX_ORG_ID?.trim();
if (!token || !organizationId) {
  console.error('fixtures:record needs CREDLY_SANDBOX_TOKEN and CREDLY_SANDBOX_ORG_ID (in .env or the environment). Nothing was recorded.');
  process.exit(1);
}
const { CredlyClient } = await import('../src/index.js');
const out = process.env.CREDLY_FIXTURES_DIR ? `${process.env.CREDLY_FIXTURES_DIR.replace(/\/$/, '')}/` : fileURLToPath(new URL('../fixtures/credly/', import.meta.url));
// CREDLY_SANDBOX_BASE_URL points the recorder elsewhere (the fake Credly) to try the script itself.
const baseUrl = process.env.CREDLY_SANDBOX_BASE_URL?.trim();
const client = new CredlyClient({ organizationId, authToken: token }, { environment: 'sandbox', maxRetries: 0, ...(baseUrl ? { baseUrl } : {}) });

async function record(name: string, scenario: () => PromiseLike<unknown>): Promise<void> {
  nock.recorder.clear();
  nock.restore();
  nock.activate();
  nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
  try {
    await scenario();
  } catch (error) {
    console.log(`  (${name} ended with ${(error as Error).name}: recorded as it is)`);
  }
  const definitions = scrubDefinitions(nock.recorder.play() as unknown as Array<Record<string, unknown>>, { secrets: [token!], organizationId: organizationId! });
  nock.restore();
  writeFileSync(`${out}recorded-${name}.json`, `${JSON.stringify(definitions, null, 2)}\n`);
  console.log(`recorded fixtures/credly/recorded-${name}.json (${definitions.length} exchanges)`);
}

await record('organization-get', () => client.organizations.get());
await record('badge-templates-list', () => client.badgeTemplates.list());
await record('badges-list', () => client.badges.list());
await record('events-list', () => client.events.list());
const templateId = process.env.CREDLY_SANDBOX_TEMPLATE_ID?.trim();
const recipient = process.env.CREDLY_SANDBOX_RECIPIENT?.trim();
if (templateId && recipient) {
  const issue = {
    badge_template_id: templateId,
    recipient_email: recipient,
    issued_to_first_name: 'Fixture',
    issued_to_last_name: 'Recorder',
    issued_at: new Date(),
    issuer_earner_id: `fixture-${Date.now()}`,
    suppress_badge_notification_email: true,
  };
  let issued: { id: string } | undefined;
  await record('badge-issue', async () => {
    issued = await client.badges.issue(issue);
  });
  await record('badge-issue-duplicate', () => client.badges.issue(issue));
  const revoke = issued;
  if (revoke) await record('badge-revoke', () => client.badges.revoke(revoke.id, { reason: 'fixture recording', suppress_revoke_notification_email: true }));
}
client.close();
