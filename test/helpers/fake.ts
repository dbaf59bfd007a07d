import { CredlyClient, type CredlyClientOptions } from '../../src/index.js';
import { startFakeCredly, type FakeCredly, type FakeCredlyOptions } from '../../src/testing/index.js';

/** A fake Credly and a client for it whose retry waits are skipped (recorded). */
export async function fakeWithClient(fakeOptions: FakeCredlyOptions = {}, clientOptions: CredlyClientOptions = {}) {
  const fake = await startFakeCredly({ seed: 7, ...fakeOptions });
  const sleeps: number[] = [];
  const { credentials, options } = fake.clientConfig();
  // The client's clock moves only when it sleeps: its waits are recorded, not slept.
  let clock = Date.now();
  const client = new CredlyClient(credentials, {
    ...options,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0,
    ...clientOptions,
  });
  const close = async () => {
    client.close();
    await fake.stop();
  };
  return { fake, client, sleeps, close };
}

export const issueParams = (templateId: string, n: number, extra: Record<string, unknown> = {}) => ({
  badge_template_id: templateId,
  recipient_email: `learner${n}@example.edu`,
  issued_to_first_name: 'Jordan',
  issued_to_last_name: `Learner${n}`,
  issued_at: '2026-03-02T09:00:00-05:00',
  issuer_earner_id: `S${100000 + n}`,
  ...extra,
});

export type { FakeCredly };
