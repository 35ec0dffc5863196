// A table of rows keyed by untrusted strings (names, zones) whose size stays bounded: when it
// grows past twice its capacity, the least-used rows are folded into one "other" row, so a flood
// of random names cannot grow memory or output cardinality.

const ADMIT_EVERY = 8;

export class BoundedTable<R> {
  private rows = new Map<string, { row: R; weight: number }>();
  private readonly other: R;
  private folded = 0;
  private misses = 0;

  constructor(
    private readonly capacity: number,
    private readonly make: (key: string) => R,
    private readonly mergeInto: (into: R, from: R) => void,
  ) {
    this.other = make('other');
  }

  /**
   * The row for key; each call counts as one use of the row. Once the table holds `capacity`
   * rows, only one new key in ADMIT_EVERY gets a row and the others count straight into
   * "other": a busy key soon gets in, while a stream of one-off names costs no row churn.
   */
  row(key: string): R {
    const slot = this.rows.get(key);
    if (slot) {
      slot.weight++;
      return slot.row;
    }
    if (this.rows.size >= this.capacity && ++this.misses % ADMIT_EVERY !== 0) return this.other;
    if (this.rows.size >= this.capacity * 2) this.compact();
    const row = this.make(key);
    this.rows.set(key, { row, weight: 1 });
    return row;
  }

  /** Looks a row up without creating or weighting it. */
  peek(key: string): R | undefined {
    return this.rows.get(key)?.row;
  }

  entries(): IterableIterator<[string, { row: R; weight: number }]> {
    return this.rows.entries();
  }

  /** Rows folded into "other" so far. */
  get foldedRows(): number {
    return this.folded;
  }

  /** What has been folded (or counted) into "other" so far, or undefined when nothing was. */
  foldedOther(): R | undefined {
    return this.folded || this.misses ? this.other : undefined;
  }

  /** The n most used rows, then "other" (the rest plus everything folded) when not empty. */
  top(n: number): { rows: [string, R][]; other: R | undefined } {
    const sorted = [...this.rows.entries()].sort((a, b) => b[1].weight - a[1].weight);
    const rows = sorted.slice(0, n).map(([k, v]) => [k, v.row] as [string, R]);
    const tail = sorted.slice(n);
    if (tail.length === 0 && this.folded === 0 && this.misses === 0) return { rows, other: undefined };
    const other = this.make('other');
    this.mergeInto(other, this.other);
    for (const [, v] of tail) this.mergeInto(other, v.row);
    return { rows, other };
  }

  private compact(): void {
    const sorted = [...this.rows.entries()].sort((a, b) => b[1].weight - a[1].weight);
    for (const [k, v] of sorted.slice(this.capacity)) {
      this.mergeInto(this.other, v.row);
      this.rows.delete(k);
      this.folded++;
    }
    // Halve the survivors' weights so rows that were busy long ago can make room for new ones.
    for (const v of this.rows.values()) v.weight = Math.ceil(v.weight / 2);
  }
}
