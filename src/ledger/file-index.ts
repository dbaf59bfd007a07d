import { AWARD_STATES, type AwardState } from './contract.js';
import { KeyTable } from './key-table.js';

const STATE_CODE = new Map<AwardState, number>(AWARD_STATES.map((state, code) => [state, code]));

/** What the file ledger knows of an award without reading its record. */
export interface IndexedAward {
  readonly offset: number;
  readonly length: number;
  readonly state: AwardState;
  readonly microcredentialId: string;
  /** When its lease ends (ms since the epoch); 0 when none is live. */
  readonly leaseUntil: number;
}

/**
 * The file ledger's index of awards: where each award's latest record is, its state, its
 * microcredential and its lease. One slot per award in flat typed columns, and a key table from
 * key to slot (key-table.ts): about 50 bytes an award, none of it a JavaScript object or string,
 * so that 200,000 awards keep the heap small and its collections cheap. Leases are few at a time
 * (the awards in flight) and live in a map of their own.
 */
export class AwardIndex {
  readonly #slots = new KeyTable();
  #offsets = new Float64Array(1024);
  #lengths = new Uint32Array(1024);
  #states = new Uint8Array(1024);
  #micros = new Uint32Array(1024);
  readonly #microIds: string[] = [];
  readonly #microCodes = new Map<string, number>();
  readonly #leases = new Map<number, number>();

  get size(): number {
    return this.#slots.size;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** The award's slot, or -1. Slots count up from 0 in the order awards were first indexed. */
  slotOf(key: string): number {
    return this.#slots.slotOf(key);
  }

  get(key: string): IndexedAward | undefined {
    const slot = this.#slots.slotOf(key);
    return slot < 0 ? undefined : this.at(slot);
  }

  /** The award in a slot, as a short-lived view. */
  at(slot: number): IndexedAward {
    return {
      offset: this.#offsets[slot]!,
      length: this.#lengths[slot]!,
      state: AWARD_STATES[this.#states[slot]!]!,
      microcredentialId: this.#microIds[this.#micros[slot]!]!,
      leaseUntil: this.#leases.get(slot) ?? 0,
    };
  }

  /** The award's key (a new string: read it only for the awards a caller needs). */
  keyAt(slot: number): string {
    return this.#slots.keyAt(slot);
  }

  state(slot: number): AwardState {
    return AWARD_STATES[this.#states[slot]!]!;
  }

  microcredentialId(slot: number): string {
    return this.#microIds[this.#micros[slot]!]!;
  }

  leaseUntil(slot: number): number {
    return this.#leases.get(slot) ?? 0;
  }

  /** Records where the award's latest record is and what it says. */
  set(key: string, award: IndexedAward): void {
    let slot = this.#slots.slotOf(key);
    if (slot < 0) {
      slot = this.#slots.add(key);
      this.#grow(slot + 1);
      this.#micros[slot] = this.#microCode(award.microcredentialId);
    }
    this.#offsets[slot] = award.offset;
    this.#lengths[slot] = award.length;
    this.#states[slot] = STATE_CODE.get(award.state)!;
    if (award.leaseUntil > 0) this.#leases.set(slot, award.leaseUntil);
    else this.#leases.delete(slot);
  }

  /** Moves the award's record (compaction). */
  move(slot: number, offset: number, length: number): void {
    this.#offsets[slot] = offset;
    this.#lengths[slot] = length;
  }

  #microCode(id: string): number {
    let code = this.#microCodes.get(id);
    if (code === undefined) {
      code = this.#microIds.length;
      this.#microIds.push(id);
      this.#microCodes.set(id, code);
    }
    return code;
  }

  #grow(needed: number): void {
    if (needed <= this.#offsets.length) return;
    const capacity = Math.max(needed, Math.ceil(this.#offsets.length * 1.5));
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.#offsets = grow(this.#offsets, (n) => new Float64Array(n));
    this.#lengths = grow(this.#lengths, (n) => new Uint32Array(n));
    this.#states = grow(this.#states, (n) => new Uint8Array(n));
    this.#micros = grow(this.#micros, (n) => new Uint32Array(n));
  }
}
