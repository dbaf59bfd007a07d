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
