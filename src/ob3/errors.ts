/** A credential could not be built or signed from what it was given; the message names the field and the fix. */
export class Ob3InputError extends Error {
  override readonly name = 'Ob3InputError';
}

/** A signing key file could not be read or written. The message never contains the key. */
export class Ob3KeyError extends Error {
  override readonly name = 'Ob3KeyError';
}

/** The offline document loader was asked for a URL it does not hold: nothing is fetched at run time. */
export class DocumentRefusedError extends Error {
  override readonly name = 'DocumentRefusedError';
  readonly url: string;

  constructor(url: string) {
    super(`refusing to load ${url}: only the bundled JSON-LD contexts, did:key and the given did:web documents are resolved (nothing is fetched)`);
    this.url = url;
  }
}

/**
 * The innermost cause of an error from the signing stack, as one line: jsonld wraps a refused
 * document in `details.cause`, and a VerificationError lists its causes in `errors`.
 */
export function rootCauseMessage(error: unknown): string {
  let current: unknown = error;
  let safeModeProperty: string | undefined;
  for (let depth = 0; depth < 8; depth += 1) {
    const event = (current as { details?: { event?: { message?: unknown; details?: { property?: unknown } } } } | undefined)?.details?.event;
    if (typeof event?.details?.property === 'string') safeModeProperty = event.details.property;
    const nested = (current as { errors?: unknown[] } | undefined)?.errors;
    const cause = (current as { details?: { cause?: unknown } } | undefined)?.details?.cause ?? (current as { cause?: unknown } | undefined)?.cause;
    if (Array.isArray(nested) && nested.length > 0) current = nested[0];
    else if (cause instanceof Error) current = cause;
    else break;
  }
  const message = current instanceof Error ? current.message : String(current);
  // jsonld's safe mode refuses a term no @context defines, rather than sign a document it would drop it from.
  const detail = safeModeProperty ? ` ("${safeModeProperty}" is not defined by any @context)` : '';
  const text = message.replace(/\s+/g, ' ').trim() || 'unknown error';
  return detail ? `${text.replace(/\.$/, '')}${detail}` : text;
}

/** Signing failed inside the signing stack (an unknown context or term, a refused document). */
export class Ob3SigningError extends Error {
  override readonly name = 'Ob3SigningError';
}
