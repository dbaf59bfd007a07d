// `credly-microcredentials/ob3`: Open Badges 3.0 credentials from the ledger, signed and verified
// offline. A separate entry point: the main entry never loads the signing stack.
export { VERSION } from '../version.js';
export {
  buildAchievementCredential,
  buildAchievement,
  credentialIdFor,
  credentialKeyOf,
  credentialSlug,
  achievementIdFor,
  achievementTypeOf,
  naceAlignment,
  evidenceOf,
  credlyAlternate,
  type AchievementCredential,
  type Ob3Achievement,
  type Ob3Alignment,
  type Ob3Evidence,
  type Ob3Image,
  type Ob3Profile,
  type BuildAchievementCredentialInput,
} from './credential.js';
export { ACHIEVEMENT_CREDENTIAL_CONTEXTS, VC_V2_CONTEXT, OB_V3_CONTEXT, OB_V3_EXTENSIONS_CONTEXT } from './contexts.js';
export { didKeyFor, didWebFor, didWebDocumentUrl, didDocumentFor, type DidDocument, type VerificationMethod } from './did.js';
export { createOfflineDocumentLoader, type DocumentLoader, type OfflineDocumentLoaderOptions, type RemoteDocument } from './document-loader.js';
export { Ob3InputError, Ob3KeyError, Ob3SigningError, DocumentRefusedError } from './errors.js';
export { emailIdentity, emailIdentityHash, identitySalt, identityMatchesEmail, type IdentityObject } from './identity.js';
export { issuerConfigSchema, parseIssuerConfig, readIssuerConfig, issuerBaseUrl, type IssuerConfig, type Ob3Issuer } from './issuer.js';
export { SigningKey, generateSigningKey, readKeyFile, writeKeyFile, KEY_FILE_FORMAT, type SigningKeyFile, type SigningKeyPair, type GenerateSigningKeyOptions } from './keys.js';
export { signCredential, type SignOptions } from './sign.js';
export { verifyCredential, type VerifyOptions, type VerifyResult, type CredentialStatusResult } from './verify.js';
export {
  assignStatusListIndexes,
  buildStatusListCredential,
  statusListEntry,
  encodeBitstring,
  decodeBitstring,
  bitIsSet,
  candidateIndex,
  DEFAULT_STATUS_LIST_SIZE,
  type StatusListCredential,
  type StatusListEntry,
  type IndexedAward,
} from './status-list.js';
export {
  exportAchievementCredentials,
  readPublishedIndexes,
  credentialSlots,
  revokedCredentialKeys,
  writeOb3Export,
  STATUS_LIST_FILE,
  type ExportOptions,
  type ExportedCredential,
  type Ob3Export,
} from './export.js';
