import { createHash } from 'node:crypto';
import type { Evidence } from '../domain/evidence.js';
import type { Microcredential } from '../domain/microcredential.js';
import { NACE_COMPETENCIES_URL, naceCompetency, type NaceAlignment } from '../domain/nace.js';
import type { AwardRecord } from '../ledger/contract.js';
import { ACHIEVEMENT_CREDENTIAL_CONTEXTS } from './contexts.js';
import { Ob3InputError } from './errors.js';
import { emailIdentity, type IdentityObject } from './identity.js';
import { issuerBaseUrl, type Ob3Issuer } from './issuer.js';
import { statusListEntry, type StatusListEntry } from './status-list.js';

/* The shapes below are the part of Open Badges 3.0 this library writes; every field is documented in docs/open-badges.md. */

export interface Ob3Image {
  readonly id: string;
  readonly type: 'Image';
  readonly caption?: string;
}

export interface Ob3Alignment {
  readonly type: readonly ['Alignment'];
  readonly targetName: string;
  readonly targetUrl: string;
  readonly targetDescription?: string;
  readonly targetFramework?: string;
  readonly targetCode?: string;
  readonly targetType?: string;
}

export interface Ob3Achievement {
  readonly id: string;
  readonly type: readonly ['Achievement'];
  readonly achievementType: string;
  readonly name: string;
  readonly description: string;
  readonly criteria: { readonly id: string; readonly narrative: string };
  readonly image: Ob3Image;
  readonly creditsAvailable?: number;
  readonly alignment?: readonly Ob3Alignment[];
  readonly tag: readonly string[];
}

export interface Ob3Evidence {
  readonly id?: string;
  readonly type: readonly ['Evidence'];
  readonly name?: string;
  readonly description?: string;
  readonly narrative?: string;
  readonly genre?: string;
}

export interface Ob3Profile {
  readonly id: string;
  readonly type: readonly ['Profile'];
  readonly name: string;
  readonly url: string;
  readonly email?: string;
  readonly image?: Ob3Image;
  readonly description?: string;
}

export interface AchievementCredential {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly type: readonly ['VerifiableCredential', 'OpenBadgeCredential'];
  readonly name: string;
  readonly issuer: Ob3Profile;
  readonly validFrom: string;
  readonly validUntil?: string;
  readonly awardedDate: string;
  readonly credentialSubject: {
    readonly type: readonly ['AchievementSubject'];
    readonly identifier: readonly IdentityObject[];
    readonly achievement: Ob3Achievement;
    readonly creditsEarned?: number;
  };
  readonly evidence?: readonly Ob3Evidence[];
  readonly credentialStatus?: StatusListEntry;
  /** An array: 1EdTech's schema wants one even for a single proof. */
  readonly proof?: readonly Record<string, unknown>[];
}

export interface BuildAchievementCredentialInput {
  /** The award, as the ledger holds it: `issued` (or revoked/replaced after), with its snapshot. */
  readonly award: AwardRecord;
  /** The microcredential it awards: the template record's snapshot. */
  readonly microcredential: Microcredential;
  /** The issuer: its configuration and the signing key's DID as `id`. */
  readonly issuer: Ob3Issuer;
  /** The slot in the status list of the award's current badge; required when the issuer has a `statusListUrl`. */
  readonly statusListIndex?: number | undefined;
}

/**
 * Which badge of an award a credential stands for. An award's first badge is its key; after a
 * replacement (re-certification: Credly issues a new badge and the ledger moves the old badge id to
 * `previousBadgeIds`) the current badge is `<key>#<n>`, n being the number of earlier badges. Each
 * badge has its own credential id and status list slot, so replacing an award revokes the earlier
 * credential without touching the new one.
 */
export function credentialKeyOf(award: Pick<AwardRecord, 'key' | 'previousBadgeIds'>, generation: number = award.previousBadgeIds?.length ?? 0): string {
  return generation === 0 ? award.key : `${award.key}#${generation}`;
}

/**
 * The credential's id: `<issuer base URL>/credentials/<32 hex>`, the hex being SHA-256 of the base
 * URL and the credential key (`credentialKeyOf`: the award key for its first badge). Stable:
 * exporting the award again gives the same id; a different base URL gives a different one. The
 * award key (which may hold an email) cannot be read back from it.
 */
export function credentialIdFor(baseUrl: string, awardKey: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/credentials/${credentialSlug(base, awardKey)}`;
}

export function credentialSlug(baseUrl: string, awardKey: string): string {
  return createHash('sha256').update(`${baseUrl.replace(/\/+$/, '')}\n${awardKey}`, 'utf8').digest('hex').slice(0, 32);
}

export function achievementIdFor(baseUrl: string, microcredentialId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/achievements/${encodeURIComponent(microcredentialId)}`;
}

/** Our types map to OB 3.0's `MicroCredential`; a campus's own `ext:` type stays as it is (OB 3.0 allows `ext:` values). */
export function achievementTypeOf(microcredential: Pick<Microcredential, 'type'>): string {
  return microcredential.type.startsWith('ext:') ? microcredential.type : 'MicroCredential';
}

const NACE_FRAMEWORK_NAMES = {
  'NACE-2017': 'NACE Career Readiness Competencies (2017)',
  'NACE-2021': 'NACE Career Readiness Competencies (2021)',
} as const;

export function naceAlignment(alignment: NaceAlignment): Ob3Alignment {
  const competency = naceCompetency(alignment.framework, alignment.code);
  return {
    type: ['Alignment'],
    targetName: competency.title,
    targetUrl: NACE_COMPETENCIES_URL,
    targetDescription: competency.definition,
    targetFramework: NACE_FRAMEWORK_NAMES[alignment.framework],
    targetCode: competency.code,
    targetType: 'ceasn:Competency',
  };
}

