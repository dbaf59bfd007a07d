import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Microcredential } from '../domain/microcredential.js';
import type { AwardRecord, Ledger } from '../ledger/contract.js';
import { buildAchievementCredential, credentialSlug, type AchievementCredential } from './credential.js';
import { Ob3InputError } from './errors.js';
import { issuerBaseUrl, type IssuerConfig, type Ob3Issuer } from './issuer.js';
import type { SigningKey } from './keys.js';
import { signCredential } from './sign.js';
import { assignStatusListIndexes, buildStatusListCredential, DEFAULT_STATUS_LIST_SIZE, type StatusListCredential } from './status-list.js';

/** The status list's file name in an export directory. */
export const STATUS_LIST_FILE = 'status-list.json';

export interface ExportOptions {
  readonly ledger: Ledger;
  readonly key: SigningKey;
  readonly issuer: IssuerConfig;
  readonly now?: () => Date;
  readonly statusListSize?: number;
  /** Status list indexes already published (credential key → index), kept as they are. */
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
  readonly revokedCount: number;
  /** Issued awards that could not be exported, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly awardKey: string; readonly reason: string }>;
}

/**
 * Exports every issued award in the ledger as a signed Open Badges 3.0 credential, and (with a
 * `statusListUrl`) the signed status list in which every revoked or replaced award's bit is set.
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
    ? assignStatusListIndexes(awards, { size, ...(options.publishedIndexes ? { fixed: options.publishedIndexes } : {}) })
    : new Map<string, number>();

  const credentials: ExportedCredential[] = [];
  const skipped: Array<{ awardKey: string; reason: string }> = [];
  const base = issuerBaseUrl(issuer);
  for (const award of awards.filter((candidate) => candidate.state === 'issued').sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const microcredential = microcredentials.get(award.microcredentialId);
    if (!microcredential) {
      skipped.push({ awardKey: award.key, reason: `the ledger has no microcredential snapshot for "${award.microcredentialId}" (run sync-templates)` });
      continue;
    }
    let unsigned: AchievementCredential;
    try {
      unsigned = buildAchievementCredential({ award, microcredential, issuer, statusListIndex: indexes.get(award.key) });
    } catch (error) {
      if (!(error instanceof Ob3InputError)) throw error;
      skipped.push({ awardKey: award.key, reason: error.message });
      continue;
    }
    const credential = await signCredential(unsigned, key, { now });
    credentials.push({ awardKey: award.key, fileName: `${credentialSlug(base, award.key)}.json`, credential });
  }

  const revoked = awards.filter((award) => award.state === 'revoked' || award.state === 'replaced');
  if (!issuer.statusListUrl) return { credentials, revokedCount: revoked.length, skipped };
  const statusList = await signCredential(
    buildStatusListCredential({
      statusListUrl: issuer.statusListUrl,
      issuerId: issuer.id,
      revokedIndexes: revoked.map((award) => indexes.get(award.key)!),
      validFrom: now(),
      size,
    }),
    key,
    { now },
  );
  return { credentials, statusList, revokedCount: revoked.length, skipped };
}

/**
 * The status list indexes of the credentials already in an export directory, by credential id:
 * exporting into the same directory again keeps every published credential in its slot.
 */
export async function readPublishedIndexes(dir: string, base: string, awardKeys: readonly string[]): Promise<Map<string, number>> {
  const bySlug = new Map(awardKeys.map((awardKey) => [credentialSlug(base, awardKey), awardKey]));
  const found = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    const awardKey = bySlug.get(name.replace(/\.json$/, ''));
    if (!awardKey) continue;
    try {
      const credential = JSON.parse(await readFile(join(dir, name), 'utf8')) as { credentialStatus?: { statusListIndex?: string } };
      const index = Number(credential.credentialStatus?.statusListIndex);
      if (Number.isInteger(index)) found.set(awardKey, index);
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
