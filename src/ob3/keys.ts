import { chmod, open, readFile, stat } from 'node:fs/promises';
import { inspect } from 'node:util';
import { didDocumentFor, didKeyFor, didWebFor, isEd25519Multikey, verificationMethodOf, type DidDocument, type VerificationMethod } from './did.js';
import { Ob3KeyError } from './errors.js';
import { loadSigningStack } from './stack.js';

/** What a key file says it is, so that another JSON file is never taken for a key. */
export const KEY_FILE_FORMAT = 'credly-microcredentials/ob3-signing-key';

/**
 * The key file (mode 0600): a Multikey with its secret half, as JSON. `id` is the proof's
 * `verificationMethod`, `controller` the issuer's DID.
 */
export interface SigningKeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly version: 1;
  readonly type: 'Multikey';
  readonly id: string;
  readonly controller: string;
  readonly publicKeyMultibase: string;
  readonly secretKeyMultibase: string;
  readonly createdAt: string;
}

/** The key pair as the signing library uses it (its own type, so that ours ships without it). */
export interface SigningKeyPair {
  readonly publicKeyMultibase: string;
  signer(): { readonly algorithm: string; readonly id: string; sign(options: { data: Uint8Array }): Promise<Uint8Array> };
}

/**
 * An Ed25519 signing key. The secret half is private: it is left out of `JSON.stringify`,
 * `util.inspect` and every error message.
 */
export class SigningKey {
  readonly id: string;
  readonly controller: string;
  readonly publicKeyMultibase: string;
  readonly createdAt: string;
  readonly #secretKeyMultibase: string;

  constructor(fields: Omit<SigningKeyFile, 'format' | 'version' | 'type'>) {
    this.id = fields.id;
    this.controller = fields.controller;
    this.publicKeyMultibase = fields.publicKeyMultibase;
    this.createdAt = fields.createdAt;
    this.#secretKeyMultibase = fields.secretKeyMultibase;
  }

  /** did:key or did:web. */
  get method(): 'key' | 'web' {
    return this.controller.startsWith('did:web:') ? 'web' : 'key';
  }

  verificationMethod(): VerificationMethod {
    return verificationMethodOf(this);
  }

  /** The DID document: derived by every verifier for did:key; for did:web, the file to publish. */
  didDocument(): DidDocument {
    return didDocumentFor(this);
  }

  /** The key in the form the signing library takes. */
  async keyPair(): Promise<SigningKeyPair> {
    const { Ed25519Multikey } = await loadSigningStack();
    try {
      return await Ed25519Multikey.from({ ...this.verificationMethod(), secretKeyMultibase: this.#secretKeyMultibase });
    } catch {
      throw new Ob3KeyError(`the signing key ${this.id} is not a valid Ed25519 key pair; generate a new one with keygen`);
    }
  }

  /** The key file's content, secret included: only `writeKeyFile` calls this. */
  toKeyFile(): SigningKeyFile {
    return {
      format: KEY_FILE_FORMAT,
      version: 1,
      type: 'Multikey',
      id: this.id,
      controller: this.controller,
      publicKeyMultibase: this.publicKeyMultibase,
      secretKeyMultibase: this.#secretKeyMultibase,
      createdAt: this.createdAt,
    };
  }

  toJSON(): VerificationMethod {
    return this.verificationMethod();
  }

  [inspect.custom](): string {
    return `SigningKey { id: '${this.id}', secret: [redacted] }`;
  }
}

export interface GenerateSigningKeyOptions {
  /** A campus domain for did:web (e.g. `badges.example.edu`); did:key when left out. */
  readonly didWeb?: string | undefined;
  /** 32 bytes: the same seed gives the same key (tests only; leave out for a random key). */
  readonly seed?: Uint8Array | undefined;
  readonly now?: () => Date;
}

export async function generateSigningKey(options: GenerateSigningKeyOptions = {}): Promise<SigningKey> {
  const { Ed25519Multikey } = await loadSigningStack();
  const pair = await Ed25519Multikey.generate(options.seed ? { seed: options.seed } : {});
  const exported = await pair.export({ publicKey: true, secretKey: true });
  const publicKeyMultibase = exported.publicKeyMultibase!;
  const secretKeyMultibase = exported.secretKeyMultibase!;
  const createdAt = (options.now?.() ?? new Date()).toISOString();
  if (options.didWeb !== undefined) {
    const did = didWebFor(options.didWeb);
    return new SigningKey({ id: `${did}#key-1`, controller: did, publicKeyMultibase, secretKeyMultibase, createdAt });
  }
  const { did, verificationMethodId } = didKeyFor(publicKeyMultibase);
  return new SigningKey({ id: verificationMethodId, controller: did, publicKeyMultibase, secretKeyMultibase, createdAt });
}

/** Writes the key file with mode 0600; refuses to overwrite an existing file (a lost key cannot sign again). */
export async function writeKeyFile(path: string, key: SigningKey): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Ob3KeyError(code === 'EEXIST' ? `${path} exists; keygen never overwrites a key (move it away first)` : `cannot create ${path}: ${code ?? 'error'}`);
  }
  try {
    await handle.writeFile(`${JSON.stringify(key.toKeyFile(), null, 2)}\n`, 'utf8');
    // The umask cannot widen 0600, but a file system may ignore the mode given to open.
    await chmod(path, 0o600);
  } finally {
    await handle.close();
  }
}

