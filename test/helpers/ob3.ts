import { microcredentialSchema, type Microcredential } from '../../src/domain/microcredential.js';
import type { AwardRecord, AwardSnapshot, NewAward } from '../../src/ledger/contract.js';
import { MemoryLedger } from '../../src/ledger/memory.js';
import { generateSigningKey, type IssuerConfig, type SigningKey } from '../../src/ob3/index.js';
import { TestClock } from './clock.js';
import { exampleMicrocredentialJson } from './examples.js';

/** Fixed seeds: the same keys in every run, so signed output is the same too. */
export const SEED_A = new Uint8Array(32).fill(7);
export const SEED_B = new Uint8Array(32).fill(9);

export const ISSUER_CONFIG: IssuerConfig = {
  name: 'Example University',
  url: 'https://www.example.edu',
  email: 'microcredentials@example.edu',
  image: 'https://www.example.edu/logo.png',
  baseUrl: 'https://badges.example.edu',
  statusListUrl: 'https://badges.example.edu/status/revocation',
};

const keys = new Map<string, Promise<SigningKey>>();
/** A did:key (or did:web) key from a fixed seed, made once per test file. */
export function testKey(seed: Uint8Array = SEED_A, didWeb?: string): Promise<SigningKey> {
  const id = `${seed[0]}|${didWeb ?? ''}`;
  if (!keys.has(id)) keys.set(id, generateSigningKey({ seed, didWeb, now: () => new Date('2026-09-01T00:00:00Z') }));
  return keys.get(id)!;
}

export function exampleMicrocredential(name: 'credit-bearing' | 'non-credit' = 'credit-bearing'): Microcredential {
  return microcredentialSchema.parse(exampleMicrocredentialJson(name));
}

export function snapshotFor(email: string, overrides: Partial<AwardSnapshot> = {}): AwardSnapshot {
  return {
    learner: { email, firstName: 'Ada', lastName: 'Lovelace' },
    evidence: [
      { kind: 'url', name: 'Map portfolio', url: 'https://portfolio.example.edu/ada', description: 'Five maps', competency: { framework: 'NACE-2017', code: 'digital-technology' } },
      { kind: 'text', name: 'Reflection', text: 'What I learned about spatial joins.' },
      { kind: 'id', title: 'Esri certificate', description: 'EAPRO-1234' },
      { kind: 'assessment', name: 'Final exam', score: 88, maxScore: 100, assessedOn: '2026-05-14' },
    ],
    issuedAt: '2026-06-01T12:00:00Z',
    expiresAt: null,
    ...overrides,
  };
}

export interface SeededLedger {
  readonly ledger: MemoryLedger;
  readonly clock: TestClock;
  readonly microcredential: Microcredential;
}

/**
 * A memory ledger with the credit-bearing example's template and awards in the given states
 * (issued ones with a Credly URL), planned one second apart so that ledger order is known.
 */
export async function seededLedger(states: ReadonlyArray<'issued' | 'revoked' | 'replaced' | 'planned' | 'failed'>): Promise<SeededLedger> {
  const clock = new TestClock(Date.parse('2026-06-01T12:00:00Z'));
  const ledger = new MemoryLedger({ now: clock.now });
  const microcredential = exampleMicrocredential();
  await ledger.putTemplate({
    microcredentialId: microcredential.id,
    templateId: 'tmpl-1',
    fingerprint: 'f',
    state: 'active',
    allowDuplicates: false,
    microcredential,
    updatedAt: clock.now().toISOString(),
  });
  for (const [index, state] of states.entries()) {
    const email = `learner${index}@example.edu`;
    const award: NewAward = {
      key: `${microcredential.id}|${email}`,
      microcredentialId: microcredential.id,
      templateId: 'tmpl-1',
      email,
      earnerId: email,
      state,
      snapshot: snapshotFor(email),
      ...(state === 'planned' || state === 'failed'
        ? {}
        : {
            badgeId: `badge-${index}`,
            issuedAt: '2026-06-01T12:00:05Z',
            credly: { state: 'accepted', changedAt: null, url: `https://www.credly.com/badges/badge-${index}`, seenAt: '2026-06-01T12:00:05Z' },
          }),
    };
    await ledger.planAward(award);
    clock.advance(1000);
  }
  return { ledger, clock, microcredential };
}

export async function allAwards(ledger: MemoryLedger): Promise<AwardRecord[]> {
  const out: AwardRecord[] = [];
  for await (const award of ledger.queryAwards()) out.push(award);
  return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
}
