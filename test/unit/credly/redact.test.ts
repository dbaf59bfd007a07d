import { describe, expect, it } from 'vitest';
import { redactSecrets, redactSecretsDeep } from '../../../src/credly/redact.js';

const token = 'tok-3f9a1c';
const basic = Buffer.from(`${token}:`).toString('base64');
const bare = Buffer.from(token).toString('base64');

describe('redactSecrets', () => {
  it('removes each secret and its Basic-auth encodings, every occurrence', () => {
    expect(redactSecrets(`a ${token} b ${token} Basic ${basic} c ${bare}`, [token])).toBe('a [REDACTED] b [REDACTED] Basic [REDACTED] c [REDACTED]');
  });

  it('returns a string without secrets as it is, and ignores empty secrets', () => {
    const text = 'nothing to hide here';
    expect(redactSecrets(text, ['', token])).toBe(text);
    expect(redactSecrets('', [token])).toBe('');
  });

  it('follows a list of secrets that changes after first use', () => {
    const secrets: string[] = [token];
    expect(redactSecrets('x other-secret', secrets)).toBe('x other-secret');
    secrets.push('other-secret');
    expect(redactSecrets(`x other-secret ${token}`, secrets)).toBe('x [REDACTED] [REDACTED]');
  });

  it('redacts every string of a report, keys kept', () => {
    const report = { totals: { issued: 1 }, awards: [{ reason: `Credly echoed ${token}`, row: 2 }], [token]: 'key kept' };
    expect(redactSecretsDeep(report, [token])).toEqual({ totals: { issued: 1 }, awards: [{ reason: 'Credly echoed [REDACTED]', row: 2 }], [token]: 'key kept' });
  });
});
