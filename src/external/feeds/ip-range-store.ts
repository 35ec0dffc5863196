// Keeps the cloud IP-range files in a data directory: loads them into the trie, downloads fresh
// copies (undici) or imports them from a directory, validating each before it replaces the last
// good copy. A file that fails validation never replaces one that passed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { EgressError, oneLine } from '../../errors.js';
import { feedForFile, rangeFeeds, type RangeEntry, type RangeFeed, type RangeInfo } from './ip-range-feeds.js';
import { buildRangeTrie } from '../sources/ip-range-source.js';
import type { PrefixTrie } from '../ip/prefix-trie.js';

export interface LoadedFeed {
  id: string;
  path: string;
  prefixes: number;
  malformed: number;
  version?: string;
}

export interface LoadedRanges {
  trie: PrefixTrie<RangeInfo>;
  feeds: LoadedFeed[];
  /** One line per file that could not be used. */
  problems: string[];
}

/**
 * Loads every known feed from the first directory that has its file (the refreshed data
 * directory before the package's snapshots), plus explicitly named files.
 */
export function loadRanges(dirs: readonly string[], files: readonly string[] = []): LoadedRanges {
  const feeds: LoadedFeed[] = [];
  const problems: string[] = [];
  const sets: RangeEntry[][] = [];
  const load = (feed: RangeFeed, path: string) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return;
    }
    const parsed = feed.parse(text);
    if (!parsed.ok) {
      problems.push(`${path}: ${parsed.problem}`);
      return;
    }
    sets.push(parsed.entries);
    feeds.push({ id: feed.id, path, prefixes: parsed.entries.length, malformed: parsed.malformed, ...(parsed.version ? { version: parsed.version } : {}) });
  };
  for (const file of files) {
    const feed = feedForFile(file);
    if (!feed) problems.push(`${file}: unknown range file (name it after its feed: aws, gcp, cloudflare, fastly or azure)`);
    else load(feed, file);
  }
  const explicit = new Set(feeds.map((f) => f.id));
  for (const feed of rangeFeeds) {
    if (explicit.has(feed.id)) continue;
    const dir = dirs.find((d) => existsSync(join(d, feed.file)));
    if (dir) load(feed, join(dir, feed.file));
  }
  return { trie: buildRangeTrie(sets), feeds, problems };
}

export interface FeedUpdate {
  id: string;
  /** "updated": new copy in place; "kept": the previous copy stays (reason says why); "skipped": nothing to do. */
  outcome: 'updated' | 'kept' | 'skipped';
  prefixes?: number;
  reason?: string;
}

/** Creates the data directory, or says in one line why it cannot. */
function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new EgressError('data', `cannot create the data directory ${JSON.stringify(dir)} (${(err as NodeJS.ErrnoException).code ?? oneLine(err)}); choose another with --data or labels.dataDir`);
  }
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
function replaceFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export interface RefreshOptions {
  /** Feeds to download (default: every feed with a download address). */
  feeds?: readonly string[];
  /** Replaces download addresses, by feed id (tests, mirrors). */
  urls?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Refuse bodies larger than this. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** Downloads the official range files into dir; each replaces the previous copy only when it validates. */
export async function refreshRanges(dir: string, options: RefreshOptions = {}): Promise<FeedUpdate[]> {
  ensureDir(dir);
  const wanted = options.feeds ?? rangeFeeds.filter((f) => f.url).map((f) => f.id);
  const results: FeedUpdate[] = [];
  for (const id of wanted) {
    const feed = rangeFeeds.find((f) => f.id === id);
    const url = options.urls?.[id] ?? feed?.url;
    if (!feed) {
      results.push({ id, outcome: 'skipped', reason: 'unknown feed' });
      continue;
    }
    if (!url) {
      results.push({ id, outcome: 'skipped', reason: 'no download address: import the file with --from' });
      continue;
    }
    let text: string;
    try {
      text = await download(url, options);
    } catch (err) {
      results.push({ id, outcome: 'kept', reason: `download failed: ${oneLine(err)}` });
      continue;
    }
    results.push(install(feed, text, dir));
  }
  return results;
}

async function download(url: string, options: RefreshOptions): Promise<string> {
  const timeout = options.timeoutMs ?? 30_000;
  const max = options.maxBytes ?? 64 << 20;
  const res = await request(url, { headersTimeout: timeout, bodyTimeout: timeout, signal: options.signal, headers: { 'user-agent': 'egresswatch' } });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode} from ${url}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.body.destroy();
      throw new Error(`larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function install(feed: RangeFeed, text: string, dir: string): FeedUpdate {
  const parsed = feed.parse(text);
  if (!parsed.ok) return { id: feed.id, outcome: 'kept', reason: `invalid: ${parsed.problem}` };
  try {
    replaceFile(join(dir, feed.file), text);
  } catch (err) {
    return { id: feed.id, outcome: 'kept', reason: `cannot write ${join(dir, feed.file)} (${(err as NodeJS.ErrnoException).code ?? oneLine(err)})` };
  }
  return { id: feed.id, outcome: 'updated', prefixes: parsed.entries.length, ...(parsed.malformed ? { reason: `${parsed.malformed} malformed prefixes ignored` } : {}) };
}

/**
 * Imports range files from a directory (offline hosts): each known feed file found there,
 * validated, replaces the copy in dir. Files are recognised by name (as refresh writes them, or
 * the official names such as ip-ranges.json, cloud.json, ServiceTags_Public_*.json).
 */
export function importRanges(fromDir: string, dir: string, names: readonly string[]): FeedUpdate[] {
  ensureDir(dir);
  const results: FeedUpdate[] = [];
  const done = new Set<string>();
  for (const name of names) {
    const feed = feedForFile(name);
    if (!feed || done.has(feed.id)) continue;
    done.add(feed.id);
    let text: string;
    try {
      text = readFileSync(join(fromDir, name), 'utf8');
    } catch (err) {
      results.push({ id: feed.id, outcome: 'kept', reason: `cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    results.push(install(feed, text, dir));
  }
  return results;
}