export function buildAchievement(microcredential: Microcredential, issuer: Ob3Issuer): Ob3Achievement {
  const { badge } = microcredential;
  const alignment = [
    ...microcredential.competencies.map(naceAlignment),
    ...(badge.alignments ?? []).map(
      (other): Ob3Alignment => ({ type: ['Alignment'], targetName: other.name, targetUrl: other.url, ...(other.description ? { targetDescription: other.description } : {}) }),
    ),
  ];
  return {
    id: achievementIdFor(issuerBaseUrl(issuer), microcredential.id),
    type: ['Achievement'],
    achievementType: achievementTypeOf(microcredential),
    name: badge.name,
    description: badge.description,
    criteria: { id: badge.criteriaUrl, narrative: microcredential.earningCriteria.map((criterion) => `- ${criterion}`).join('\n') },
    image: { id: badge.imageUrl, type: 'Image', caption: badge.name },
    ...(microcredential.type === 'credit-bearing' && microcredential.credit ? { creditsAvailable: microcredential.credit.credits } : {}),
    ...(alignment.length > 0 ? { alignment } : {}),
    tag: [...badge.skills],
  };
}

/** The learner's evidence of competency, as OB 3.0 Evidence; a NACE competency it shows is named in its description. */
export function evidenceOf(evidence: Evidence): Ob3Evidence {
  const shows = evidence.competency ? `Shows ${naceCompetency(evidence.competency.framework, evidence.competency.code).title} (NACE).` : undefined;
  const describe = (...parts: Array<string | undefined>) => {
    const text = parts.filter(Boolean).join(' ');
    return text ? { description: text } : {};
  };
  switch (evidence.kind) {
    case 'url':
      return { id: evidence.url, type: ['Evidence'], name: evidence.name, genre: 'URL', ...describe(evidence.description, shows) };
    case 'text':
      return { type: ['Evidence'], name: evidence.name, narrative: evidence.text, genre: 'Text', ...describe(shows) };
    case 'id':
      return { type: ['Evidence'], name: evidence.title, genre: 'Identifier', ...describe(evidence.description, shows) };
    case 'assessment': {
      const when = evidence.assessedOn ? ` on ${evidence.assessedOn}` : '';
      return { type: ['Evidence'], name: evidence.name, genre: 'Assessment', narrative: `Scored ${evidence.score} of ${evidence.maxScore}${when}.`, ...describe(shows) };
    }
  }
}

/**
 * The Credly badge of the same award, as a link. OB 3.0 has no property for "this award,
 * elsewhere"; an Evidence entry is what wallets and verifiers show as a link, so it goes there,
 * with the genre `Alternate` telling it apart from the learner's evidence.
 */
export function credlyAlternate(url: string): Ob3Evidence {
  return { id: url, type: ['Evidence'], name: 'This badge on Credly', description: 'The same award, issued as a Credly badge.', genre: 'Alternate' };
}

/** Builds the unsigned Open Badges 3.0 credential for an award. Pure: no clock, no I/O. */
export function buildAchievementCredential(input: BuildAchievementCredentialInput): AchievementCredential {
  const { award, microcredential, issuer } = input;
  const { snapshot } = award;
  if (!snapshot) {
    throw new Ob3InputError(`award ${award.key} has no snapshot (it was recorded before ledger v2); it cannot be exported as Open Badges 3.0`);
  }
  if (award.microcredentialId !== microcredential.id) {
    throw new Ob3InputError(`award ${award.key} is for microcredential "${award.microcredentialId}", not "${microcredential.id}"`);
  }
  if (!['issued', 'revoked', 'replaced'].includes(award.state)) {
    throw new Ob3InputError(`award ${award.key} is ${award.state}, not issued; only issued awards become credentials`);
  }
  let credentialStatus: StatusListEntry | undefined;
  if (issuer.statusListUrl) {
    if (input.statusListIndex === undefined) {
      throw new Ob3InputError('statusListIndex is required when the issuer has a statusListUrl (assignStatusListIndexes gives one per award)');
    }
    credentialStatus = statusListEntry(issuer.statusListUrl, input.statusListIndex);
  }
  const id = credentialIdFor(issuerBaseUrl(issuer), credentialKeyOf(award));
  const evidence = [...(snapshot.evidenceOptOut ? [] : snapshot.evidence.map(evidenceOf)), ...(award.credly?.url ? [credlyAlternate(award.credly.url)] : [])];
  const credits = microcredential.type === 'credit-bearing' ? microcredential.credit?.credits : undefined;
  return {
    '@context': [...ACHIEVEMENT_CREDENTIAL_CONTEXTS],
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: microcredential.badge.name,
    issuer: {
      id: issuer.id,
      type: ['Profile'],
      name: issuer.name,
      url: issuer.url,
      ...(issuer.email ? { email: issuer.email } : {}),
      ...(issuer.image ? { image: { id: issuer.image, type: 'Image' as const } } : {}),
      ...(issuer.description ? { description: issuer.description } : {}),
    },
    validFrom: snapshot.issuedAt,
    ...(snapshot.expiresAt ? { validUntil: snapshot.expiresAt } : {}),
    awardedDate: snapshot.issuedAt,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [emailIdentity(snapshot.learner.email, id)],
      achievement: buildAchievement(microcredential, issuer),
      ...(credits !== undefined ? { creditsEarned: credits } : {}),
    },
    ...(evidence.length > 0 ? { evidence } : {}),
    ...(credentialStatus ? { credentialStatus } : {}),
  };
}
