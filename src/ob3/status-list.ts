import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { VC_V2_CONTEXT } from './contexts.js';
import { Ob3InputError } from './errors.js';

/**
 * Revocation by W3C Bitstring Status List: the campus publishes one signed credential whose
 * bitstring has bit `i` set when the credential with `statusListIndex` `i` is revoked.
 *
 * The index of a credential is derived from its credential key (the award key, or `<key>#<n>` for
 * the n-th replacement badge), not stored (the ledger has no place for it): the first candidate is
 * SHA-256(key + "\n0") modulo the list size; when that slot is taken, the next candidates are
 * SHA-256(key + "\n1"), "\n2" … Every award in every state claims a slot for its first badge, in
 * ledger order (when it was planned, then key); replacement badges claim theirs after all first
 * badges (by replacement number, then ledger order). So an index never moves while awards are only
 * added; a collision with a slot claimed earlier in that order could move one when older awards are
 * imported or an award is replaced, which is why export-ob3 reuses the index of every credential
 * it already wrote: a published credential keeps its slot.
 */

/** The spec's minimum size (16 KiB): large enough that the list says little about any one learner. */
export const DEFAULT_STATUS_LIST_SIZE = 131_072;

export function candidateIndex(key: string, attempt: number, size: number): number {
  const digest = createHash('sha256').update(`${key}\n${attempt}`, 'utf8').digest();
  return digest.readUInt32BE(0) % size;
}

export interface IndexedAward {
  /** The credential key (`credentialKeyOf`). */
  readonly key: string;
  /** When the ledger planned the award (ISO 8601): earlier awards keep their slot. */
  readonly createdAt: string;
  /** 0 for an award's first badge, n for its n-th replacement. */
  readonly generation?: number;
}

/**
 * Assigns a slot to every award, in ledger order. `fixed` holds indexes already published (from
 * credentials written earlier): those are kept, and nobody else may take them.
 */
export function assignStatusListIndexes(
  awards: readonly IndexedAward[],
  options: { readonly size?: number; readonly fixed?: ReadonlyMap<string, number> } = {},
): Map<string, number> {
  const size = options.size ?? DEFAULT_STATUS_LIST_SIZE;
  // Half full, each new award needs two probes on average; past that, use a larger list.
  if (awards.length > size / 2) {
    throw new Ob3InputError(`${awards.length} awards do not fit a status list of ${size} entries; set a larger statusListSize (export-ob3: --status-list-size)`);
  }
  const taken = new Set<number>();
  const indexes = new Map<string, number>();
  for (const [key, index] of options.fixed ?? []) {
    if (index < 0 || index >= size || taken.has(index)) continue;
    taken.add(index);
    indexes.set(key, index);
  }
  const ordered = [...awards].sort(
    (a, b) =>
      (a.generation ?? 0) - (b.generation ?? 0) ||
      (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (const award of ordered) {
    if (indexes.has(award.key)) continue;
    let attempt = 0;
    let index = candidateIndex(award.key, attempt, size);
    while (taken.has(index)) {
      attempt += 1;
      index = candidateIndex(award.key, attempt, size);
    }
    taken.add(index);
    indexes.set(award.key, index);
  }
  return indexes;
}

/** GZIP, then multibase base64url without padding (the `u` prefix), as the spec encodes the list. */
export function encodeBitstring(setIndexes: Iterable<number>, size: number = DEFAULT_STATUS_LIST_SIZE): string {
  if (size % 8 !== 0) throw new Ob3InputError(`a status list size must be a multiple of 8, got ${size}`);
  const bytes = Buffer.alloc(size / 8);
  for (const index of setIndexes) {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new Ob3InputError(`status list index ${index} is outside 0..${size - 1}`);
    // Index 0 is the left-most (most significant) bit of the first byte.
    bytes[index >> 3]! |= 0x80 >> (index & 7);
  }
  return `u${gzipSync(bytes).toString('base64url')}`;
}

export function decodeBitstring(encodedList: string): Buffer {
  if (!encodedList.startsWith('u')) throw new Ob3InputError('encodedList is not multibase base64url (it must start with "u")');
  try {
    return gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  } catch {
    throw new Ob3InputError('encodedList is not a GZIP-compressed bitstring');
  }
}

export function bitIsSet(bitstring: Buffer, index: number): boolean {
  if (index < 0 || index >= bitstring.length * 8) throw new Ob3InputError(`status list index ${index} is outside the list (${bitstring.length * 8} entries)`);
  return (bitstring[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

export interface StatusListEntry {
  readonly id: string;
  readonly type: 'BitstringStatusListEntry';
  readonly statusPurpose: 'revocation';
  /** A string, as the spec requires. */
  readonly statusListIndex: string;
  readonly statusListCredential: string;
}

export function statusListEntry(statusListUrl: string, index: number): StatusListEntry {
  return {
    id: `${statusListUrl}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(index),
    statusListCredential: statusListUrl,
  };
}

export interface StatusListCredential {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly type: readonly ['VerifiableCredential', 'BitstringStatusListCredential'];
  readonly issuer: string;
  readonly validFrom: string;
  readonly credentialSubject: {
    readonly id: string;
    readonly type: 'BitstringStatusList';
    readonly statusPurpose: 'revocation';
    readonly encodedList: string;
  };
  readonly proof?: unknown;
}

/** The unsigned status list credential with these indexes revoked. */
export function buildStatusListCredential(input: {
  readonly statusListUrl: string;
  readonly issuerId: string;
  readonly revokedIndexes: Iterable<number>;
  readonly validFrom: Date;
  readonly size?: number;
}): StatusListCredential {
  return {
    '@context': [VC_V2_CONTEXT],
    id: input.statusListUrl,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuerId,
    validFrom: isoSeconds(input.validFrom),
    credentialSubject: {
      id: `${input.statusListUrl}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: encodeBitstring(input.revokedIndexes, input.size),
    },
  };
}

/** An XML Schema dateTime without milliseconds. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
