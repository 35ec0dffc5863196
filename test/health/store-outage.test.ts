// A store that cannot write (a real tmpfs filled to ENOSPC) never stops the engine: ticks still
// evaluate, page and publish from memory, the engine reports the store failing, and everything
// waits in memory until the disk takes it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { isRoot } from '../helpers/paths.js';
import { mountSmallDisk } from '../helpers/small-disk.js';
import { harness, MINUTE, minuteOfConnects, run } from './scenario-helpers.js';

test('a full disk: the engine goes on evaluating and alerting, says the store is failing, and catches up when space is back', { skip: !isRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const disk = mountSmallDisk(4096);
  t.after(() => disk.remove());
  const dir = join(disk.dir, 'data');
  const quiet = { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } };
  const lines: string[] = [];
  // The store pauses between failed writes on the engine's clock.
  let now = () => 0;
  const h = await harness({ store: new LowdbStore({ dir, now: () => now() }), alerts: quiet });
  now = () => h.clock.now();
  await run(h, 5, (ts) => [{ events: minuteOfConnects(4, ts, 300, 0) }]);
  assert.deepEqual(h.engine.storeStatus(), { ok: true });

  disk.fill();
  // Half of the connects fail from now on: the page must see it while nothing can be written.
  await run(h, 10, (ts) => [{ events: minuteOfConnects(4, ts, 300, 150) }]);
  const status = h.engine.storeStatus();
  assert.equal(status.ok, false);
  assert.match(status.lastError ?? '', /ENOSPC/);
  assert.ok(h.engine.alerts().some((a) => a.name === 'SloBurnRatePage'), 'alerts fire during the outage');
  const last = h.ticks.at(-1);
  assert.equal(last?.snapshot.at, h.clock.now(), 'the snapshot is current');
  const p4 = last?.snapshot.providers.find((p) => p.id === 'p4');
  assert.equal(p4?.state, 'major_outage');
  assert.ok((await h.store.listIncidents({ state: 'open' })).length === 1, 'the incident is open in memory');

  disk.free();
  // Writes resume after the store's pause (at most 5 minutes after a run of failures).
  await run(h, 6, (ts) => [{ events: minuteOfConnects(4, ts, 300, 150) }]);
  assert.deepEqual(h.engine.storeStatus(), { ok: true });
  await h.engine.close();
  await h.store.close();

  const reopened = new LowdbStore({ dir, onNotice: (line) => lines.push(line) });
  await reopened.open();
  const minutes = await reopened.queryBuckets({ level: 'minute', from: 0, to: h.clock.now(), keys: ['provider|p4'] });
  assert.equal(minutes.length, 21, 'every minute of the run reached the disk');
  assert.equal(minutes.reduce((n, b) => n + (b.counters.tcpFailed ?? 0), 0), 16 * 150);
  assert.equal((await reopened.listIncidents({ state: 'open' })).length, 1);
  assert.deepEqual(lines, []);
  assert.deepEqual(readdirSync(join(dir, 'rollups', 'minute')).filter((n) => n.endsWith('.tmp')), []);
  await reopened.close();
});
