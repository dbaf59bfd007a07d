import type { PagePromise } from '../pagination.js';
import { segment } from '../path.js';
import { singleEnvelope } from '../schemas/common.js';
import { organizationSchema, type Organization } from '../schemas/organization.js';
import type { RequestOptions } from '../transport.js';
import { APIResource } from './base.js';

export class OrganizationsResource extends APIResource {
  /** The organizations the credentials can see (a way to discover the organization id). */
  list(options?: RequestOptions): PagePromise<Organization> {
    return this.listPages('/organizations', {}, organizationSchema, 'GET /organizations', options);
  }

  /** One organization; the client's own by default. Also a cheap check that the credentials work. */
  async get(organizationId: string = this.core.organizationId, options?: RequestOptions): Promise<Organization> {
    const path = `/organizations/${segment(organizationId, 'organizationId')}`;
    const response = await this.transport.request({ method: 'GET', path }, options);
    return this.transport.parse(singleEnvelope(organizationSchema), response.data, `GET ${path}`).data;
  }
}
