// A map keyed by a question tuple's fingerprint (see question-keys.ts) whose entries expire in
// bulk, by generations.
//
// The matcher keeps every query of the last ~9 s here (hundreds of thousands of entries at a busy
// node's rate). As JS objects (a node per entry holding its key strings) they outlived the young
// generation, so every query became old-space garbage: most of the GC time and peak memory of
// the analysis. Here an entry is a few slots in typed arrays: its fingerprint, a number value
// (the send time of an answered query) as a double, and only object values (open or failed
// attempts: few) as references.
//
// Generations: writes go to the current one, reads look in the current then the previous one,
// and rotating drops the previous one whole (its arrays are cleared and reused), so entries live
// one to two generation lengths and memory is bounded by the query rate times the window.

const MIN_SLOTS = 1 << 10;

function removeFrom(g: Generation<object>, a: number, b: number): void {
  const s = g.count ? g.find(a, b) : -1;
  if (s >= 0) g.remove(s);
}

/**
 * One generation: an open-addressing (linear probing) table kept at most half full, with one
 * filter bit per key (8 bits per slot, by the second lane). Most lookups are for keys never
 * seen (glibc opens a new socket per lookup); a clear bit answers them from an array 24 times
 * smaller than the table, which stays in the CPU cache, where a probe of the table is a miss.
 */
class Generation<V extends object> {
  /** Per slot: the two fingerprint lanes; [_, 0] is empty. */
  fp: Int32Array;
  num: Float64Array;
  obj: (V | undefined)[];
  bits: Int32Array;
  mask: number;
  count = 0;

  constructor(slots: number) {
    this.fp = new Int32Array(slots * 2);
    this.num = new Float64Array(slots);
    this.obj = new Array<V | undefined>(slots).fill(undefined);
    this.bits = new Int32Array(slots / 4);
    this.mask = slots - 1;
  }

  /** The slot holding the fingerprint, or -1. */
  find(a: number, b: number): number {
    // Bit (b >>> 1) mod (slots * 8): the low bit of b is always set.
    const bit = (b >>> 1) & (this.mask * 8 + 7);
    if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return -1;
    const fp = this.fp;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const lane = fp[2 * i + 1];
      if (lane === 0) return -1;
      if (lane === b && fp[2 * i] === a) return i;
    }
  }

  /** The slot for the fingerprint, claimed when absent. */
  claim(a: number, b: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const fp = this.fp;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const lane = fp[2 * i + 1];
      if (lane === b && fp[2 * i] === a) return i;
      if (lane === 0) {
        fp[2 * i] = a;
        fp[2 * i + 1] = b;
        this.count++;
        const bit = (b >>> 1) & (mask * 8 + 7);
        this.bits[bit >>> 5] |= 1 << (bit & 31);
        return i;
      }
    }
  }

  /**
   * Empties slot i, moving later entries of its probe run back so lookups never stop early.
   * (Filter bits stay set: the filter only ever says "maybe"; clearing the generation resets it.)
   */
  remove(i: number): void {
    const fp = this.fp;
    const mask = this.mask;
    this.count--;
    for (;;) {
      fp[2 * i] = 0;
      fp[2 * i + 1] = 0;
      this.obj[i] = undefined;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        if (fp[2 * j + 1] === 0) return;
        const home = fp[2 * j] & mask;
        // An entry may fill the hole only if its home slot is not between the hole and itself.
        if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
        break;
      }
      fp[2 * i] = fp[2 * j];
      fp[2 * i + 1] = fp[2 * j + 1];
      this.num[i] = this.num[j];
      this.obj[i] = this.obj[j];
      i = j;
    }
  }

  clear(): void {
    if (this.count === 0) return;
    this.fp.fill(0);
    this.obj.fill(undefined);
    this.bits.fill(0);
    this.count = 0;
  }

  private grow(): void {
    const { fp, num, obj } = this;
    const slots = (this.mask + 1) * 2;
    this.fp = new Int32Array(slots * 2);
    this.num = new Float64Array(slots);
    this.obj = new Array<V | undefined>(slots).fill(undefined);
    this.bits = new Int32Array(slots / 4);
    this.mask = slots - 1;
    this.count = 0;
    for (let i = 0; i < num.length; i++) {
      if (fp[2 * i + 1] === 0) continue;
      const s = this.claim(fp[2 * i], fp[2 * i + 1]);
      this.num[s] = num[i];
      this.obj[s] = obj[i];
    }
  }
}

/**
 * Keys are fingerprints (a, b) with b never 0; values are objects (V) or numbers. A map that is
 * never rotated (generationMs Infinity) is a plain map.
 */
export class QuestionKeyMap<V extends object> {
  private current = new Generation<V>(MIN_SLOTS);
  private previous = new Generation<V>(MIN_SLOTS);
  private startedAt = -Infinity;

  constructor(private readonly generationMs: number) {}

  get(a: number, b: number): V | number | undefined {
    let g = this.current;
    let s = g.count ? g.find(a, b) : -1;
    if (s < 0 && this.previous.count) {
      g = this.previous;
      s = g.find(a, b);
    }
    if (s < 0) return undefined;
    return g.obj[s] ?? g.num[s];
  }

  /** The value when it is an object (for maps that hold only objects). */
  getObject(a: number, b: number): V | undefined {
    const v = this.get(a, b);
    return typeof v === 'object' ? v : undefined;
  }

  set(a: number, b: number, value: V | number): void {
    const g = this.current;
    const s = g.claim(a, b);
    if (typeof value === 'number') {
      g.num[s] = value;
      g.obj[s] = undefined;
    } else {
      g.obj[s] = value;
    }
  }

  delete(a: number, b: number): void {
    removeFrom(this.current, a, b);
    removeFrom(this.previous, a, b);
  }

  /** Entries in both generations (an upper bound of the distinct keys). */
  get size(): number {
    return this.current.count + this.previous.count;
  }

  /** Starts a new generation when the current one is old enough. */
  rotate(now: number): void {
    if (this.startedAt === -Infinity) this.startedAt = now;
    if (now - this.startedAt < this.generationMs) return;
    const dropped = this.previous;
    this.previous = this.current;
    dropped.clear();
    this.current = dropped;
    this.startedAt = now;
  }
}
