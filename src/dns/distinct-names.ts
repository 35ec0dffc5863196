// Roughly how many distinct names were counted, in 1 KiB: linear counting (a bitmap of hashed
// names; the share of bits still clear gives the estimate), good to about 20,000 distinct names,
// which is all a flood finding needs to know. The hash is seeded per process so that crafted names
// cannot be aimed at one bit.
import { randomInt } from 'node:crypto';

const BITS = 8192;
const SEED = randomInt(0, 0x7fffffff) ^ 0x811c9dc5;

export class DistinctNames {
  private readonly bits = new Uint8Array(BITS / 8);
  private clear = BITS;

  add(name: string): void {
    let h = SEED;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const bit = (h ^ (h >>> 12)) & (BITS - 1);
    const mask = 1 << (bit & 7);
    if (this.bits[bit >> 3] & mask) return;
    this.bits[bit >> 3] |= mask;
    this.clear--;
  }

  /** Adds every name of `other` (a union of two windows' names). */
  addAll(other: DistinctNames): void {
    let clear = 0;
    for (let i = 0; i < this.bits.length; i++) {
      this.bits[i] |= other.bits[i];
      clear += 8 - popcount(this.bits[i]);
    }
    this.clear = clear;
  }

  /** Share of the bitmap set: past about a half, membership tells little. */
  fill(): number {
    return 1 - this.clear / BITS;
  }

  /**
   * Estimated share of this set's names that `earlier` holds too. A name of earlier sets its bit
   * in both; any other name lands on one of earlier's bits by chance, as often as earlier is full.
   */
  shareAlsoIn(earlier: DistinctNames): number {
    const set = BITS - this.clear;
    if (set === 0) return 0;
    let both = 0;
    for (let i = 0; i < this.bits.length; i++) both += popcount(this.bits[i] & earlier.bits[i]);
    const f = earlier.fill();
    return f >= 1 ? 1 : Math.max(0, Math.min(1, (both / set - f) / (1 - f)));
  }

  /** The estimated number of distinct names added (Whang et al.'s linear counting). */
  estimate(): number {
    if (this.clear === 0) return Infinity;
    return Math.round(-BITS * Math.log(this.clear / BITS));
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
}
