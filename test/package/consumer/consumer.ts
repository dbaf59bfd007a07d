// A small program written as a campus developer would, type-checked against the packed package.
import {
  parseProposal,
  microcredentialFromProposal,
  transition,
  createApprovalRecord,
  isApprovedForCredly,
  DomainValidationError,
  type Microcredential,
  type NaceAlignment,
} from 'credly-microcredentials';
import { VERSION, startFakeCredly, type FakeCredly } from 'credly-microcredentials/testing';
import { CredlyClient, BadgeAlreadyIssuedError, type IssuedBadge } from 'credly-microcredentials';

const alignment: NaceAlignment = { framework: 'NACE-2021', code: 'technology' };

export function titleOf(input: unknown): string {
  try {
    const micro: Microcredential = microcredentialFromProposal(parseProposal(input));
    return `${micro.title} (${micro.competencies.length} competencies)`;
  } catch (error) {
    if (error instanceof DomainValidationError) return error.issues.map((issue) => issue.path).join(', ');
    throw error;
  }
}

const record = transition(createApprovalRecord('coding-in-sql'), {
  action: 'submit',
  role: 'proposer',
  actor: { name: 'A. Okafor' },
  at: '2026-02-01T09:00:00-05:00',
});
export const ready: boolean = isApprovedForCredly(record);
export const info = `${VERSION} ${alignment.code}`;

export async function issueOnFake(): Promise<IssuedBadge | null> {
  const fake: FakeCredly = await startFakeCredly({ seed: 1, latencyMs: { base: 1, jitter: 1 } });
  const { credentials, options } = fake.clientConfig();
  const client = new CredlyClient(credentials, { ...options, maxRetries: 0 });
  try {
    const template = fake.createTemplate({ name: 'Typed' });
    return await client.badges.issue({
      badge_template_id: String(template.id),
      recipient_email: 'a@example.edu',
      issued_to_first_name: 'A',
      issued_to_last_name: 'B',
      issued_at: new Date(),
      expires_at: false,
    });
  } catch (error) {
    if (error instanceof BadgeAlreadyIssuedError) return null;
    throw error;
  } finally {
    client.close();
    await fake.stop();
  }
}

// Open Badges 3.0, from its own entry point.
import { generateSigningKey, signCredential, verifyCredential, type AchievementCredential, type VerifyResult } from 'credly-microcredentials/ob3';

export async function signAndCheck(credential: AchievementCredential): Promise<VerifyResult> {
  const key = await generateSigningKey();
  return verifyCredential(await signCredential(credential, key));
}

// Test seams are not in the published types, and response types are exact.
export function seamsAreInternal(badge: IssuedBadge): unknown {
  // @ts-expect-error `sleep` is a test seam of the client, not a public option
  new CredlyClient({ organizationId: 'o', authToken: 't' }, { sleep: async () => {} });
  // @ts-expect-error a typo of recipient_email does not compile
  return [badge.recipent_email, badge.unknownFields];
}
