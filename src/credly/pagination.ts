import { CredlyValidationError } from './errors.js';
import type { PageMetadata } from './schemas/common.js';
import type { QueryValue } from './transport.js';

/** One page of a Credly list: 50 items at most. */
export interface Page<T> {
  readonly data: readonly T[];
  readonly metadata: PageMetadata;
  hasNextPage(): boolean;
  /** Throws when there is no next page; check {@link hasNextPage} first. */
  getNextPage(): Promise<Page<T>>;
}

export function makePage<T>(data: readonly T[], metadata: PageMetadata, next: (() => Promise<Page<T>>) | null): Page<T> {
  return {
    data,
    metadata,
    hasNextPage: () => next !== null && data.length > 0,
    getNextPage: () => {
      if (next === null || data.length === 0) return Promise.reject(new RangeError('there is no next page'));
      return next();
    },
  };
}

/** Whether page-number metadata says another page follows (either reading: total_pages or next_page_url). */
export function hasMorePages(metadata: PageMetadata, page: number): boolean {
  if (typeof metadata.total_pages === 'number') return (metadata.current_page ?? page) < metadata.total_pages;
  return typeof metadata.next_page_url === 'string' && metadata.next_page_url !== '';
}

/**
 * The result of a list call. `await` it for the first page; `for await` over it for every item of
 * every page; `iteratePages()` for page-level work; `collect({ max })` for an array with a cap.
 * Nothing is fetched until one of those is used.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #load: () => Promise<Page<T>>;
  #first: Promise<Page<T>> | undefined;

  constructor(load: () => Promise<Page<T>>) {
    this.#load = load;
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#load();
    return this.#first;
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  async *iteratePages(): AsyncGenerator<Page<T>> {
    let page = await this.#firstPage();
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.iteratePages()) yield* page.data;
  }

  /** Every item up to `max` (required: a list can be very long). */
  async collect(options: { max: number }): Promise<T[]> {
    const max = options?.max;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
      throw new CredlyValidationError('request', 'collect', [{ path: 'max', message: 'collect({ max }) needs a whole-number cap of 1 or more' }]);
    }
    const items: T[] = [];
    for await (const item of this) {
      items.push(item);
      if (items.length >= max) break;
    }
    return items;
  }
}

/** Where the next page is fetched: a path (from the API base URL, or from its origin) and a query. */
export interface PageTarget {
  readonly path: string;
  /** The path is from the origin (a next_page_url's own path, e.g. `/api/v1/…`), not from the base URL. */
  readonly fromOrigin: boolean;
  readonly query: Readonly<Record<string, QueryValue>>;
}

/**
 * The request for a `next_page_url`, when it is on the API's own origin (Credly's production URLs
 * are absolute, on another path such as `/api/v1/…`, and carry only the page number). Our own
 * parameters (the filter, the sort) are applied over its query, so that a filter the URL dropped
 * is never lost. `undefined` for a missing, relative or foreign URL: the token never goes elsewhere.
 */
export function nextPageTarget(nextUrl: unknown, baseUrl: string, own: Readonly<Record<string, QueryValue>>): PageTarget | undefined {
  if (typeof nextUrl !== 'string' || nextUrl === '') return undefined;
  let url: URL;
  try {
    url = new URL(nextUrl);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(baseUrl).origin) return undefined;
  const query: Record<string, QueryValue> = Object.fromEntries(url.searchParams.entries());
  for (const [key, value] of Object.entries(own)) if (value !== undefined) query[key] = value;
  return { path: url.pathname, fromOrigin: true, query };
}

/**
 * The pages read so far along one chain of next pages, to stop on a cursor that repeats (a server
 * bug would otherwise loop forever). Immutable: iterating the same list twice starts a new chain.
 */
export class PageTrail {
  readonly #seen: ReadonlySet<string>;
  readonly #what: string;

  constructor(what: string, seen: ReadonlySet<string> = new Set()) {
    this.#what = what;
    this.#seen = seen;
  }

  /** The trail with this page added; throws CredlyValidationError when the page was read before. */
  visit(target: PageTarget): PageTrail {
    const query = Object.entries(target.query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`).sort().join('&');
    const key = `${target.fromOrigin ? 'origin' : 'base'}:${target.path}?${query}`;
    if (this.#seen.has(key)) {
      throw new CredlyValidationError('response', this.#what, [{ path: 'metadata.next_page_url', message: `points at a page already read (${target.path}?${query}); stopping instead of looping` }]);
    }
    return new PageTrail(this.#what, new Set([...this.#seen, key]));
  }
}
