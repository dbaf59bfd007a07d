import { KeyTable } from '../ledger/key-table.js';

/**
 * The awards a run has met in its roster so far, each with the first row that asked for it (a
 * later row for the same award is a duplicate). Held in a key table and a typed column, not a
 * Map of strings: one entry per award of the roster is most of what a large run keeps in memory.
 */
export class RowsSeen {
  readonly #keys = new KeyTable();
  #rows = new Uint32Array(1024);

  get size(): number {
    return this.#keys.size;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** The first row seen for the award, if any. */
  firstRow(key: string): number | undefined {
    const slot = this.#keys.slotOf(key);
    return slot < 0 ? undefined : this.#rows[slot];
  }

  /** Records the award's row, unless a row was seen for it before (the first one stays). */
  add(key: string, row: number): void {
    const before = this.#keys.size;
    const slot = this.#keys.add(key);
    if (slot < before) return;
    if (slot >= this.#rows.length) {
      const rows = new Uint32Array(Math.ceil(this.#rows.length * 1.5) + 1);
      rows.set(this.#rows);
      this.#rows = rows;
    }
    this.#rows[slot] = row;
  }
}
