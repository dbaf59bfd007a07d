// The baseline of the durability benchmark: a bare `CredlyClient` loop, from the built package in
// its own process, issuing N badges at concurrency C with the same requests the CLI's `issue` sends
// for the benchmark roster (no roster, no ledger, no report). Run by bench/durability.ts, and by
// bench/workers.ts in several processes at once (OFFSET: the learner number this one starts after).
import { CredlyClient } from '../dist/index.js';

const { CREDLY_BASE_URL, CREDLY_ORGANIZATION_ID, CREDLY_API_TOKEN, TEMPLATE, AWARDS, CONCURRENCY } = process.env;
const client = new CredlyClient({ organizationId: CREDLY_ORGANIZATION_ID, authToken: CREDLY_API_TOKEN }, { baseUrl: CREDLY_BASE_URL });
const total = Number(AWARDS);
let next = 1 + Number(process.env.OFFSET ?? 0);
const last = next - 1 + total;
await Promise.all(
  Array.from({ length: Number(CONCURRENCY) }, async () => {
    while (next <= last) {
      const k = next++;
      await client.badges.issue({
        badge_template_id: TEMPLATE,
        recipient_email: `learner${k}@example.edu`,
        issued_to_first_name: 'Learner',
        issued_to_last_name: `Number${k}`,
        issued_at: '2026-04-02T10:00:00-04:00',
        expires_at: '2029-04-02 14:00:00 +0000',
        issuer_earner_id: `B${String(k).padStart(8, '0')}`,
        evidence: [{ type: 'IdEvidence', id: `ev-bench-${k}-0`, title: 'Proctored SQL assessment', description: `Score ${14 + (k % 7)}/20 (${((14 + (k % 7)) / 20) * 100} %)` }],
        suppress_badge_notification_email: true,
      });
    }
  }),
);
client.close();
