import type { z } from 'zod';
import { CredlyValidationError } from '../errors.js';
import { hasMorePages, makePage, PagePromise, type Page } from '../pagination.js';
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
   * A page-numbered list. We build `page=N` URLs ourselves instead of following `next_page_url`,
   * which may drop filters and could point at another host (credly-api.md §2 "Pitfall").
   */
  protected listPages<S extends z.ZodType>(
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    itemSchema: S,
    what: string,
    options: RequestOptions = {},
  ): PagePromise<z.output<S>> {
    const envelope = listEnvelope(itemSchema);
    const fetchPage = async (page: number): Promise<Page<z.output<S>>> => {
      const response = await this.transport.request({ method: 'GET', path, query: { ...query, page } }, options);
      const parsed = this.transport.parse(envelope, response.data, what) as { data: z.output<S>[]; metadata?: PageMetadata | null };
      const metadata: PageMetadata = parsed.metadata ?? {};
      const next = hasMorePages(metadata, page) ? () => fetchPage(page + 1) : null;
      return makePage(parsed.data ?? [], metadata, next);
    };
    const start = typeof query.page === 'number' ? query.page : 1;
    return new PagePromise(() => fetchPage(start));
  }
}
