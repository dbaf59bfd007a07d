import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { CredlyClient, type CredlyClientOptions } from '../../src/index.js';

export const ORG = '7d3f2a10-4c5b-4e6f-8a9b-0c1d2e3f4a5b';
export const TEMPLATE_ID = 'b7e00001-1111-4222-8333-000000000001';
export const BADGE_ID = 'e5d00001-1111-4222-8333-000000000001';
/** A token shaped like a real one, so that leak checks have something to find. */
export const TOKEN = 'tok_4f9a1c2e7b3d5a6c8e0f1a2b3c4d5e6f';
export const SANDBOX = 'https://sandbox-api.credly.com';
/** The issue request the badge-issue fixtures were built for (fixtures/credly/badge-issue*.json). */
export const DOCUMENTED_ISSUE = {
  recipient_email: 'learner1@example.edu',
  badge_template_id: TEMPLATE_ID,
  issued_to_first_name: 'Jordan',
  issued_to_last_name: 'Learner1',
  issued_at: '2026-03-02 09:00:00 -0500',
  issuer_earner_id: 'S100001',
  locale: 'en' as const,
  suppress_badge_notification_email: true,
  expires_at: null,
  evidence: [{ type: 'UrlEvidence' as const, name: 'Assessment report', value: 'https://www.example.edu/evidence/s100001' }],
};

/** Loopback hosts, the only ones tests may connect to. */
export const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/credly/', import.meta.url));

export interface TestClient {
  client: CredlyClient;
  /** Every wait the client asked for between retries, in ms. */
  sleeps: number[];
  logs: Array<{ level: string; message: string; meta?: unknown }>;
}

/** A client whose retry waits are recorded instead of slept (on a clock they move), with no jitter, logging everything. */
export function testClient(options: CredlyClientOptions = {}, credentials?: ConstructorParameters<typeof CredlyClient>[0]): TestClient {
  const sleeps: number[] = [];
  const logs: TestClient['logs'] = [];
  const logger = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (message: string, meta?: unknown) => logs.push({ level, message, meta })]),
  ) as unknown as CredlyClientOptions['logger'];
  // A clock that moves only when the client sleeps: waits are recorded, not slept, and stay exact.
  let clock = 1_800_000_000_000;
  const client = new CredlyClient(credentials ?? { organizationId: ORG, authToken: TOKEN }, {
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0,
    logger: logger!,
    logLevel: 'debug',
    ...options,
  });
  return { client, sleeps, logs };
}

/** Replays a nock back fixture in lockdown mode and checks that every recorded request was made. */
export async function replay(name: string, run: () => Promise<void>): Promise<void> {
  nock.back.fixtures = FIXTURES_DIR;
  nock.back.setMode('lockdown');
  const { nockDone, context } = await nock.back(`${name}.json`);
  try {
    await run();
    context.assertScopesFinished();
  } finally {
    nockDone();
    // Lockdown mode disables every connection; loopback (the fake Credly) stays allowed in our tests.
    nock.enableNetConnect(LOOPBACK);
  }
}
