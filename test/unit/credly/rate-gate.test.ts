import { describe, expect, it } from 'vitest';
import { RateGate } from '../../../src/credly/rate-gate.js';

/** A gate on a clock that moves only when it sleeps. */
function gate() {
  let clock = 0;
  const sleeps: number[] = [];
  const g = new RateGate({ now: () => clock, sleep: async (ms) => { sleeps.push(ms); clock += ms; }, maxSpacingMs: 1000 });
  return { g, sleeps, advance: (ms: number) => (clock += ms) };
}

describe('RateGate: the run slows down after 429s', () => {
  it('never waits before any 429', async () => {
    const { g, sleeps } = gate();
    for (let i = 0; i < 5; i += 1) await g.beforeAttempt();
    expect(sleeps).toEqual([]);
  });

  it('holds every request during the pause a 429 set, except the one that already waited it', async () => {
    const { g, sleeps } = gate();
    g.onRateLimited(2000);
    await g.beforeAttempt(undefined, 2000); // the refused request, retrying after its own 2 s wait
    expect(sleeps).toEqual([]);
    await g.beforeAttempt(); // any other request of the client
    expect(sleeps).toEqual([2000]);
  });

  it('spaces requests after a 429, doubling per 429 up to a cap and shrinking with successes', async () => {
    const { g, sleeps, advance } = gate();
    g.onRateLimited(0);
    expect(g.spacingMs).toBe(100);
    for (let i = 0; i < 5; i += 1) g.onRateLimited(0);
    expect(g.spacingMs).toBe(1000);
    advance(1);
    await g.beforeAttempt();
    await g.beforeAttempt();
    await g.beforeAttempt();
    expect(sleeps).toEqual([1000, 1000]);
    for (let i = 0; i < 200; i += 1) g.onSuccess();
    expect(g.spacingMs).toBe(0);
  });

  it('ends a wait when the signal fires', async () => {
    let clock = 0;
    const g = new RateGate({ now: () => clock, sleep: (_ms, signal) => new Promise((_r, reject) => signal?.addEventListener('abort', () => reject(new Error('stopped')))) });
    g.onRateLimited(60_000);
    const controller = new AbortController();
    const waiting = g.beforeAttempt(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('stopped');
    clock += 1;
  });
});

describe('RateGate: retries coming out of one pause', () => {
  it('counts the 429s of one burst once, and spaces the retries instead of letting them go as one burst', async () => {
    const { g, sleeps, advance } = gate();
    for (let i = 0; i < 3; i += 1) g.onRateLimited(1000); // three requests refused at once: one episode
    expect(g.spacingMs).toBe(100);
    advance(1000); // their own 1 s waits (made by the transport) are over
    for (let i = 0; i < 3; i += 1) await g.beforeAttempt(undefined, 1000);
    expect(sleeps).toEqual([100, 100]);
    g.onRateLimited(1000); // a 429 after the pause: a new episode
    expect(g.spacingMs).toBe(200);
  });
});
