import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Microcredential } from '../domain/microcredential.js';
import { holdsBadge, type AwardRecord, type Ledger } from '../ledger/contract.js';
import { buildAchievementCredential, credentialKeyOf, credentialSlug, type AchievementCredential } from './credential.js';
import { Ob3InputError } from './errors.js';
import { issuerBaseUrl, type IssuerConfig, type Ob3Issuer } from './issuer.js';
import type { SigningKey } from './keys.js';
import { signCredential } from './sign.js';
import { assignStatusListIndexes, buildStatusListCredential, DEFAULT_STATUS_LIST_SIZE, type IndexedAward, type StatusListCredential } from './status-list.js';

/** The status list's file name in an export directory. */
export const STATUS_LIST_FILE = 'status-list.json';

export interface ExportOptions {
  readonly ledger: Ledger;
  readonly key: SigningKey;
  readonly issuer: IssuerConfig;
  readonly now?: () => Date;
  readonly statusListSize?: number;
  /** Status list indexes already published (credential key → index, from `readPublishedIndexes`), kept as they are. */
  readonly publishedIndexes?: ReadonlyMap<string, number>;
}

export interface ExportedCredential {
  readonly awardKey: string;
  /** `<32 hex>.json`: the last segment of the credential id, so the directory can be served as `<baseUrl>/credentials/`. */
  readonly fileName: string;
  readonly credential: AchievementCredential;
}

export interface Ob3Export {
  readonly credentials: readonly ExportedCredential[];
  /** The signed status list: only when the issuer configures a `statusListUrl`. */
  readonly statusList?: StatusListCredential;
  /** Credentials whose bit is set: every badge of a revoked award, and the earlier badges of a replaced one. */
  readonly revokedCount: number;
  /** Issued awards that could not be exported, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly awardKey: string; readonly reason: string }>;
}

/**
 * Exports every issued award in the ledger (and the current badge of every replaced one) as a
 * signed Open Badges 3.0 credential, and (with a `statusListUrl`) the signed status list in which
 * the bit of every revoked credential is set.
 */
export async function exportAchievementCredentials(options: ExportOptions): Promise<Ob3Export> {
  const { ledger, key } = options;
  const now = options.now ?? (() => new Date());
  const issuer: Ob3Issuer = { ...options.issuer, id: key.controller };
  const size = options.statusListSize ?? DEFAULT_STATUS_LIST_SIZE;

  const awards: AwardRecord[] = [];
  for await (const award of ledger.queryAwards()) awards.push(award);
  const microcredentials = new Map<string, Microcredential>();
  for (const template of await ledger.listTemplates()) {
    if (template.microcredential) microcredentials.set(template.microcredentialId, template.microcredential);
  }
  const indexes = issuer.statusListUrl
    ? assignStatusListIndexes(credentialSlots(awards), { size, ...(options.publishedIndexes ? { fixed: options.publishedIndexes } : {}) })
    : new Map<string, number>();

  const credentials: ExportedCredential[] = [];
  const skipped: Array<{ awardKey: string; reason: string }> = [];
  const base = issuerBaseUrl(issuer);
  // A replaced award is held by its learner: its current (replacement) badge is exported.
  for (const award of awards.filter((candidate) => holdsBadge(candidate.state)).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const microcredential = microcredentials.get(award.microcredentialId);
    if (!microcredential) {
      skipped.push({ awardKey: award.key, reason: `the ledger has no microcredential snapshot for "${award.microcredentialId}" (run sync-templates)` });
      continue;
    }
    let unsigned: AchievementCredential;
    try {
      unsigned = buildAchievementCredential({ award, microcredential, issuer, statusListIndex: indexes.get(credentialKeyOf(award)) });
    } catch (error) {
      if (!(error instanceof Ob3InputError)) throw error;
      skipped.push({ awardKey: award.key, reason: error.message });
      continue;
    }
    const credential = await signCredential(unsigned, key, { now });
    credentials.push({ awardKey: award.key, fileName: `${credentialSlug(base, credentialKeyOf(award))}.json`, credential });
  }

  const revoked = revokedCredentialKeys(awards);
  if (!issuer.statusListUrl) return { credentials, revokedCount: revoked.length, skipped };
  const statusList = await signCredential(
    buildStatusListCredential({
      statusListUrl: issuer.statusListUrl,
      issuerId: issuer.id,
      revokedIndexes: revoked.map((credentialKey) => indexes.get(credentialKey)!),
      validFrom: now(),
      size,
    }),
    key,
    { now },
  );
  return { credentials, statusList, revokedCount: revoked.length, skipped };
}

/** Every badge of every award, as a status list slot (an award in any state holds the slot of its first badge). */
export function credentialSlots(awards: readonly AwardRecord[]): IndexedAward[] {
  return awards.flatMap((award) =>
    Array.from({ length: (award.previousBadgeIds?.length ?? 0) + 1 }, (_, generation) => ({ key: credentialKeyOf(award, generation), createdAt: award.createdAt, generation })),
  );
}

/** The credentials that are no longer valid: every badge of a revoked award, and the earlier badges of a replaced one. */
export function revokedCredentialKeys(awards: readonly AwardRecord[]): string[] {
  return awards.flatMap((award) => {
    const earlier = award.previousBadgeIds?.length ?? 0;
    const count = award.state === 'revoked' ? earlier + 1 : earlier;
    return Array.from({ length: count }, (_, generation) => credentialKeyOf(award, generation));
  });
}

/**
 * The status list indexes of the credentials already in an export directory, by credential key:
 * exporting into the same directory again keeps every published credential in its slot.
 */
export async function readPublishedIndexes(dir: string, base: string, awards: readonly AwardRecord[]): Promise<Map<string, number>> {
  const bySlug = new Map(credentialSlots(awards).map(({ key }) => [credentialSlug(base, key), key]));
  const found = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    const credentialKey = bySlug.get(name.replace(/\.json$/, ''));
    if (!credentialKey) continue;
    try {
      const credential = JSON.parse(await readFile(join(dir, name), 'utf8')) as { credentialStatus?: { statusListIndex?: string } };
      const index = Number(credential.credentialStatus?.statusListIndex);
      if (Number.isInteger(index)) found.set(credentialKey, index);
    } catch {
      // An unreadable file is rewritten with a derived index.
    }
  }
  return found;
}

/** Writes each credential and the status list into `dir`, each through a temporary file and a rename. */
export async function writeOb3Export(result: Ob3Export, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, value: unknown) => {
    const path = join(dir, name);
    await writeFile(`${path}.tmp`, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await rename(`${path}.tmp`, path);
    written.push(path);
  };
  for (const { fileName, credential } of result.credentials) await write(fileName, credential);
  if (result.statusList) await write(STATUS_LIST_FILE, result.statusList);
  return written;
}
