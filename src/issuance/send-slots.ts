/**
 * Slots for talking to Credly: at most `size` awards send or look up at once, in arrival order.
 * The executor prepares more awards than that (planned, claimed, intent durable), so that a slot
 * freed by a response goes to an award that can be sent at once, not one still waiting for its
 * intent to reach the disk.
 */
export class SendSlots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = Math.max(1, size);
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}
