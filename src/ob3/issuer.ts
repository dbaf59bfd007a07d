import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatPath } from '../domain/errors.js';
import { Ob3InputError } from './errors.js';

const httpUrl = (what: string) => z.url({ protocol: /^https?$/, error: (issue) => `${what} must be an http(s) URL, got "${String(issue.input)}"` });

/**
 * Who issues the credentials, as the campus configures it (`--issuer-config <file>`, JSON). The
 * issuer's `id` is not configured: it is the signing key's DID, so that a verifier can tie the
 * proof to the issuer.
 */
export const issuerConfigSchema = z.strictObject({
  name: z.string({ error: 'name is required (e.g. "Binghamton University")' }).trim().min(1, { error: 'name is required' }).max(200),
  url: httpUrl('url'),
  email: z.email({ error: 'email must be an email address' }).optional(),
  image: httpUrl('image').optional(),
  description: z.string().trim().min(1).max(2000).optional(),
  /**
   * Where the campus publishes credentials and achievements: credential ids are
   * `<baseUrl>/credentials/<hash>` and achievement ids `<baseUrl>/achievements/<microcredential id>`.
   * Defaults to `url`. Changing it changes every id.
   */
  baseUrl: httpUrl('baseUrl').optional(),
  /** Where the campus publishes the signed status list; credentials carry `credentialStatus` only when set. */
  statusListUrl: httpUrl('statusListUrl').optional(),
});
export type IssuerConfig = z.infer<typeof issuerConfigSchema>;

/** The issuer as a credential names it: the configuration plus the key's DID. */
export type Ob3Issuer = IssuerConfig & { readonly id: string };

export function parseIssuerConfig(input: unknown, source = 'issuer configuration'): IssuerConfig {
  const parsed = issuerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Ob3InputError(`${source}: ${formatPath(first.path) || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

export async function readIssuerConfig(path: string): Promise<IssuerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Ob3InputError(`cannot read the issuer configuration ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Ob3InputError(`the issuer configuration ${path} is not JSON`);
  }
  return parseIssuerConfig(data, path);
}

/** The base of every id this issuer mints, without a trailing slash. */
export function issuerBaseUrl(issuer: IssuerConfig): string {
  return (issuer.baseUrl ?? issuer.url).replace(/\/+$/, '');
}
