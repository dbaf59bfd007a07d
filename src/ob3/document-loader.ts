import { MULTIKEY_V1_CONTEXT } from './contexts.js';
import { didDocumentFor, didKeyFor, isEd25519Multikey, type DidDocument } from './did.js';
import { DocumentRefusedError } from './errors.js';
import { loadSigningStack } from './stack.js';

export interface RemoteDocument {
  readonly contextUrl: null;
  readonly documentUrl: string;
  readonly document: unknown;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

export interface OfflineDocumentLoaderOptions {
  /** did:web documents the verifier trusts (read from a file; never fetched). */
  readonly didDocuments?: readonly DidDocument[];
}

/**
 * The only document loader signing and verification use: it answers from the bundled JSON-LD
 * contexts, derives did:key documents from the key itself, returns the did:web documents it was
 * given, and refuses everything else (DocumentRefusedError). Nothing is fetched.
 */
export function createOfflineDocumentLoader(options: OfflineDocumentLoaderOptions = {}): DocumentLoader {
  const didWeb = new Map<string, DidDocument>((options.didDocuments ?? []).map((doc) => [doc.id, doc]));
  return async (url: string) => {
    const answer = (document: unknown): RemoteDocument => ({ contextUrl: null, documentUrl: url, document });
    const { contexts } = await loadSigningStack();
    const context = contexts.get(url);
    if (context !== undefined) return answer(context);
    const [did = '', fragment] = url.split('#', 2);
    if (did.startsWith('did:key:')) {
      const publicKeyMultibase = did.slice('did:key:'.length);
      if (!isEd25519Multikey(publicKeyMultibase)) throw new DocumentRefusedError(url);
      const { verificationMethodId } = didKeyFor(publicKeyMultibase);
      const document = didDocumentFor({ id: verificationMethodId, controller: did, publicKeyMultibase });
      return answer(fragment === undefined ? document : findMethod(document, url));
    }
    const document = didWeb.get(did);
    if (document) return answer(fragment === undefined ? document : findMethod(document, url));
    throw new DocumentRefusedError(url);
  };
}

function findMethod(document: DidDocument, url: string): unknown {
  const method = document.verificationMethod.find((candidate) => candidate.id === url || `${document.id}${candidate.id}` === url);
  if (!method) throw new DocumentRefusedError(url);
  // The verifier reads the key from the method alone; it names its context so that it stands alone.
  return { '@context': MULTIKEY_V1_CONTEXT, ...method, id: url };
}
