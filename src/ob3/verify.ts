import type { DidDocument } from './did.js';
import { createOfflineDocumentLoader, type DocumentLoader } from './document-loader.js';
import { rootCauseMessage } from './errors.js';
import { loadSigningStack } from './stack.js';
import { bitIsSet, decodeBitstring, type StatusListCredential } from './status-list.js';

export interface VerifyOptions {
  /** The time validity is judged at (tests inject one). */
  readonly now?: () => Date;
  /** did:web documents to trust (a did:web issuer cannot be verified offline without its document). */
  readonly didDocuments?: readonly DidDocument[];
  /** Signed status list credentials, by their id: a credential whose list is here has its status checked. */
  readonly statusLists?: readonly StatusListCredential[];
  readonly documentLoader?: DocumentLoader;
}

/**
 * `active`: its status list was given and its bit is clear; `revoked`: set; `not-checked`: it has a
 * status entry but its list was not given; `none`: it has no status entry.
 */
export type CredentialStatusResult = 'none' | 'not-checked' | 'active' | 'revoked';

export interface VerifyResult {
  readonly verified: boolean;
  /** Why not, in one line. */
  readonly reason?: string;
  readonly status: CredentialStatusResult;
}

interface StatusEntryLike {
  readonly type?: unknown;
  readonly statusPurpose?: unknown;
  readonly statusListIndex?: unknown;
  readonly statusListCredential?: unknown;
}

/**
 * Verifies a signed credential (an Open Badges 3.0 credential or a status list) offline: the
 * proof (eddsa-rdfc-2022 over the canonical form, so any change to a signed field fails), that the
 * issuer controls the signing key, validFrom/validUntil against `now`, and, when its status list is
 * given, that it is not revoked.
 */
export async function verifyCredential(credential: unknown, options: VerifyOptions = {}): Promise<VerifyResult> {
  if (credential === null || typeof credential !== 'object' || Array.isArray(credential)) {
    return { verified: false, reason: 'not a credential (expected a JSON object)', status: 'none' };
  }
  const doc = credential as { issuer?: unknown; proof?: unknown; credentialStatus?: unknown };
  if (doc.proof === undefined) return { verified: false, reason: 'the credential has no proof (it is not signed)', status: 'none' };
  const issuerId = typeof doc.issuer === 'string' ? doc.issuer : (doc.issuer as { id?: unknown } | undefined)?.id;
  const proofs = (Array.isArray(doc.proof) ? doc.proof : [doc.proof]) as Array<{ verificationMethod?: unknown }>;
  if (typeof issuerId !== 'string') return { verified: false, reason: 'the credential has no issuer id', status: 'none' };
  for (const proof of proofs) {
    if (typeof proof?.verificationMethod !== 'string' || !proof.verificationMethod.startsWith(`${issuerId}#`)) {
      return { verified: false, reason: `the proof's verificationMethod is not a key of the issuer ${issuerId}`, status: 'none' };
    }
  }

  const { vc, DataIntegrityProof, cryptosuite } = await loadSigningStack();
  const documentLoader = options.documentLoader ?? createOfflineDocumentLoader(options.didDocuments ? { didDocuments: options.didDocuments } : {});
  const lists = new Map((options.statusLists ?? []).map((list) => [list.id, list]));
  let status: CredentialStatusResult = doc.credentialStatus === undefined ? 'none' : 'not-checked';
  let statusReason: string | undefined;

  const checkStatus = async (): Promise<{ verified: boolean; error?: Error }> => {
    const entries = (Array.isArray(doc.credentialStatus) ? doc.credentialStatus : [doc.credentialStatus]) as StatusEntryLike[];
    for (const entry of entries) {
      if (entry?.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation') continue;
      const list = typeof entry.statusListCredential === 'string' ? lists.get(entry.statusListCredential) : undefined;
      if (!list) continue;
      const listResult = await verifyCredential(list, { ...options, statusLists: [] });
      const listIssuer = typeof list.issuer === 'string' ? list.issuer : undefined;
      if (!listResult.verified || listIssuer !== issuerId) {
        statusReason = `the status list ${list.id} is not valid for this issuer: ${listResult.reason ?? `issued by ${String(listIssuer)}`}`;
        return { verified: false, error: new Error(statusReason) };
      }
      const index = Number(entry.statusListIndex);
      if (!Number.isInteger(index)) {
        statusReason = `statusListIndex "${String(entry.statusListIndex)}" is not a number`;
        return { verified: false, error: new Error(statusReason) };
      }
      if (bitIsSet(decodeBitstring(list.credentialSubject.encodedList), index)) {
        status = 'revoked';
        statusReason = `revoked (status list ${list.id}, index ${index})`;
        return { verified: false, error: new Error(statusReason) };
      }
      status = 'active';
    }
    return { verified: true };
  };

  try {
    const result = await vc.verifyCredential({
      credential,
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader,
      checkStatus,
      now: options.now?.() ?? new Date(),
    });
    if (result.verified) return { verified: true, status };
    return { verified: false, reason: statusReason ?? reasonOf(result), status };
  } catch (error) {
    return { verified: false, reason: oneLine(error), status };
  }
}

/** The first error the library reports, as one line. */
function reasonOf(result: { error?: unknown; results?: ReadonlyArray<{ error?: unknown }> }): string {
  const fromResults = result.results?.find((entry) => entry.error !== undefined)?.error;
  return oneLine(fromResults ?? result.error ?? 'not verified');
}

function oneLine(error: unknown): string {
  return rootCauseMessage(error);
}
