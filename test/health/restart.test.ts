// A restart on the lowdb store keeps the SLO history and the firing alerts: no second page, and recovery still resolves.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { firedAlerts, harness, minuteOfConnects, run } from './scenario-helpers.js';

test('restart keeps history and alert state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } };
  const a = await harness({ store: new LowdbStore({ dir }), alerts: quiet });
  await run(a, 30, (ts) => [{ events: minuteOfConnects(4, ts, 300, 0) }], 5);
  await run(a, 10, (ts) => [{ events: minuteOfConnects(4, ts, 300, 150) }]);
  assert.ok(a.engine.alerts().some((x) => x.name === 'SloBurnRatePage'));
  await a.engine.close();
  await a.store.close();

  const b = await harness({ store: new LowdbStore({ dir }), alerts: quiet, start: a.clock.now() });
  await run(b, 1, (ts) => [{ events: minuteOfConnects(4, ts, 300, 150) }]);
  assert.deepEqual(firedAlerts(b, b.clock.now()).filter((x) => x.name === 'SloBurnRatePage'), [], 'no second page after the restart');
  assert.ok(b.engine.alerts().some((x) => x.name === 'SloBurnRatePage'), 'still firing: the windows were rebuilt from the store');
  const slo = (await b.store.getProvider('p4'))?.slos.find((s) => s.slo === 'availability');
  assert.ok(slo && slo.total > 40 * 300 - 1, `SLO window holds the history from before the restart (${slo?.total})`);
  // The 6x rule's short window is 30 minutes: it clears once the outage has left it.
  await run(b, 35, (ts) => [{ events: minuteOfConnects(4, ts, 300, 0) }], 5);
  assert.ok(!b.engine.alerts().some((x) => x.name === 'SloBurnRatePage'), 'resolves after recovery');
  assert.equal((await b.store.listIncidents()).length, 1, 'the same incident, not a new one');
  await b.engine.close();
  await b.store.close();
});
