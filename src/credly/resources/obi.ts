import type { ZodType } from 'zod';
import { segment } from '../path.js';
import {
  obiBadgeAssertionSchema,
  obiBadgeClassSchema,
  obiIssuerSchema,
  type ObiBadgeAssertion,
  type ObiBadgeClass,
  type ObiIssuer,
} from '../schemas/obi.js';
import type { RequestOptions } from '../transport.js';
import { APIResource } from './base.js';

/** Open Badges 2.0 JSON-LD, bare (no envelope). */
export class ObiResource extends APIResource {
  async #get<T>(path: string, schema: ZodType<T>, options?: RequestOptions): Promise<T> {
    const response = await this.transport.request({ method: 'GET', path }, options);
    return this.transport.parse(schema, response.data, `GET ${path}`);
  }

  badgeAssertion(badgeId: string, options?: RequestOptions): Promise<ObiBadgeAssertion> {
    return this.#get(`/obi/v2/badge_assertions/${segment(badgeId, 'badgeId')}`, obiBadgeAssertionSchema, options);
  }

  badgeClass(templateId: string, options?: RequestOptions): Promise<ObiBadgeClass> {
    return this.#get(`/obi/v2/badge_classes/${segment(templateId, 'templateId')}`, obiBadgeClassSchema, options);
  }

  issuer(issuerId: string, options?: RequestOptions): Promise<ObiIssuer> {
    return this.#get(`/obi/v2/issuers/${segment(issuerId, 'issuerId')}`, obiIssuerSchema, options);
  }
}
