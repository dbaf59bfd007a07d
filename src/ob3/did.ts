import { DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT } from './contexts.js';
import { Ob3InputError } from './errors.js';

/** The public half of a signing key: what a verifier resolves from the proof's `verificationMethod`. */
export interface VerificationMethod {
  readonly '@context'?: string;
  /** `did:…#fragment`: the value of the proof's `verificationMethod`. */
  readonly id: string;
  readonly type: 'Multikey';
  /** The DID: the credential's `issuer.id`. */
  readonly controller: string;
  /** The Ed25519 public key, multibase (`z6Mk…`). */
  readonly publicKeyMultibase: string;
}

export interface DidDocument {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly verificationMethod: readonly VerificationMethod[];
  readonly assertionMethod: readonly string[];
  readonly authentication: readonly string[];
}

/** An Ed25519 public key as a multibase Multikey starts with this (the 0xed01 multicodec prefix, base58btc). */
const ED25519_MULTIKEY_PREFIX = 'z6Mk';

export function isEd25519Multikey(value: string): boolean {
  return value.startsWith(ED25519_MULTIKEY_PREFIX) && /^z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(value);
}

/** did:key for an Ed25519 key: the DID is the public key, so anyone can resolve it offline. */
export function didKeyFor(publicKeyMultibase: string): { did: string; verificationMethodId: string } {
  const did = `did:key:${publicKeyMultibase}`;
  return { did, verificationMethodId: `${did}#${publicKeyMultibase}` };
}

/**
 * did:web for a campus domain, with an optional path: `badges.example.edu` becomes
 * `did:web:badges.example.edu` (document at https://badges.example.edu/.well-known/did.json);
 * `example.edu/badges` becomes `did:web:example.edu:badges` (https://example.edu/badges/did.json);
 * a port is percent-encoded (`example.edu:8443` → `did:web:example.edu%3A8443`).
 */
export function didWebFor(domain: string): string {
  const trimmed = domain.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const [hostPort = '', ...path] = trimmed.split('/');
  const match = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:(\d{1,5}))?$/i.exec(hostPort);
  if (!match || path.some((segment) => !/^[A-Za-z0-9._~-]+$/.test(segment))) {
    throw new Ob3InputError(`--did-web "${domain}" is not a domain such as badges.example.edu or example.edu/badges`);
  }
  const host = match[1]!.toLowerCase() + (match[6] ? `%3A${match[6]}` : '');
  return ['did:web', host, ...path].join(':');
}

/** Where a did:web document is published (https, as the did:web method requires). */
export function didWebDocumentUrl(did: string): string {
  const [, , host = '', ...path] = did.split(':');
  const origin = `https://${decodeURIComponent(host)}`;
  return path.length === 0 ? `${origin}/.well-known/did.json` : `${origin}/${path.join('/')}/did.json`;
}

export function verificationMethodOf(key: { id: string; controller: string; publicKeyMultibase: string }): VerificationMethod {
  return { '@context': MULTIKEY_V1_CONTEXT, id: key.id, type: 'Multikey', controller: key.controller, publicKeyMultibase: key.publicKeyMultibase };
}

/** The DID document for a key: derived for did:key, and the file a campus publishes for did:web. */
export function didDocumentFor(key: { id: string; controller: string; publicKeyMultibase: string }): DidDocument {
  const { '@context': _context, ...method } = verificationMethodOf(key);
  return {
    '@context': [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
    id: key.controller,
    verificationMethod: [method],
    assertionMethod: [key.id],
    authentication: [key.id],
  };
}
