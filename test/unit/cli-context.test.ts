import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { announceTarget, clientFrom } from '../../src/cli/context.js';
import { CliError } from '../../src/cli/errors.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk, _e, done) => ((text += chunk), done()) });
  return { stream, text: () => text };
}

const env = { CREDLY_ORGANIZATION_ID: 'org-1', CREDLY_API_TOKEN: 'tok-1' };

describe('the CLI says where it writes before it writes', () => {
  it('the sandbox by default', () => {
    const out = capture();
    announceTarget(clientFrom({}, env), out.stream);
    expect(out.text()).toBe('Writing to the Credly sandbox (https://sandbox-api.credly.com/v1), organization org-1\n');
  });

  it('production only when asked, by flag or CREDLY_ENV', () => {
    for (const client of [clientFrom({ production: true }, env), clientFrom({}, { ...env, CREDLY_ENV: 'production' })]) {
      const out = capture();
      announceTarget(client, out.stream);
      expect(out.text()).toBe('Writing to PRODUCTION Credly (https://api.credly.com/v1), organization org-1\n');
    }
  });

  it('turns a configuration problem into one line, without the token', () => {
    expect(() => clientFrom({}, { CREDLY_API_TOKEN: 'tok-1' })).toThrow(CliError);
    expect(() => clientFrom({}, { CREDLY_API_TOKEN: 'tok-1' })).toThrow(/configuration: organizationId is required/);
  });
});