/** Reads a key file; refuses one that other users can read. Errors name the field, never its value. */
export async function readKeyFile(path: string): Promise<SigningKey> {
  let text: string;
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new Ob3KeyError(`key file ${path} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Ob3KeyError) throw error;
    throw new Ob3KeyError(`cannot read key file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let data: Partial<Record<keyof SigningKeyFile, unknown>>;
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    throw new Ob3KeyError(`key file ${path} is not JSON; create one with keygen`);
  }
  if (data === null || typeof data !== 'object' || data.format !== KEY_FILE_FORMAT) {
    throw new Ob3KeyError(`${path} is not a signing key file (format "${KEY_FILE_FORMAT}"); create one with keygen`);
  }
  for (const field of ['id', 'controller', 'publicKeyMultibase', 'secretKeyMultibase'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') throw new Ob3KeyError(`key file ${path}: ${field} is missing`);
  }
  const fields = data as SigningKeyFile;
  if (!isEd25519Multikey(fields.publicKeyMultibase)) throw new Ob3KeyError(`key file ${path}: publicKeyMultibase is not an Ed25519 Multikey`);
  if (!fields.id.startsWith(`${fields.controller}#`)) throw new Ob3KeyError(`key file ${path}: id must be the controller's DID followed by #fragment`);
  if (fields.controller.startsWith('did:key:') && fields.controller !== `did:key:${fields.publicKeyMultibase}`) {
    throw new Ob3KeyError(`key file ${path}: a did:key controller must be did:key:<publicKeyMultibase>`);
  }
  const key = new SigningKey({ ...fields, createdAt: typeof fields.createdAt === 'string' ? fields.createdAt : '' });
  await checkPair(key, path);
  return key;
}

/** Signs and verifies a probe, so that a secret that does not match the public key is caught at load. */
async function checkPair(key: SigningKey, path: string): Promise<void> {
  const pair = await key.keyPair().catch(() => {
    throw new Ob3KeyError(`key file ${path}: secretKeyMultibase is not a valid Ed25519 secret key`);
  });
  const data = new TextEncoder().encode('credly-microcredentials key check');
  const signature = await pair.signer().sign({ data });
  const { Ed25519Multikey } = await loadSigningStack();
  const publicOnly = await Ed25519Multikey.from({ ...key.verificationMethod() });
  if (!(await publicOnly.verifier().verify({ data, signature }))) {
    throw new Ob3KeyError(`key file ${path}: secretKeyMultibase does not belong to publicKeyMultibase`);
  }
}
