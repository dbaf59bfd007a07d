import type { AchievementCredential } from './credential.js';
import { createOfflineDocumentLoader, type DocumentLoader } from './document-loader.js';
import { Ob3InputError, Ob3SigningError, rootCauseMessage } from './errors.js';
import type { SigningKey } from './keys.js';
import { loadSigningStack } from './stack.js';
import { isoSeconds, type StatusListCredential } from './status-list.js';

export interface SignOptions {
  /** The proof's `created` time (tests inject one). */
  readonly now?: () => Date;
  /** Offline by default; a replacement must refuse unknown URLs too. */
  readonly documentLoader?: DocumentLoader;
}

/**
 * Signs a credential with a Data Integrity proof, cryptosuite eddsa-rdfc-2022. The credential's
 * issuer must be the key's DID. The proof is returned as an array, as 1EdTech's schema wants.
 */
export async function signCredential<T extends AchievementCredential | StatusListCredential>(credential: T, key: SigningKey, options: SignOptions = {}): Promise<T> {
  const issuerId = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  if (issuerId !== key.controller) {
    throw new Ob3InputError(`the credential's issuer is ${issuerId}, but the key belongs to ${key.controller}; build it with the key's DID as issuer.id`);
  }
  const { vc, DataIntegrityProof, cryptosuite } = await loadSigningStack();
  const now = options.now?.() ?? new Date();
  const signer = (await key.keyPair()).signer();
  const suite = new DataIntegrityProof({ signer, cryptosuite, date: isoSeconds(now) });
  const { proof: _unsigned, ...unsigned } = credential as T & { proof?: unknown };
  // vc.issue adds to what it is given: hand it a copy.
  let signed: Record<string, unknown>;
  try {
    signed = await vc.issue({
      credential: structuredClone(unsigned),
      suite,
      documentLoader: options.documentLoader ?? createOfflineDocumentLoader(),
      now,
    });
  } catch (error) {
    throw new Ob3SigningError(`cannot sign ${credential.id ? String(credential.id) : 'the credential'}: ${rootCauseMessage(error)}`);
  }
  const proof = signed.proof;
  return { ...signed, proof: Array.isArray(proof) ? proof : [proof] } as unknown as T;
}
