// The embedded Store: rollups in lowdb JSON files sharded by level and period, plus one state file.
//
// The collections and their queries are StoreCollections'; this class adds the files: meta.json
// (store-meta.ts), state.json written after each change (state-file.ts) and the rollup shards
// (shard-set.ts). Writes go through lowdb's steno writer (write a temporary file, then rename), so
// a kill -9 at any moment leaves either the old or the new file, never a torn one. A file that does
// not parse or has an unknown schema is renamed "<name>.corrupt-<time>" and reported
// (file-quarantine.ts), and its period starts empty: data is never overwritten silently. A write
// that fails keeps its change in memory and is retried after a pause (write-backoff.ts).
import { mkdirSync } from 'node:fs';
import { keepPrivate } from './private-files.js';
import { removeStaleTemps } from './temp-files.js';
import { WriteBackoff } from './write-backoff.js';
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
  /** Clock for the names of moved-aside files and the pauses between failed writes. */
  now?: () => number;
}

export class LowdbStore extends StoreCollections {
  readonly description: string;
  private readonly dir: string;
  private readonly quarantine: FileQuarantine;
  private readonly shards: ShardSet;
  private stateFile!: StateFile;
  private stateDirty = false;
  private readonly backoff: WriteBackoff;

  constructor(options: LowdbStoreOptions) {
    super();
    this.dir = options.dir;
    this.description = `lowdb store in ${options.dir}`;
    this.backoff = new WriteBackoff(options.now ?? Date.now);
    this.quarantine = new FileQuarantine(options.now ?? Date.now, options.onNotice ?? (() => {}));
    this.shards = new ShardSet(options.dir, options.shardSpanMs, options.maxCachedShards ?? 256, this.quarantine);
  }

  async open(): Promise<StoreOpenReport> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await openStoreMeta(this.dir, this.quarantine);
    removeStaleTemps(this.dir);
    keepPrivate(this.dir);
    this.stateFile = await StateFile.open(this.dir, this.quarantine);
    // The collections work on the state file's document, so stateChanged() writes what they changed.
    this.state = this.stateFile.data;
    this.shards.scan();
    return this.quarantine.openReport();
  }

  /** A last attempt to write everything, pause or not; throws when the files still refuse it. */
  async close(): Promise<void> {
    if (this.stateDirty) await this.writeState();
    await this.shards.close();
  }

  async mergeBuckets(buckets: readonly Bucket[]): Promise<void> {
    await this.shards.merge(buckets);
    await this.backoff.attempt(() => this.shards.flush());
  }

  async queryBuckets(q: BucketQuery): Promise<Bucket[]> {
    return this.shards.query(q);
  }

  async prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void> {
    this.shards.prune(now, retentionMs);
  }

  async flushPending(): Promise<void> {
    await this.backoff.attempt(async () => {
      if (this.stateDirty) await this.writeState();
      await this.shards.flush();
    });
  }

  protected override async stateChanged(): Promise<void> {
    // Marked first: a failed or postponed write leaves the change for flushPending().
    this.stateDirty = true;
    await this.backoff.attempt(() => this.writeState());
  }

  private async writeState(): Promise<void> {
    await this.stateFile.write();
    this.stateDirty = false;
  }
}

// Compile-time conformance: LowdbStore is a complete Store.
export const lowdbStoreConforms = (s: LowdbStore) => s satisfies Store;
