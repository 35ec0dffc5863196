// The embedded Store: rollups in lowdb JSON files sharded by level and period, plus one state file.
//
// The collections and their queries are StoreCollections'; this class adds the files: meta.json
// (store-meta.ts), state.json written after each change (state-file.ts) and the rollup shards
// (shard-set.ts). Writes go through lowdb's steno writer (write a temporary file, then rename), so
// a kill -9 at any moment leaves either the old or the new file, never a torn one. A file that does
// not parse or has an unknown schema is renamed "<name>.corrupt-<time>" and reported
// (file-quarantine.ts), and its period starts empty: data is never overwritten silently.
import { mkdirSync } from 'node:fs';
import { StoreCollections } from './collections.js';
import { FileQuarantine } from './file-quarantine.js';
import { ShardSet } from './shard-set.js';
import { StateFile } from './state-file.js';
import { openStoreMeta } from './store-meta.js';
import type { Bucket, RollupLevel } from '../health/rollups/bucket.js';
import type { BucketQuery } from '../health/engine-store.js';
import type { Store, StoreOpenReport } from './store.js';

export { DEFAULT_SHARD_SPAN_MS } from './shard-set.js';
export { StoreError } from './store-error.js';

export interface LowdbStoreOptions {
  /** Data directory; created when missing. */
  dir: string;
  shardSpanMs?: Partial<Record<RollupLevel, number>>;
  /** Shards kept parsed in memory (least recently used are dropped once written). */
  maxCachedShards?: number;
  /** Called with one line whenever a file is moved aside or something else worth telling happens after open(). */
  onNotice?: (line: string) => void;
  /** Clock for the names of moved-aside files. */
  now?: () => number;
}

export class LowdbStore extends StoreCollections {
  readonly description: string;
  private readonly dir: string;
  private readonly quarantine: FileQuarantine;
  private readonly shards: ShardSet;
  private stateFile!: StateFile;

  constructor(options: LowdbStoreOptions) {
    super();
    this.dir = options.dir;
    this.description = `lowdb store in ${options.dir}`;
    this.quarantine = new FileQuarantine(options.now ?? Date.now, options.onNotice ?? (() => {}));
    this.shards = new ShardSet(options.dir, options.shardSpanMs, options.maxCachedShards ?? 256, this.quarantine);
  }

  async open(): Promise<StoreOpenReport> {
    mkdirSync(this.dir, { recursive: true });
    await openStoreMeta(this.dir, this.quarantine);
    this.stateFile = await StateFile.open(this.dir, this.quarantine);
    // The collections work on the state file's document, so stateChanged() writes what they changed.
    this.state = this.stateFile.data;
    this.shards.scan();
    return this.quarantine.openReport();
  }

  async close(): Promise<void> {
    await this.shards.close();
  }

  async mergeBuckets(buckets: readonly Bucket[]): Promise<void> {
    await this.shards.merge(buckets);
  }

  async queryBuckets(q: BucketQuery): Promise<Bucket[]> {
    return this.shards.query(q);
  }

  async prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void> {
    this.shards.prune(now, retentionMs);
  }

  protected override async stateChanged(): Promise<void> {
    await this.stateFile.write();
  }
}

// Compile-time conformance: LowdbStore is a complete Store.
export const lowdbStoreConforms = (s: LowdbStore) => s satisfies Store;
