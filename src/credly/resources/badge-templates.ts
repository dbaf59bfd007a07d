import { buildFilter, buildSort, type FilterValue } from '../filters.js';
import type { PagePromise } from '../pagination.js';
import { orgPath } from '../path.js';
import { singleEnvelope } from '../schemas/common.js';
import { badgeTemplateSchema, type BadgeTemplate, type BadgeTemplateState } from '../schemas/badge-template.js';
import {
  createBadgeTemplateRequestSchema,
  updateBadgeTemplateRequestSchema,
  type CreateBadgeTemplateParams,
  type UpdateBadgeTemplateParams,
} from '../schemas/requests.js';
import type { RequestOptions } from '../transport.js';
import { APIResource, validateRequest } from './base.js';

export interface BadgeTemplateListParams {
  readonly filter?: {
    readonly state?: BadgeTemplateState | readonly BadgeTemplateState[];
    /** Partial match on name or description. */
    readonly query?: string;
    /** Partial match; wrap in double quotes for an exact match. */
    readonly name?: string;
    readonly skills?: readonly string[];
    readonly reporting_tags?: readonly string[];
    readonly public?: boolean;
    readonly [key: string]: FilterValue;
  };
  /** e.g. `name`, `-badges_count`. */
  readonly sort?: string | readonly string[];
  /** The page to start from (1 by default). */
  readonly page?: number;
}

export class BadgeTemplatesResource extends APIResource {
  list(params: BadgeTemplateListParams = {}, options?: RequestOptions): PagePromise<BadgeTemplate> {
    const path = orgPath(this.core.organizationId, '/badge_templates');
    const query = { filter: buildFilter(params.filter), sort: buildSort(params.sort), page: params.page };
    return this.listPages(path, query, badgeTemplateSchema, `GET ${path}`, options);
  }

  async get(templateId: string, options?: RequestOptions): Promise<BadgeTemplate> {
    const path = orgPath(this.core.organizationId, '/badge_templates', [templateId, 'templateId']);
    const response = await this.transport.request({ method: 'GET', path }, options);
    return this.transport.parse(singleEnvelope(badgeTemplateSchema), response.data, `GET ${path}`).data;
  }

  /**
   * Creates a template (201 with a Location header). The response body is not documented: when it
   * holds no template, the template is read back from the Location header's id.
   */
  async create(params: CreateBadgeTemplateParams, options?: RequestOptions): Promise<BadgeTemplate> {
    const body = validateRequest(createBadgeTemplateRequestSchema, params, 'badge template');
    const path = orgPath(this.core.organizationId, '/badge_templates');
    const response = await this.transport.request({ method: 'POST', path, body }, options);
    const data = (response.data as { data?: unknown } | undefined)?.data;
    if (data && typeof data === 'object') return this.transport.parse(singleEnvelope(badgeTemplateSchema), response.data, `POST ${path}`).data;
    const location = response.headers.location;
    const id = location ? new URL(location, 'http://placeholder').pathname.split('/').filter(Boolean).pop() : undefined;
    if (!id) return this.transport.parse(singleEnvelope(badgeTemplateSchema), response.data, `POST ${path}`).data;
    return this.get(decodeURIComponent(id), options);
  }

  /** Updates a template. Unverified against Credly (credly-api.md §3.2 marks it modeled). */
  async update(templateId: string, params: UpdateBadgeTemplateParams, options?: RequestOptions): Promise<BadgeTemplate> {
    const body = validateRequest(updateBadgeTemplateRequestSchema, params, 'badge template update');
    const path = orgPath(this.core.organizationId, '/badge_templates', [templateId, 'templateId']);
    const response = await this.transport.request({ method: 'PUT', path, body }, options);
    return this.transport.parse(singleEnvelope(badgeTemplateSchema), response.data, `PUT ${path}`).data;
  }
}
