// The in-memory Store: the same behaviour as the lowdb store without files, for tests and short runs.
import { BucketTable, bucketFilter } from './bucket-table.js';
import { StoreCollections } from './collections.js';
import { cloneBucket } from '../health/rollups/bucket-merge.js';
import { type Bucket, ROLLUP_LEVELS, type RollupLevel } from '../health/rollups/bucket.js';
import type { BucketQuery } from '../health/engine-store.js';
import type { Store, StoreOpenReport } from './store.js';

export class MemoryStore extends StoreCollections {
  readonly description = 'in-memory store';
  private readonly rollups = new Map<RollupLevel, BucketTable>(ROLLUP_LEVELS.map((l) => [l, new BucketTable()]));

  async open(): Promise<StoreOpenReport> {
    return { notices: [], movedAside: [] };
  }

  async close(): Promise<void> {}

  async mergeBuckets(buckets: readonly Bucket[]): Promise<void> {
    for (const b of buckets) this.rollups.get(b.level)?.merge(b);
  }

  /** Copies, oldest first: callers may keep or change what they get. */
  async queryBuckets(q: BucketQuery): Promise<Bucket[]> {
    const table = this.rollups.get(q.level);
    if (!table) return [];
    return [...table.select(bucketFilter(q))].map(cloneBucket).sort((a, b) => a.start - b.start);
  }

  async flushPending(): Promise<void> {}

  async prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void> {
    for (const level of ROLLUP_LEVELS) this.rollups.get(level)?.pruneEndedBy(now - retentionMs[level]);
  }
}

// Compile-time conformance: MemoryStore is a complete Store.
export const memoryStoreConforms = (s: MemoryStore) => s satisfies Store;
