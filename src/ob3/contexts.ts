/** The JSON-LD contexts an Open Badges 3.0 credential from this library names, in this order. */
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
/** Open Badges 3.0.3, the version Credly's own OB 3.0 credentials name. */
export const OB_V3_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/**
 * 1EdTech's extensions context (its credential schema, revocation list and refresh types). Our
 * credentials use none of those terms; it is named as Credly's credentials name it, so that one
 * added later signs (safe mode refuses a term no context defines).
 */
export const OB_V3_EXTENSIONS_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';

export const ACHIEVEMENT_CREDENTIAL_CONTEXTS = [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_V3_EXTENSIONS_CONTEXT] as const;

/** DID documents start with this context; the proof check reads them without expanding them. */
export const DID_V1_CONTEXT = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1_CONTEXT = 'https://w3id.org/security/multikey/v1';
