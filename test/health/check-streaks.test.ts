// The consecutive-runs rule of checks: a check every 2 minutes failing for 10 minutes pages at its
// third failed run, recovers after two passing runs, and keeps its state over a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from '../../src/events.js';
import type { Alert } from '../../src/health/alerts/alert.js';
import type { LabeledEvent } from '../../src/external/labeled-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { harness, labelOf, MINUTE, type Harness } from './scenario-helpers.js';

const quietAnomaly = { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } };

function checkRun(ts: number, ok: boolean): LabeledEvent {
  const event: ProbeResult = {
    type: 'probe', probe: 'http', check: 'billing', target: 'https://api.p5.example/v1', ip: '198.51.100.5', ts, ok, attempts: 1,
    phases: { dnsMs: 1, connectMs: 2, firstByteMs: 5, totalMs: 9 }, status: ok ? 200 : 503,
    ...(ok ? {} : { error: { kind: 'http_status' as const, message: 'HTTP 503' } }),
  };
  return { event, label: labelOf('198.51.100.5') };
}

/** One run every 2 minutes, the engine ticking every minute; returns the minute each CheckFailing alert fired and resolved. */
async function every2Minutes(h: Harness, outcomes: boolean[]): Promise<{ fired: number[]; resolved: number[]; alerts: Alert[] }> {
  const start = h.clock.now();
  const fired: number[] = [];
  const alerts: Alert[] = [];
  const resolved: number[] = [];
  for (const ok of outcomes) {
    for (let m = 0; m < 2; m++) {
      if (m === 0) h.engine.ingestEvents([checkRun(h.clock.now(), ok)]);
      h.clock.advance(MINUTE);
      const t = await h.engine.tick();
      h.ticks.push(t);
      for (const a of t.fired) {
        if (a.name !== 'CheckFailing') continue;
        fired.push((t.at - start) / MINUTE);
        alerts.push(structuredClone(a));
      }
      for (const a of t.resolved) if (a.name === 'CheckFailing') resolved.push((t.at - start) / MINUTE);
    }
  }
  return { fired, resolved, alerts };
}

test('a check every 2 minutes that fails for 10 minutes pages at its third failed run and recovers after two passes', async () => {
  const h = await harness({ alerts: quietAnomaly });
  h.engine.configureChecks([{ name: 'billing', failureThreshold: 3, successThreshold: 2 }]);
  // 4 passing runs, 5 failing (10 minutes), 3 passing.
  const { fired, resolved, alerts } = await every2Minutes(h, [true, true, true, true, false, false, false, false, false, true, true, true]);
  // Failed runs at minutes 8, 10, 12: the third one is seen by the tick at minute 13.
  assert.deepEqual(fired, [13]);
  // Passing runs at minutes 18 and 20: recovered at the tick after the second.
  assert.deepEqual(resolved, [21]);
  const alert = alerts[0];
  assert.equal(alert.severity, 'page');
  assert.equal(alert.providerId, 'p5');
  assert.equal(alert.endpointId, 'p5|check:billing');
  assert.match(alert.summary, /check billing \(https:\/\/api\.p5\.example\/v1\) failed 3 runs in a row; last error http_status: HTTP 503/);
  assert.equal(alert.attribution?.scope, 'provider', 'an HTTP status is the provider\'s answer');
  const resolvedAlert = h.ticks.flatMap((t) => t.resolved).find((x) => x.name === 'CheckFailing')!;
  assert.match(resolvedAlert.summary, /failed 5 runs in a row, then passed 1 \(2 passing runs in a row end it\)/);
  // Burn-rate rules need 60 events an hour: at 30 runs an hour they never fire.
  assert.equal(h.ticks.flatMap((t) => t.fired).filter((a) => a.name.startsWith('SloBurnRate')).length, 0);
});

test('a single failed run or two in a row do not page; the threshold is per check', async () => {
  const h = await harness({ alerts: quietAnomaly });
  h.engine.configureChecks([{ name: 'billing', failureThreshold: 3, successThreshold: 2 }]);
  assert.deepEqual((await every2Minutes(h, [true, false, true, false, false, true, true])).fired, []);
  h.engine.configureChecks([{ name: 'billing', failureThreshold: 1, successThreshold: 1 }]);
  const { fired, resolved } = await every2Minutes(h, [false, true]);
  assert.deepEqual([fired, resolved], [[1], [3]]);
});

test('a failing check stays failing over a restart instead of resolving and paging again', async () => {
  const store = new MemoryStore();
  const h = await harness({ alerts: quietAnomaly, store });
  await every2Minutes(h, [false, false, false]);
  assert.deepEqual(h.engine.alerts().map((a) => a.name), ['CheckFailing']);
  await h.engine.close();
  const again = await harness({ alerts: quietAnomaly, store, start: h.clock.now() });
  const after = await every2Minutes(again, [false, true, true]);
  assert.deepEqual(after.fired, [], 'no second page');
  assert.deepEqual(after.resolved, [5]);
});

test('the burn-rate volume guard scales with the checks\' schedule: a provider watched only by a check every 2 minutes can burn its budget', async () => {
  for (const runsPerHour of [0, 30]) {
    const h = await harness({ alerts: quietAnomaly });
    h.engine.configureChecks([{ name: 'billing', failureThreshold: 3, successThreshold: 2, runsPerHour }]);
    await every2Minutes(h, [...Array<boolean>(30).fill(true), false, false, false, false, false]);
    const burned = h.ticks.flatMap((t) => t.fired).some((a) => a.name === 'SloBurnRatePage');
    // 30 runs an hour: the guard asks for 15 (half), not 60; without the schedule it stays at 60.
    assert.equal(burned, runsPerHour === 30, `runsPerHour ${runsPerHour}`);
  }
});
