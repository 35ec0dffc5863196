// The lowdb store: merge and query rollups, persistence across reopen, shards, corrupt files, schema versions.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Bucket } from '../../src/health/rollups/bucket.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ew-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function bucket(key: string, start: number, attempts: number, failed: number, latencies: number[]): Bucket {
  const s = new LatencySketch();
  for (const v of latencies) s.add(v);
  return { key, level: 'minute', start, counters: { tcpAttempts: attempts, tcpFailed: failed }, latency: { connect: s.toData() } };
}

for (const kind of ['memory', 'lowdb'] as const) {
  test(`${kind} store: buckets merge by addition and queries filter by time and key`, async (t) => {
    const store: Store = kind === 'memory' ? new MemoryStore() : new LowdbStore({ dir: tempDir(t) });
    await store.open();
    await store.mergeBuckets([bucket('provider|aws', T0, 10, 1, [10, 20]), bucket('provider|gcp', T0, 5, 0, [5])]);
    await store.mergeBuckets([bucket('provider|aws', T0, 10, 2, [30]), bucket('provider|aws', T0 + 60_000, 1, 0, [40])]);
    const got = await store.queryBuckets({ level: 'minute', from: T0, to: T0 + 60_000, keys: ['provider|aws'] });
    assert.equal(got.length, 1);
    assert.equal(got[0].counters.tcpAttempts, 20);
    assert.equal(got[0].counters.tcpFailed, 3);
    assert.equal(got[0].latency.connect?.count, 3);
    const series = await store.querySeries({ series: { scope: 'provider', provider: 'aws' }, signal: 'success', from: T0, to: T0 + 120_000 });
    assert.deepEqual(series.map((p) => [p.t, p.count, p.failed]), [[T0, 20, 3], [T0 + 60_000, 1, 0]]);
    const prefixed = await store.queryBuckets({ level: 'minute', from: T0, to: T0 + 120_000, keyPrefix: 'provider|g' });
    assert.deepEqual(prefixed.map((b) => b.key), ['provider|gcp']);
    await store.close();
  });
}

test('lowdb store: data survives close and reopen; only touched shards are rewritten', async (t) => {
  const dir = tempDir(t);
  const a = new LowdbStore({ dir });
  await a.open();
  await a.mergeBuckets([bucket('provider|aws', T0, 10, 1, [10]), bucket('provider|aws', T0 + 3 * 3_600_000, 4, 0, [12])]);
  await a.putMaintenance({ id: 'm1', scope: 'aws', startsAt: T0, endsAt: T0 + 3_600_000, reason: 'upgrade', createdBy: 'ops', createdAt: T0 });
  await a.close();
  const minuteFiles = readdirSync(join(dir, 'rollups', 'minute')).filter((f) => f.endsWith('.json'));
  assert.equal(minuteFiles.length, 2, 'one shard per minute');
  const b = new LowdbStore({ dir });
  const report = await b.open();
  assert.deepEqual(report.notices, []);
  const got = await b.queryBuckets({ level: 'minute', from: T0 - 1, to: T0 + 86_400_000 });
  assert.deepEqual(got.map((x) => x.counters.tcpAttempts), [10, 4]);
  assert.equal((await b.listMaintenance())[0].reason, 'upgrade');
  await b.prune(T0 + 7 * 3_600_000, { minute: 6 * 3_600_000, hour: 35 * 86_400_000, day: 400 * 86_400_000 });
  const after = await b.queryBuckets({ level: 'minute', from: 0, to: T0 + 86_400_000 });
  assert.deepEqual(after.map((x) => x.counters.tcpAttempts), [4], 'the shard older than 6 h is pruned');
  assert.equal(readdirSync(join(dir, 'rollups', 'minute')).filter((f) => f.endsWith('.json')).length, 1);
  await b.close();
});

test('lowdb store: a corrupt shard is moved aside with a clear notice, never overwritten', async (t) => {
  const dir = tempDir(t);
  const a = new LowdbStore({ dir });
  await a.open();
  await a.mergeBuckets([bucket('provider|aws', T0, 10, 1, [10])]);
  await a.close();
  const name = readdirSync(join(dir, 'rollups', 'minute')).find((f) => f.endsWith('.json'));
  assert.ok(name);
  const path = join(dir, 'rollups', 'minute', name);
  writeFileSync(path, '{"schema":1,"level":"minute","buck');
  const notices: string[] = [];
  const b = new LowdbStore({ dir, onNotice: (l) => notices.push(l), now: () => T0 });
  await b.open();
  const got = await b.queryBuckets({ level: 'minute', from: 0, to: T0 + 60_000 });
  assert.equal(got.length, 0);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /is unusable \(not valid JSON.*moved aside to .*\.corrupt-20261123T120000Z/);
  assert.ok(existsSync(`${path}.corrupt-20261123T120000Z`), 'the corrupt bytes are kept');
  // New data for that period goes to a fresh file.
  await b.mergeBuckets([bucket('provider|aws', T0, 1, 0, [10])]);
  await b.close();
  assert.ok(existsSync(path));
});

test('lowdb store: a corrupt state file is moved aside at open; a newer store schema is refused', async (t) => {
  const dir = tempDir(t);
  const a = new LowdbStore({ dir });
  await a.open();
  await a.close();
  writeFileSync(join(dir, 'state.json'), 'garbage');
  const b = new LowdbStore({ dir, now: () => T0 });
  const report = await b.open();
  assert.equal(report.movedAside.length, 1);
  assert.match(report.notices[0], /state\.json is unusable/);
  assert.deepEqual(await b.listIncidents(), []);
  await b.close();
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ format: 'egresswatch-store', schema: 99 }));
  await assert.rejects(new LowdbStore({ dir }).open(), /written by a newer egresswatch \(store schema 99/);
});
