import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NODE_ARGS_FOR } from '../../helpers/tsx.js';

describe("the client's connections", () => {
  it('are reused without a keep-alive system call on every request', () => {
    // The agent (when a socket is freed) and axios (when a request gets one) each set the socket's
    // keep-alive delay; Node calls setsockopt only when it changes, so they must agree.
    const out = execFileSync(process.execPath, NODE_ARGS_FOR(new URL('../../helpers/children/keep-alive-changes.ts', import.meta.url)), { encoding: 'utf8' });
    const { sockets, changes } = JSON.parse(out) as { sockets: number; changes: number };
    expect(sockets).toBe(1); // one connection, kept alive for ten requests
    expect(changes).toBe(1); // set once, when it was made (twenty with the two disagreeing)
  });
});
