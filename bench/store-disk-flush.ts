// Benchmark: disk size of 500 endpoints × 400 days in the sharded lowdb store, and the time of one flush
// (one minute of every endpoint, at every level) into that full store. Peer in the same run: the
// same flush into one unsharded lowdb file holding the same rollups (what sharding avoids).
// Usage: node dist/bench/store-disk-flush.js [--endpoints 500] [--providers 50] [--days 400]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { defaultStoreSettings } from '../src/store/store-settings.js';
import { rollUp } from '../src/health/rollups/rollup.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { encodeShard } from '../src/store/shard-codec.js';
import type { Bucket } from '../src/health/rollups/bucket.js';
import { endpointKey, generateHistory, sampleSketch } from './store-history.js';

const { values } = parseArgs({ options: { endpoints: { type: 'string', default: '500' }, providers: { type: 'string', default: '50' }, days: { type: 'string', default: '400' } } });
const endpoints = Number(values.endpoints);
const providers = Number(values.providers);
const days = Number(values.days);
const now = Date.UTC(2026, 10, 23, 12, 0, 30);
const dir = mkdtempSync(join(tmpdir(), 'ew-bench-store-'));

function du(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

function quantile(xs: number[], q: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 100) / 100;
}

try {
  const retention = defaultStoreSettings().retentionMs;
  const store = new LowdbStore({ dir });
  await store.open();
  const t0 = performance.now();
  const buckets = await generateHistory(store, { endpoints, providers, days, processes: 5, now, retention });
  const generateMs = performance.now() - t0;
  await store.close();
  const bytes = du(dir);
  const files = Number(execFileSync('sh', ['-c', `find ${dir}/rollups -name '*.json' | wc -l`], { encoding: 'utf8' }).trim());

  // One minute of fresh data for every endpoint, provider and breakdown, as the aggregator drains it.
  const minute = (m: number): Bucket[] => {
    const start = now - (now % 60_000) + m * 60_000;
    const out: Bucket[] = [];
    for (let i = 0; i < endpoints; i++) out.push({ key: endpointKey(i, providers).key, level: 'minute', start, counters: { tcpAttempts: 100 }, latency: { connect: sampleSketch(100, 20, i + 1 + m) } });
    for (let p = 0; p < providers; p++) {
      out.push({ key: `provider|p${p}`, level: 'minute', start, counters: { tcpAttempts: 1000 }, latency: { connect: sampleSketch(100, 20, p + 7) } });
      out.push({ key: `host|p${p}|host-a`, level: 'minute', start, counters: { tcpAttempts: 1000 }, latency: {} });
    }
    return out;
  };
  console.error(JSON.stringify({ generated: buckets, bytes, files, generateMs: Math.round(generateMs) }));
  const reopened = new LowdbStore({ dir });
  await reopened.open();
  const flushMs: number[] = [];
  const flushCpuMs: number[] = [];
  for (let m = 1; m <= 30; m++) {
    const minutes = minute(m);
    const batch = [...minutes, ...rollUp(minutes, 'hour'), ...rollUp(minutes, 'day')];
    const c = process.cpuUsage();
    const s = performance.now();
    await reopened.mergeBuckets(batch);
    flushMs.push(performance.now() - s);
    const d = process.cpuUsage(c);
    flushCpuMs.push((d.user + d.system) / 1000);
  }
  // The first flush after opening parses the current shards; steady state is what every later flush costs.
  const firstFlushMs = flushMs.shift() ?? 0;
  flushCpuMs.shift();
  await reopened.close();

  // Peer: everything in one lowdb file (day + hour + minute rollups), rewritten by each flush.
  const all: Bucket[] = [];
  const r2 = new LowdbStore({ dir });
  await r2.open();
  for (const level of ['day', 'hour', 'minute'] as const) for (const b of await r2.queryBuckets({ level, from: 0, to: Number.MAX_SAFE_INTEGER })) all.push(b);
  await r2.close();
  const single = join(dir, 'single.json');
  const low = new Low(new DataFile(single, { parse: JSON.parse, stringify: JSON.stringify }), encodeShard('day', 0, 0, all));
  await low.write();
  const peerMs: number[] = [];
  for (let m = 0; m < 3; m++) {
    const s = performance.now();
    low.data = encodeShard('day', 0, 0, all);
    await low.write();
    peerMs.push(performance.now() - s);
  }
  const singleBytes = statSync(single).size;
  rmSync(single);

  const result = {
    benchmark: 'store-disk-flush',
    endpoints, providers, days,
    bucketsGenerated: buckets,
    generateSeconds: Math.round(generateMs / 100) / 10,
    disk: { bytes, megabytes: Math.round(bytes / 1e5) / 10, shardFiles: files, targetMegabytes: 200 },
    loadAverage1m: loadavg()[0],
    flush: { bucketsPerFlush: minute(1).length * 3, p50Ms: quantile(flushMs, 0.5), p90Ms: quantile(flushMs, 0.9), p50CpuMs: quantile(flushCpuMs, 0.5), firstAfterOpenMs: Math.round(firstFlushMs), targetMs: 50 },
    peerUnshardedLowdb: { fileMegabytes: Math.round(singleBytes / 1e5) / 10, flushP50Ms: quantile(peerMs, 0.5) },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
