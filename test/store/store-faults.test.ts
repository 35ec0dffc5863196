// The lowdb store under faults: a full disk (a real tmpfs filled to ENOSPC), a shard that cannot
// be read, a directory that is not a store, left-over temporary files and file permissions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { Bucket } from '../../src/health/rollups/bucket.js';
import { isRoot } from '../helpers/paths.js';
import { mountSmallDisk } from '../helpers/small-disk.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const MINUTE = 60_000;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ew-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function bucket(key: string, start: number, attempts: number): Bucket {
  const s = new LatencySketch();
  s.add(12);
  return { key, level: 'minute', start, counters: { tcpAttempts: attempts, tcpFailed: 0 }, latency: { connect: s.toData() } };
}

function tempFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.tmp')) out.push(entry.name);
  }
  return out;
}

const attemptsOf = async (store: LowdbStore) => (await store.queryBuckets({ level: 'minute', from: 0, to: T0 + 10 * MINUTE })).reduce((n, b) => n + (b.counters.tcpAttempts ?? 0), 0);

test('lowdb store on a full disk: writes fail with ENOSPC, changes stay readable in memory, and are written once space is back', { skip: !isRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const disk = mountSmallDisk();
  t.after(() => disk.remove());
  const dir = join(disk.dir, 'data');
  let now = T0;
  const store = new LowdbStore({ dir, now: () => now });
  await store.open();
  await store.mergeBuckets([bucket('provider|aws', T0, 5)]);

  disk.fill();
  await assert.rejects(store.mergeBuckets([bucket('provider|aws', T0 + MINUTE, 7)]), /store: could not write .*rollups\/minute\/20261123T120100Z\.json \(ENOSPC\)/);
  now += 6_000;
  await assert.rejects(store.putMaintenance({ id: 'm1', scope: 'aws', startsAt: T0, endsAt: T0 + MINUTE, reason: 'r', createdBy: 'me', createdAt: T0 }), /could not write .*state\.json \(ENOSPC\).*kept in memory/);
  assert.equal(await attemptsOf(store), 12, 'the failed merge is served from memory');
  assert.equal((await store.listMaintenance()).length, 1);
  assert.deepEqual(tempFiles(dir), [], 'no half-written temporary file is left behind');

  // While pausing after a failure the store does not touch the disk, and says when it tries again.
  await assert.rejects(store.mergeBuckets([bucket('provider|aws', T0 + 2 * MINUTE, 1)]), /ENOSPC.*next attempt in \d+ s/);
  assert.equal(await attemptsOf(store), 13);

  disk.free();
  now += 10 * MINUTE;
  await store.flushPending();
  await store.close();
  const reopened = new LowdbStore({ dir });
  await reopened.open();
  assert.equal(await attemptsOf(reopened), 13, 'everything handed over during the outage reached the disk');
  assert.equal((await reopened.listMaintenance()).length, 1);
  await reopened.close();
});

test('lowdb store: a shard that cannot be read is moved aside; one that cannot even be moved is left alone and its period kept in memory', { skip: !isRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-store-'));
  const a = new LowdbStore({ dir });
  await a.open();
  await a.mergeBuckets([bucket('provider|aws', T0, 5), bucket('provider|aws', T0 + MINUTE, 3)]);
  await a.close();
  const minuteDir = join(dir, 'rollups', 'minute');
  // EISDIR on read: a directory where the first minute's file was.
  rmSync(join(minuteDir, '20261123T120000Z.json'));
  mkdirSync(join(minuteDir, '20261123T120000Z.json'));
  // EISDIR on read and EBUSY on rename: a mount point where the second minute's file was.
  const blocked = join(minuteDir, '20261123T120100Z.json');
  rmSync(blocked);
  const disk = mountSmallDisk(64);
  mkdirSync(blocked);
  execFileSync('mount', ['--bind', disk.dir, blocked]);
  t.after(() => {
    execFileSync('umount', ['-l', blocked]);
    disk.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const notices: string[] = [];
  const b = new LowdbStore({ dir, onNotice: (line) => notices.push(line), now: () => T0 });
  await b.open();
  assert.equal(await attemptsOf(b), 0, 'queries skip what cannot be read rather than fail');
  assert.equal(notices.length, 2);
  assert.match(notices[0], /120000Z\.json is unusable \(cannot be read \(EISDIR\)\); moved aside/);
  assert.match(notices[1], /120100Z\.json is unusable \(cannot be read \(EISDIR\)\) and could not be moved aside \(EBUSY\); left in place/);
  await b.mergeBuckets([bucket('provider|aws', T0, 2)]);
  await assert.rejects(b.mergeBuckets([bucket('provider|aws', T0 + MINUTE, 4)]), /120100Z\.json is unreadable and left in place/);
  assert.equal(await attemptsOf(b), 6, 'new data of both periods is served');
  assert.equal(notices.length, 2, 'each file is reported once');
});

test('lowdb store: a non-empty directory that is not a store is refused', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'thesis.tex'), 'years of work');
  await assert.rejects(new LowdbStore({ dir }).open(), /is not empty \("thesis\.tex"\) and is not an egresswatch data directory \(no meta\.json\)/);
  assert.deepEqual(readdirSync(dir), ['thesis.tex'], 'nothing was written into it');
});

test('lowdb store: temporary files left by a crash are removed at open; the directory is made private to its owner', async (t) => {
  const dir = tempDir(t);
  const a = new LowdbStore({ dir });
  await a.open();
  await a.mergeBuckets([bucket('provider|aws', T0, 5)]);
  await a.putMaintenance({ id: 'm1', scope: 'aws', startsAt: T0, endsAt: T0 + MINUTE, reason: 'r', createdBy: 'me', createdAt: T0 });
  await a.close();
  writeFileSync(join(dir, '.state.json.tmp'), '');
  writeFileSync(join(dir, 'rollups', 'minute', '.20261123T120000Z.json.tmp'), '{"half');
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'state.json'), 0o644);
  const b = new LowdbStore({ dir });
  await b.open();
  assert.deepEqual(tempFiles(dir), []);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'rollups', 'minute')).mode & 0o777, 0o700);
  assert.equal(await attemptsOf(b), 5);
  assert.ok(existsSync(join(dir, 'meta.json')));
  await b.close();
});
