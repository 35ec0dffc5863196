// Rollup buckets held in memory, one per series key and start: merging by addition and matching a
// query, the same for the in-memory store's levels and the lowdb store's shards.
import { cloneBucket, mergeBucket } from '../health/rollups/bucket-merge.js';
import { type Bucket, LEVEL_MS } from '../health/rollups/bucket.js';
import type { BucketQuery } from '../health/engine-store.js';

/** A bucket's identity within its level: series key and start. */
export function bucketId(b: Pick<Bucket, 'key' | 'start'>): string {
  return `${b.key}@${b.start}`;
}

/** The test a bucket must pass to answer a query (window, keys, key prefix), built once per query. */
export function bucketFilter(q: BucketQuery): (b: Bucket) => boolean {
  const keys = q.keys ? new Set(q.keys) : undefined;
  return (b) => {
    if (b.start < q.from || b.start >= q.to) return false;
    if (keys && !keys.has(b.key)) return false;
    if (q.keyPrefix !== undefined && !b.key.startsWith(q.keyPrefix)) return false;
    return true;
  };
}

export class BucketTable {
  /** Insertion order is kept: shards are written and queries answered in the order buckets arrived. */
  private readonly buckets = new Map<string, Bucket>();

  /** Takes ownership of `initial` (e.g. buckets just decoded from a file): they are stored as they are. */
  constructor(initial: Iterable<Bucket> = []) {
    for (const b of initial) this.buckets.set(bucketId(b), b);
  }

  /** Adds a bucket's counts and sketches to the stored one of the same key and start, or stores a copy; returns its id. */
  merge(b: Bucket): string {
    const id = bucketId(b);
    const have = this.buckets.get(id);
    if (have) mergeBucket(have, b);
    else this.buckets.set(id, cloneBucket(b));
    return id;
  }

  /** The stored buckets that pass `filter`, as stored (callers must not mutate them). */
  *select(filter: (b: Bucket) => boolean): IterableIterator<Bucket> {
    for (const b of this.buckets.values()) if (filter(b)) yield b;
  }

  entries(): IterableIterator<[string, Bucket]> {
    return this.buckets.entries();
  }

  /** Drops the buckets whose period ended at or before `cutoff`. */
  pruneEndedBy(cutoff: number): void {
    for (const [id, b] of this.buckets) if (b.start + LEVEL_MS[b.level] <= cutoff) this.buckets.delete(id);
  }
}
