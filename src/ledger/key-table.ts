/**
 * A set of strings that numbers each one (its slot: 0, 1, 2, … in the order added), kept without
 * a JavaScript string or Map entry per key: the keys' UTF-8 bytes in one growing buffer, and an
 * open-addressing hash table in a typed array. About 35 bytes a key (for keys of ~25 characters),
 * all of it outside the garbage-collected heap, where a Map<string, number> costs ~120 bytes a key
 * that every major collection traces, and whose heap V8 lets grow to several times its live size
 * between collections. A job of 200,000 awards keeps two of these (the file ledger's index and
 * the run's rows seen), so this is most of what grows with the number of awards.
 *
 * Keys are never removed (the ledger's awards and a run's rows are only added). Lookups compare
 * the stored bytes, not only the hash: two keys never share a slot.
 */
export class KeyTable {
  #bytes = Buffer.allocUnsafe(16 * 1024);
  #used = 0;
  /** Where key `slot` starts in #bytes; key `slot` ends where key `slot + 1` starts (#starts[size] = #used). */
  #starts = new Uint32Array(1025);
  #hashes = new Uint32Array(1024);
  /** Open addressing with linear probing: slot + 1, or 0 for an empty cell. Length is a power of two. */
  #table = new Int32Array(2048);
  #size = 0;
  #scratch = Buffer.allocUnsafe(256);

  get size(): number {
    return this.#size;
  }

  has(key: string): boolean {
    return this.slotOf(key) >= 0;
  }

  /** The key's slot, or -1. */
  slotOf(key: string): number {
    const hash = hashOf(key);
    const length = this.#encode(key);
    const mask = this.#table.length - 1;
    for (let cell = hash & mask; ; cell = (cell + 1) & mask) {
      const entry = this.#table[cell]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.#hashes[slot] === hash && this.#sameBytes(slot, length)) return slot;
    }
  }

  /** The key's slot, added at the end when it is new. */
  add(key: string): number {
    const hash = hashOf(key);
    const length = this.#encode(key);
    const mask = this.#table.length - 1;
    let cell = hash & mask;
    for (; ; cell = (cell + 1) & mask) {
      const entry = this.#table[cell]!;
      if (entry === 0) break;
      const slot = entry - 1;
      if (this.#hashes[slot] === hash && this.#sameBytes(slot, length)) return slot;
    }
    const slot = this.#size;
    this.#reserve(slot + 1, length);
    this.#scratch.copy(this.#bytes, this.#used, 0, length);
    this.#used += length;
    this.#hashes[slot] = hash;
    this.#starts[slot + 1] = this.#used;
    this.#size = slot + 1;
    if (this.#size * 4 > this.#table.length * 3) this.#rehash(this.#table.length * 2);
    else this.#table[cell] = slot + 1;
    return slot;
  }

  /** The key in a slot (a new string each time: callers hold it only as long as they need it). */
  keyAt(slot: number): string {
    if (slot < 0 || slot >= this.#size) throw new RangeError(`no key in slot ${slot}`);
    return this.#bytes.toString('utf8', this.#starts[slot]!, this.#starts[slot + 1]!);
  }

  /** The keys in slot order. */
  *keys(): IterableIterator<string> {
    for (let slot = 0; slot < this.#size; slot += 1) yield this.keyAt(slot);
  }

  /** Writes the key's UTF-8 bytes into the scratch buffer; returns how many. */
  #encode(key: string): number {
    // Three bytes per UTF-16 unit at most.
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(key.length * 3);
    return this.#scratch.write(key, 0, 'utf8');
  }

  #sameBytes(slot: number, length: number): boolean {
    const start = this.#starts[slot]!;
    const end = this.#starts[slot + 1]!;
    return end - start === length && this.#scratch.compare(this.#bytes, start, end, 0, length) === 0;
  }

  #reserve(slots: number, bytes: number): void {
    if (this.#used + bytes > this.#bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#used + bytes, Math.ceil(this.#bytes.length * 1.5)));
      this.#bytes.copy(next, 0, 0, this.#used);
      this.#bytes = next;
    }
    if (slots > this.#hashes.length) {
      const capacity = Math.max(slots, Math.ceil(this.#hashes.length * 1.5));
      const hashes = new Uint32Array(capacity);
      hashes.set(this.#hashes);
      this.#hashes = hashes;
      const starts = new Uint32Array(capacity + 1);
      starts.set(this.#starts);
      this.#starts = starts;
    }
  }

  #rehash(cells: number): void {
    const table = new Int32Array(cells);
    const mask = cells - 1;
    for (let slot = 0; slot < this.#size; slot += 1) {
      let cell = this.#hashes[slot]! & mask;
      while (table[cell] !== 0) cell = (cell + 1) & mask;
      table[cell] = slot + 1;
    }
    this.#table = table;
  }
}

/** FNV-1a over the string's UTF-16 units, with a final mix so that linear probing spreads keys that differ only at the end. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
