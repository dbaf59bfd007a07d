import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../../src/ledger/key-table.js';
import { RowsSeen } from '../../../src/issuance/rows-seen.js';

describe('KeyTable', () => {
  it('numbers keys in the order added and finds each again, across growth and rehashing', () => {
    const table = new KeyTable();
    const reference = new Map<string, number>();
    // Enough keys to grow the byte buffer, the columns and the hash table several times.
    const wrong: string[] = [];
    for (let k = 0; k < 30_000; k += 1) {
      const key = `coding-in-sql:learner${k}@example.edu`;
      if (table.add(key) !== k) wrong.push(`add ${key}`);
      reference.set(key, k);
    }
    expect(table.size).toBe(30_000);
    for (const [key, slot] of reference) {
      if (table.slotOf(key) !== slot) wrong.push(`slotOf ${key}`);
      if (table.keyAt(slot) !== key) wrong.push(`keyAt ${slot}`);
    }
    expect(wrong).toEqual([]);
    expect(table.add('coding-in-sql:learner17@example.edu')).toBe(17); // already there: same slot, nothing added
    expect(table.size).toBe(30_000);
    expect(table.slotOf('coding-in-sql:learner30000@example.edu')).toBe(-1);
    expect([...table.keys()].slice(0, 2)).toEqual(['coding-in-sql:learner0@example.edu', 'coding-in-sql:learner1@example.edu']);
  });

  it('tells apart keys that differ only in bytes beyond ASCII, in length, or by a prefix', () => {
    const table = new KeyTable();
    const keys = ['', 'a', 'ab', 'é', 'e\u0301', 'Zoë', 'Zoe', '😀', '😀😀', `x${'y'.repeat(500)}`, `x${'y'.repeat(499)}`];
    keys.forEach((key, slot) => expect(table.add(key)).toBe(slot));
    keys.forEach((key, slot) => {
      expect(table.slotOf(key)).toBe(slot);
      expect(table.keyAt(slot)).toBe(key);
    });
    expect(table.has('zoe')).toBe(false);
  });

  it('never merges two keys whose hashes collide', () => {
    // Distinct keys in a small table share hash cells; each must keep its own slot.
    const table = new KeyTable();
    const keys = Array.from({ length: 5_000 }, (_, k) => String(k * 7919));
    for (const key of keys) table.add(key);
    expect(new Set(keys.map((key) => table.slotOf(key))).size).toBe(keys.length);
  });

  it('refuses a slot it does not hold', () => {
    const table = new KeyTable();
    table.add('one');
    expect(() => table.keyAt(1)).toThrow(RangeError);
    expect(() => table.keyAt(-1)).toThrow(RangeError);
  });
});

describe('RowsSeen', () => {
  it('keeps the first row seen for an award', () => {
    const seen = new RowsSeen();
    for (let row = 2; row < 3_000; row += 1) seen.add(`award-${row % 1_000}`, row);
    expect(seen.size).toBe(1_000);
    expect(seen.firstRow('award-5')).toBe(5);
    expect(seen.firstRow('award-0')).toBe(1_000);
    expect(seen.firstRow('award-1000')).toBeUndefined();
    expect(seen.has('award-999')).toBe(true);
  });
});
