import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/cli/run.js';
import { CliError } from '../../src/cli/errors.js';
import { AuthenticationError } from '../../src/index.js';

const sys = (code: string, path?: string) => Object.assign(new Error(`${code}: something`), { code, ...(path ? { path } : {}) });

describe('what an operator reads when something ordinary goes wrong', () => {
  it('system errors are one line with what to do', () => {
    expect(describeFailure(sys('EROFS', '/ledger/awards.ledger'))).toMatchObject({ code: 'EROFS', message: '/ledger/awards.ledger: the file system is read-only: put the ledger and reports on a writable volume', exitCode: 1, bug: false });
    expect(describeFailure(sys('ENOSPC')).message).toBe('the disk is full: free space (the ledger is intact up to its last complete line), then run again');
    expect(describeFailure(sys('EACCES', 'roster.csv')).message).toMatch(/^roster\.csv: permission denied/);
    expect(describeFailure(sys('EPIPE')).message).toMatch(/output was closed/);
  });

  it('refused credentials, the CLI’s own errors, and a bug', () => {
    const refused = new AuthenticationError({ status: 401, method: 'GET', path: '/organizations/o', serverMessage: 'Unauthorized', body: null, headers: {} });
    expect(describeFailure(refused)).toMatchObject({ code: 'CREDLY_AUTHENTICATION', exitCode: 1, message: expect.stringMatching(/^Credly refused the credentials \(401\)/) });
    expect(describeFailure(new CliError('bad flag', 1, 'BAD_OPTION'))).toMatchObject({ code: 'BAD_OPTION', message: 'bad flag', bug: false });
    expect(describeFailure(new TypeError('x is undefined'))).toMatchObject({ code: 'UNEXPECTED', bug: true, message: expect.stringMatching(/run with --verbose for the stack/) });
  });
});
