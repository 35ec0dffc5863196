// The embedded Store: rollups in lowdb JSON files sharded by level and period, plus one state file.
//
// lowdb rewrites a whole file per write, so rollups are split into shards (minute level: one file
// per minute, hour level: per hour, day level: per day); a flush rewrites only the shards its
// buckets touch, which are the recent ones. Writes go through lowdb's steno writer (write a
// temporary file, then rename), so a kill -9 at any moment leaves either the old or the new file,
// never a torn one. A file that does not parse or has an unknown schema is renamed
// "<name>.corrupt-<time>" and reported, and its period starts empty: data is never overwritten silently.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TextFile } from 'lowdb/node';
import { BucketTable, bucketFilter } from './bucket-table.js';
import { StoreCollections } from './collections.js';
import { FileQuarantine } from './file-quarantine.js';
import { parseStamp, stampOf } from './file-stamp.js';
import { decodeShard, encodeBucket, shardHeader, shardProblem, type ShardFile } from './shard-codec.js';
import { TimeSlicer } from '../time-slice.js';
import { StateFile } from './state-file.js';
import { openStoreMeta } from './store-meta.js';
import { type Bucket, LEVEL_MS, ROLLUP_LEVELS, type RollupLevel } from '../health/rollups/bucket.js';
import type { BucketQuery } from '../health/engine-store.js';
import type { Store, StoreOpenReport } from './store.js';
import { StoreError } from './store-error.js';

export { StoreError };

/** Period covered by one shard file per level: small enough that a flush rewrites little, large enough to keep files few. */
export const DEFAULT_SHARD_SPAN_MS: Readonly<Record<RollupLevel, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

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

interface Shard {
  level: RollupLevel;
  start: number;
  /** lowdb's text adapter (steno underneath: temporary file, then rename). */
  file: TextFile;
  buckets: BucketTable;
  /** JSON of each bucket's stored form, kept until the bucket changes: a flush re-encodes only what it touched. */
  encoded: Map<string, string>;
  dirty: boolean;
}

export class LowdbStore extends StoreCollections {
  readonly description: string;
  private readonly dir: string;
  private readonly span: Record<RollupLevel, number>;
  private readonly maxCached: number;
  private readonly quarantine: FileQuarantine;
  private readonly shards = new Map<string, Shard>();
  /** Shard starts that exist on disk or in memory, per level, so queries never probe missing files. */
  private readonly known = new Map<RollupLevel, Set<number>>(ROLLUP_LEVELS.map((l) => [l, new Set()]));
  private stateFile!: StateFile;

  constructor(options: LowdbStoreOptions) {
    super();
    this.dir = options.dir;
    this.description = `lowdb store in ${options.dir}`;
    this.span = { ...DEFAULT_SHARD_SPAN_MS, ...options.shardSpanMs };
    this.maxCached = options.maxCachedShards ?? 256;
    this.quarantine = new FileQuarantine(options.now ?? Date.now, options.onNotice ?? (() => {}));
    for (const level of ROLLUP_LEVELS) {
      if (this.span[level] % LEVEL_MS[level] !== 0) throw new StoreError(`store: shard span of the ${level} level must be a multiple of ${LEVEL_MS[level]} ms`);
    }
  }

  async open(): Promise<StoreOpenReport> {
    mkdirSync(this.dir, { recursive: true });
    await openStoreMeta(this.dir, this.quarantine);
    this.stateFile = await StateFile.open(this.dir, this.quarantine);
    // The collections work on the state file's document, so stateChanged() writes what they changed.
    this.state = this.stateFile.data;
    for (const level of ROLLUP_LEVELS) {
      const levelDir = join(this.dir, 'rollups', level);
      mkdirSync(levelDir, { recursive: true });
      for (const name of readdirSync(levelDir)) {
        const m = /^(\d{8}T\d{6}Z)\.json$/.exec(name);
        if (!m) continue;
        const start = parseStamp(m[1]);
        if (Number.isFinite(start)) this.known.get(level)?.add(start);
      }
    }
    return this.quarantine.openReport();
  }

  private shardPath(level: RollupLevel, start: number): string {
    return join(this.dir, 'rollups', level, `${stampOf(start)}.json`);
  }

  private async shard(level: RollupLevel, start: number, create: boolean): Promise<Shard | undefined> {
    const id = `${level}@${start}`;
    const cached = this.shards.get(id);
    if (cached) {
      // Move to the end: Map order is the LRU order.
      this.shards.delete(id);
      this.shards.set(id, cached);
      return cached;
    }
    const known = this.known.get(level);
    if (!known?.has(start) && !create) return undefined;
    const path = this.shardPath(level, start);
    const file = new TextFile(path);
    let buckets: Bucket[] = [];
    if (known?.has(start)) buckets = await this.readShard(file, path, level, start);
    const shard: Shard = { level, start, file, buckets: new BucketTable(buckets), encoded: new Map(), dirty: false };
    known?.add(start);
    this.shards.set(id, shard);
    this.evict();
    return shard;
  }

