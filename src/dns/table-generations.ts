// Two generations of a bounded table: the current one and the one before. Rotating every half
// horizon lets evidence older than the horizon fade out without a sliding window per row.
import { BoundedTable } from './bounded-table.js';

export class TableGenerations<R> {
  private current: BoundedTable<R>;
  private previous: BoundedTable<R> | undefined;
  private startedAt = -Infinity;

  constructor(
    private readonly capacity: number,
    private readonly make: (key: string) => R,
    private readonly mergeInto: (into: R, from: R) => void,
    private readonly rotateEveryMs: number,
  ) {
    this.current = new BoundedTable(capacity, make, mergeInto);
  }

  row(key: string, now: number): R {
    if (this.startedAt === -Infinity) this.startedAt = now;
    else if (now - this.startedAt >= this.rotateEveryMs) {
      this.previous = this.current;
      this.current = new BoundedTable(this.capacity, this.make, this.mergeInto);
      this.startedAt = now;
    }
    return this.current.row(key);
  }

  /** Both generations merged by key: the rows to rank, plus the combined "other". */
  rows(): { rows: Map<string, R>; other: R | undefined } {
    const rows = new Map<string, R>();
    let other: R | undefined;
    for (const table of [this.previous, this.current]) {
      if (!table) continue;
      for (const [k, { row }] of table.entries()) {
        const have = rows.get(k);
        if (have) this.mergeInto(have, row);
        else {
          const copy = this.make(k);
          this.mergeInto(copy, row);
          rows.set(k, copy);
        }
      }
      const folded = table.foldedOther();
      if (folded) {
        other ??= this.make('other');
        this.mergeInto(other, folded);
      }
    }
    return { rows, other };
  }
}
