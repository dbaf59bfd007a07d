import {
  credentialsAndOptionsFromEnv,
  resolveConfig,
  type CredlyClientOptions,
  type CredlyCredentials,
  type ResolvedConfig,
} from './config.js';
import { BadgeTemplatesResource } from './resources/badge-templates.js';
import { BadgesResource } from './resources/badges.js';
import { EventsResource } from './resources/events.js';
import { ObiResource } from './resources/obi.js';
import { OrganizationsResource } from './resources/organizations.js';
import { AuthorizationTokensResource } from './resources/authorization-tokens.js';
import { Transport } from './transport.js';

/**
 * A typed client for the Credly Web Service API v1.
 *
 * ```ts
 * const credly = new CredlyClient({ organizationId, authToken }, { environment: 'sandbox' });
 * const badge = await credly.badges.issue({ ... });
 * ```
 */
export class CredlyClient {
  readonly organizations: OrganizationsResource;
  readonly badgeTemplates: BadgeTemplatesResource;
  readonly badges: BadgesResource;
  readonly events: EventsResource;
  readonly obi: ObiResource;
  /** The organization's authorization tokens, and when the client's own expires. */
  readonly authorizationTokens: AuthorizationTokensResource;
  readonly #transport: Transport;

  constructor(credentials: CredlyCredentials, options: CredlyClientOptions = {}) {
    const config = resolveConfig(credentials, options);
    this.#transport = new Transport(config, options);
    const core = { transport: this.#transport, organizationId: config.organizationId };
    this.organizations = new OrganizationsResource(core);
    this.badgeTemplates = new BadgeTemplatesResource(core);
    this.badges = new BadgesResource(core);
    this.events = new EventsResource(core);
    this.obi = new ObiResource(core);
    this.authorizationTokens = new AuthorizationTokensResource(core, 'authToken' in config.credentials ? config.credentials.authToken : undefined);
  }

  /**
   * A client from `CREDLY_*` variables: CREDLY_ORGANIZATION_ID, CREDLY_API_TOKEN (or
   * CREDLY_OAUTH_CLIENT_ID and CREDLY_OAUTH_CLIENT_SECRET), CREDLY_ENV, CREDLY_BASE_URL,
   * CREDLY_TIMEOUT_MS, CREDLY_MAX_RETRIES, CREDLY_LOG. The library never reads a `.env` file.
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env, options: CredlyClientOptions = {}): CredlyClient {
    const { credentials, options: merged } = credentialsAndOptionsFromEnv(env, options);
    return new CredlyClient(credentials, merged);
  }

  get organizationId(): string {
    return this.#transport.config.organizationId;
  }

  /** The resolved configuration, without credentials. */
  get config(): Omit<ResolvedConfig, 'credentials'> {
    const { credentials: _credentials, ...rest } = this.#transport.config;
    return rest;
  }

  /** Closes the keep-alive connections the client opened. */
  close(): void {
    this.#transport.close();
  }

  /** Never shows the credentials, even when the client is logged whole. */
  toJSON(): Record<string, unknown> {
    return { organizationId: this.organizationId, environment: this.config.environment, baseUrl: this.config.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CredlyClient ${JSON.stringify(this.toJSON())}`;
  }
}
