// One rollup shard file in memory: loading it (a file that cannot be used is moved aside and its
// period starts empty) and rendering it again from the JSON of its buckets, re-encoding only those that changed.
import { TextFile } from 'lowdb/node';
import { BucketTable } from './bucket-table.js';
import type { FileQuarantine } from './file-quarantine.js';
import { decodeShard, encodeBucket, shardHeader, shardProblem, type ShardFile } from './shard-codec.js';
import type { TimeSlicer } from '../time-slice.js';
import type { Bucket, RollupLevel } from '../health/rollups/bucket.js';

export interface Shard {
  level: RollupLevel;
  start: number;
  /** lowdb's text adapter (steno underneath: temporary file, then rename). */
  file: TextFile;
  buckets: BucketTable;
  /** JSON of each bucket's stored form, kept until the bucket changes: a flush re-encodes only what it touched. */
  encoded: Map<string, string>;
  dirty: boolean;
  /** The file exists but could neither be read nor moved aside: it is never written over. */
  blocked: boolean;
}

/** The shard at `path`, read from disk when `onDisk`, else empty. */
export async function loadShard(path: string, level: RollupLevel, start: number, onDisk: boolean, quarantine: FileQuarantine): Promise<Shard> {
  const file = new TextFile(path);
  const read = onDisk ? await readShard(file, path, level, start, quarantine) : [];
  const blocked = read === 'blocked';
  return { level, start, file, buckets: new BucketTable(blocked ? [] : read), encoded: new Map(), dirty: false, blocked };
}

/**
 * Parses a shard; a file that cannot be read, does not parse or fails its checks is moved aside
 * and the period starts empty ('blocked' when it could not be moved either).
 */
async function readShard(file: TextFile, path: string, level: RollupLevel, start: number, quarantine: FileQuarantine): Promise<Bucket[] | 'blocked'> {
  let problem: string | undefined;
  let data: unknown;
  try {
    const text = await file.read();
    if (text === null) return [];
    data = JSON.parse(text);
    problem = shardProblem(data, level, start);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem = code ? `cannot be read (${code})` : `not valid JSON (${(err as Error).message.split('\n')[0]})`;
  }
  if (problem === undefined) return decodeShard(data as ShardFile);
  return quarantine.tryMoveAside(path, problem) ? [] : 'blocked';
}

/** The shard's file text, assembled from cached bucket JSON grouped by series key (see shard-codec.ts for the layout). */
export async function renderShard(s: Shard, spanMs: number, slicer: TimeSlicer): Promise<string> {
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
  const header = JSON.stringify(shardHeader(s.level, s.start, spanMs));
  return `${header.slice(0, -1)},"series":[${series.join(',')}]}`;
}
