import type { z } from 'zod';
import { CredlyValidationError } from '../errors.js';
import { hasMorePages, makePage, nextPageTarget, PagePromise, PageTrail, type Page, type PageTarget } from '../pagination.js';
import { listEnvelope, type PageMetadata } from '../schemas/common.js';
import type { QueryValue, RequestOptions, Transport } from '../transport.js';

export interface ClientCore {
  readonly transport: Transport;
  readonly organizationId: string;
}

/** Validates a request payload before anything is sent. */
export function validateRequest<S extends z.ZodType>(schema: S, params: unknown, what: string): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw new CredlyValidationError(
    'request',
    what,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** The base of every resource: holds the client's transport and organization. */
export abstract class APIResource {
  protected readonly core: ClientCore;

  constructor(core: ClientCore) {
    this.core = core;
  }

  protected get transport(): Transport {
    return this.core.transport;
  }

  /**
   * A page-numbered list. The next page is Credly's `next_page_url` when it is on the API's own
   * origin (its path and query, with our filter and sort applied over it); otherwise `page=N+1` on
   * our own path, when the metadata says more pages follow. A page read twice stops the iteration
   * with an error (credly-api.md §2 "Pitfall", §10).
   */
  protected listPages<S extends z.ZodType>(
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    itemSchema: S,
    what: string,
    options: RequestOptions = {},
  ): PagePromise<z.output<S>> {
    const envelope = listEnvelope(itemSchema);
    const own = { ...query, page: undefined };
    const fetchPage = async (target: PageTarget, page: number, before: PageTrail): Promise<Page<z.output<S>>> => {
      const trail = before.visit(target);
      const response = await this.transport.request({ method: 'GET', path: target.path, query: target.query, ...(target.fromOrigin ? { fromOrigin: true } : {}) }, options);
      const parsed = this.transport.parse(envelope, response.data, what) as { data: z.output<S>[]; metadata?: PageMetadata | null };
      const metadata: PageMetadata = parsed.metadata ?? {};
      const followed = nextPageTarget(metadata.next_page_url, this.transport.config.baseUrl, own);
      const nextTarget: PageTarget | undefined = followed ?? (hasMorePages(metadata, page) ? { path, fromOrigin: false, query: { ...own, page: page + 1 } } : undefined);
      const next = nextTarget ? () => fetchPage(nextTarget, page + 1, trail) : null;
      return makePage(parsed.data ?? [], metadata, next);
    };
    const start = typeof query.page === 'number' ? query.page : 1;
    return new PagePromise(() => fetchPage({ path, fromOrigin: false, query: { ...own, page: start } }, start, new PageTrail(what)));
  }
}
