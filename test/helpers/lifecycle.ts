import type { CredlyClient } from '../../src/credly/client.js';
import type { Microcredential } from '../../src/domain/microcredential.js';
import type { AwardRecord, Ledger } from '../../src/ledger/contract.js';
import { approvedEntry } from './issuance.js';
import type { FakeCredly } from './fake.js';

export interface SeededLearner {
  readonly n: number;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly earnerId?: string;
  /** When the learner earned it (the snapshot's `issuedAt`). */
  readonly earnedAt?: string;
  /** When the ledger recorded the badge (the award's `issuedAt`), over the call's default. */
  readonly issuedAt?: string;
}

/** The example microcredentials, as the template sync records them in the ledger. */
export function exampleMicrocredentials(): { sql: Microcredential; geo: Microcredential } {
  return { sql: approvedEntry('non-credit').microcredential, geo: approvedEntry('credit-bearing').microcredential };
}

/** A template in the fake and in the ledger, with the microcredential snapshot the sync stores. */
export async function seedTemplate(fake: FakeCredly, ledger: Ledger, microcredential: Microcredential): Promise<string> {
  const template = fake.createTemplate({ name: microcredential.title });
  const templateId = String(template.id);
  await ledger.putTemplate({ microcredentialId: microcredential.id, templateId, fingerprint: 'seeded', state: 'active', allowDuplicates: false, microcredential, updatedAt: '2026-09-01T12:00:00.000Z' });
  return templateId;
}

/**
 * Issues badges through the client and records them as the issue executor does (state `issued`,
 * badge id, snapshot): what the ledger holds after a successful run.
 */
export async function seedIssued(
  client: CredlyClient,
  ledger: Ledger,
  microcredential: Microcredential,
  templateId: string,
  learners: readonly SeededLearner[],
  issuedAt = '2026-09-01T12:00:00.000Z',
): Promise<AwardRecord[]> {
  const out: AwardRecord[] = [];
  for (const l of learners) {
    const email = l.email ?? `learner${l.n}@example.edu`;
    const earnerId = l.earnerId ?? `B${String(l.n).padStart(8, '0')}`;
    const learner = { email, firstName: l.firstName ?? 'Learner', lastName: l.lastName ?? `Number${l.n}`, campusId: earnerId };
    const badge = await client.badges.issue({
      badge_template_id: templateId,
      recipient_email: email,
      issued_to_first_name: learner.firstName,
      issued_to_last_name: learner.lastName,
      issuer_earner_id: earnerId,
      issued_at: '2026-08-28T10:00:00-04:00',
      suppress_badge_notification_email: true,
    });
    const { record } = await ledger.planAward({
      key: `${microcredential.id}|${earnerId}`,
      microcredentialId: microcredential.id,
      templateId,
      email,
      earnerId,
      state: 'issued',
      badgeId: badge.id,
      how: 'issued',
      issuedAt: l.issuedAt ?? issuedAt,
      snapshot: { learner, evidence: [], issuedAt: l.earnedAt ?? '2026-08-28T14:00:00.000Z', expiresAt: null },
    });
    out.push(record);
  }
  return out;
}

/** An issue request body for a badge made in Credly's UI (outside the ledger). */
export function outsideIssue(templateId: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    badge_template_id: templateId,
    recipient_email: `outside${n}@example.edu`,
    issued_to_first_name: 'Outside',
    issued_to_last_name: `Earner${n}`,
    issuer_earner_id: `X${n}`,
    issued_at: '2026-08-20T09:00:00-04:00',
    ...extra,
  };
}

/** The lines of a streamed export (CSV or JSON Lines), as one text. */
export async function collectText(lines: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const line of lines) text += line;
  return text;
}
