import { createHash } from 'node:crypto';

/** An Open Badges 3.0 IdentityObject: how the credential names its learner without showing the email. */
export interface IdentityObject {
  readonly type: 'IdentityObject';
  readonly identityType: 'emailAddress';
  readonly hashed: true;
  /** `sha256$` and the hex SHA-256 of the email followed by the salt (OB 3.0 IdentityHash). */
  readonly identityHash: string;
  readonly salt: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The salt is derived from the credential id, not drawn at random: exporting an award twice gives
 * the same credential, and no two credentials share a salt. It is public (the verifier needs it);
 * its job is only to make one precomputed table of email hashes useless across credentials.
 */
export function identitySalt(credentialId: string): string {
  return sha256(`credly-microcredentials identity salt\n${credentialId}`).slice(0, 32);
}

/** The identity hash of an email with a salt, as OB 3.0 defines it (the email lower-cased and trimmed first). */
export function emailIdentityHash(email: string, salt: string): string {
  return `sha256$${sha256(`${email.trim().toLowerCase()}${salt}`)}`;
}

export function emailIdentity(email: string, credentialId: string): IdentityObject {
  const salt = identitySalt(credentialId);
  return { type: 'IdentityObject', identityType: 'emailAddress', hashed: true, identityHash: emailIdentityHash(email, salt), salt };
}

/** True when the credential's identity object names this email (what a verifier does with a claimed address). */
export function identityMatchesEmail(identity: Pick<IdentityObject, 'identityHash' | 'salt'>, email: string): boolean {
  return identity.identityHash.toLowerCase() === emailIdentityHash(email, identity.salt ?? '');
}