  /** Parses a shard; a file that does not parse or fails its checks is moved aside and the period starts empty. */
  private async readShard(file: TextFile, path: string, level: RollupLevel, start: number): Promise<Bucket[]> {
    const text = await file.read();
    if (text === null) return [];
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      this.quarantine.moveAside(path, `not valid JSON (${(err as Error).message.split('\n')[0]})`);
      return [];
    }
    const problem = shardProblem(data, level, start);
    if (problem) {
      this.quarantine.moveAside(path, problem);
      return [];
    }
    return decodeShard(data as ShardFile);
  }

  private evict(): void {
    if (this.shards.size <= this.maxCached) return;
    for (const [id, s] of this.shards) {
      if (this.shards.size <= this.maxCached) break;
      if (!s.dirty) this.shards.delete(id);
    }
  }

  private shardStart(level: RollupLevel, ts: number): number {
    return Math.floor(ts / this.span[level]) * this.span[level];
  }

  async close(): Promise<void> {
    await this.writeDirty();
    this.shards.clear();
  }

  async mergeBuckets(buckets: readonly Bucket[]): Promise<void> {
    // Merging and encoding a flush's buckets take tens of ms: in slices, so the status server
    // sharing this thread keeps answering.
    const slicer = new TimeSlicer();
    // Group by shard first: one lookup per shard, then a merge loop.
    const byShard = new Map<string, { level: RollupLevel; start: number; list: Bucket[] }>();
    for (const b of buckets) {
      const start = this.shardStart(b.level, b.start);
      const id = `${b.level}@${start}`;
      const g = byShard.get(id);
      if (g) g.list.push(b);
      else byShard.set(id, { level: b.level, start, list: [b] });
    }
    for (const g of byShard.values()) {
      const shard = await this.shard(g.level, g.start, true);
      if (!shard) continue;
      for (const b of g.list) {
        shard.encoded.delete(shard.buckets.merge(b));
        await slicer.yieldIfDue();
      }
      shard.dirty = true;
    }
    await this.writeDirty(slicer);
  }

  private async writeDirty(slicer = new TimeSlicer()): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const s of this.shards.values()) {
      if (!s.dirty) continue;
      s.dirty = false;
      // Assemble the file from cached bucket JSON, grouped by series key (see shard-codec.ts for the layout).
      const byKey = new Map<string, string[]>();
      for (const [id, b] of s.buckets.entries()) {
        let enc = s.encoded.get(id);
        if (enc === undefined) {
          enc = JSON.stringify(encodeBucket(b, s.start));
          s.encoded.set(id, enc);
          await slicer.yieldIfDue();
        }
        const list = byKey.get(b.key);
        if (list) list.push(enc);
        else byKey.set(b.key, [enc]);
      }
      await slicer.yieldIfDue();
      const series: string[] = [];
      for (const [key, list] of byKey) {
        series.push(`[${JSON.stringify(key)},[${list.join(',')}]]`);
        await slicer.yieldIfDue();
      }
      const header = JSON.stringify(shardHeader(s.level, s.start, this.span[s.level]));
      writes.push(s.file.write(`${header.slice(0, -1)},"series":[${series.join(',')}]}`));
    }
    await Promise.all(writes);
    this.evict();
  }

  async queryBuckets(q: BucketQuery): Promise<Bucket[]> {
    const known = this.known.get(q.level);
    if (!known) return [];
    const filter = bucketFilter(q);
    const starts = [...known].filter((s) => s + this.span[q.level] > q.from && s < q.to).sort((a, b) => a - b);
    const out: Bucket[] = [];
    // An hour of minute shards or 90 day shards is a long scan even when cached: in slices.
    const slicer = new TimeSlicer();
    for (const start of starts) {
      await slicer.yieldIfDue();
      const shard = await this.shard(q.level, start, false);
      if (!shard) continue;
      for (const b of shard.buckets.select(filter)) out.push(b);
    }
    // Callers get shared objects for speed; they must not mutate them (the engine only reads).
    return out;
  }

  async prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): Promise<void> {
    for (const level of ROLLUP_LEVELS) {
      const cutoff = now - retentionMs[level];
      const known = this.known.get(level);
      if (!known) continue;
      for (const start of [...known]) {
        if (start + this.span[level] > cutoff) continue;
        known.delete(start);
        this.shards.delete(`${level}@${start}`);
        rmSync(this.shardPath(level, start), { force: true });
      }
    }
  }

  protected override async stateChanged(): Promise<void> {
    await this.stateFile.write();
  }
}

// Compile-time conformance: LowdbStore is a complete Store.
export const lowdbStoreConforms = (s: LowdbStore) => s satisfies Store;
