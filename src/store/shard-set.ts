// The rollup shards of a data directory: which exist, which are kept parsed (least recently used
// dropped once written), merging into them, writing the changed ones, queries and pruning.
//
// lowdb rewrites a whole file per write, so rollups are split into shards (minute level: one file
// per minute, hour level: per hour, day level: per day); a flush rewrites only the shards its
// buckets touch, which are the recent ones.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bucketFilter } from './bucket-table.js';
import type { FileQuarantine } from './file-quarantine.js';
import { parseStamp, stampOf } from './file-stamp.js';
import { loadShard, renderShard, type Shard } from './shard-file.js';
import { StoreError } from './store-error.js';
import { removeStaleTemps, removeTempOf } from './temp-files.js';
import { TimeSlicer } from '../time-slice.js';
import { type Bucket, LEVEL_MS, ROLLUP_LEVELS, type RollupLevel } from '../health/rollups/bucket.js';
import type { BucketQuery } from '../health/engine-store.js';

/** Period covered by one shard file per level: small enough that a flush rewrites little, large enough to keep files few. */
export const DEFAULT_SHARD_SPAN_MS: Readonly<Record<RollupLevel, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export class ShardSet {
  private readonly span: Record<RollupLevel, number>;
  private readonly shards = new Map<string, Shard>();
  /** Shard starts that exist on disk or in memory, per level, so queries never probe missing files. */
  private readonly known = new Map<RollupLevel, Set<number>>(ROLLUP_LEVELS.map((l) => [l, new Set()]));

  constructor(
    private readonly dir: string,
    spanMs: Partial<Record<RollupLevel, number>> | undefined,
    private readonly maxCached: number,
    private readonly quarantine: FileQuarantine,
  ) {
    this.span = { ...DEFAULT_SHARD_SPAN_MS, ...spanMs };
    for (const level of ROLLUP_LEVELS) {
      if (this.span[level] % LEVEL_MS[level] !== 0) throw new StoreError(`store: shard span of the ${level} level must be a multiple of ${LEVEL_MS[level]} ms`);
    }
  }

  /** Learns which shard files exist (creating the level directories); their contents are read when first needed. */
  scan(): void {
    for (const level of ROLLUP_LEVELS) {
      const levelDir = join(this.dir, 'rollups', level);
      mkdirSync(levelDir, { recursive: true });
      removeStaleTemps(levelDir);
      for (const name of readdirSync(levelDir)) {
        const m = /^(\d{8}T\d{6}Z)\.json$/.exec(name);
        if (!m) continue;
        const start = parseStamp(m[1]);
        if (Number.isFinite(start)) this.known.get(level)?.add(start);
      }
    }
  }

  /** Merges into the shards in memory; flush() writes them. */
  async merge(buckets: readonly Bucket[]): Promise<void> {
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
  }

  /**
   * Writes every changed shard (each file whole, through a temporary file and a rename). A shard
   * whose write fails stays changed (in memory, kept from eviction) for the next flush, and the
   * first failure is thrown once all writes have settled.
   */
  async flush(slicer = new TimeSlicer()): Promise<void> {
    const writes: Promise<void>[] = [];
    const failures: string[] = [];
    for (const s of this.shards.values()) {
      if (!s.dirty) continue;
      const path = this.shardPath(s.level, s.start);
      if (s.blocked) {
        failures.push(`${path} is unreadable and left in place: its period's new data is kept in memory`);
        continue;
      }
      s.dirty = false;
      writes.push(s.file.write(await renderShard(s, this.span[s.level], slicer)).catch((err: unknown) => {
        s.dirty = true;
        removeTempOf(path);
        failures.push(`could not write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }));
    }
    await Promise.all(writes);
    this.evict();
    if (failures.length) throw new StoreError(`store: ${failures[0]}${failures.length > 1 ? ` (and ${failures.length - 1} more shards)` : ''}`);
  }

  /** Writes what changed and forgets the parsed shards. */
  async close(): Promise<void> {
    await this.flush();
    this.shards.clear();
  }

  async query(q: BucketQuery): Promise<Bucket[]> {
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

  /** Deletes the shards whose whole period is older than the level's retention. */
  prune(now: number, retentionMs: Readonly<Record<RollupLevel, number>>): void {
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

  private shardPath(level: RollupLevel, start: number): string {
    return join(this.dir, 'rollups', level, `${stampOf(start)}.json`);
  }

  private shardStart(level: RollupLevel, ts: number): number {
    return Math.floor(ts / this.span[level]) * this.span[level];
  }

  /** The shard of a period, from the cache or its file; a new empty one only when `create`. */
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
    const shard = await loadShard(this.shardPath(level, start), level, start, known?.has(start) ?? false, this.quarantine);
    known?.add(start);
    this.shards.set(id, shard);
    this.evict();
    return shard;
  }

  private evict(): void {
    if (this.shards.size <= this.maxCached) return;
    for (const [id, s] of this.shards) {
      if (this.shards.size <= this.maxCached) break;
      if (!s.dirty) this.shards.delete(id);
    }
  }
}
