import type { PagePromise } from '../pagination.js';
import { orgPath } from '../path.js';
import { singleEnvelope } from '../schemas/common.js';
import { credlyEventSchema, type CredlyEvent } from '../schemas/event.js';
import type { RequestOptions } from '../transport.js';
import { APIResource } from './base.js';

export class EventsResource extends APIResource {
  list(params: { page?: number } = {}, options?: RequestOptions): PagePromise<CredlyEvent> {
    const path = orgPath(this.core.organizationId, '/events');
    return this.listPages(path, { page: params.page }, credlyEventSchema, `GET ${path}`, options);
  }

  /** One event with its embedded badge or template; also how a webhook is verified. */
  async get(eventId: string, options?: RequestOptions): Promise<CredlyEvent> {
    const path = orgPath(this.core.organizationId, '/events', [eventId, 'eventId']);
    const response = await this.transport.request({ method: 'GET', path }, options);
    return this.transport.parse(singleEnvelope(credlyEventSchema), response.data, `GET ${path}`).data;
  }
}
