/** A clock that moves only when told: leases and expiries are judged by it in tests. */
export class TestClock {
  #ms: number;
  constructor(start = Date.parse('2026-09-01T12:00:00.000Z')) {
    this.#ms = start;
  }
  readonly now = (): Date => new Date(this.#ms);
  advance(ms: number): void {
    this.#ms += ms;
  }
}
