// Anomaly detection learns a daily latency pattern and flags a departure from it, without hand-set thresholds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBaseline, latencyAnomaly, ratioAnomaly } from '../../src/health/evaluation/anomaly.js';
import { firedAlerts, harness, HOUR, minuteOfConnects, run, T0 } from './scenario-helpers.js';

/** 20 ms at night, 40 ms from 08:00 to 20:00 UTC, with a little jitter. */
function dailyLatency(t: number): (i: number) => number {
  const hour = new Date(t).getUTCHours();
  const base = hour >= 8 && hour < 20 ? 40 : 20;
  return (i) => base + (i % 7) * 0.3;
}

test('a learned daily pattern raises nothing; a latency jump at night is an anomaly with its significance', async () => {
  const h = await harness();
  await run(h, 4 * 24 * 60, (t) => [{ events: minuteOfConnects(1, t, 100, 0, dailyLatency(t)) }], 15);
  assert.deepEqual(firedAlerts(h, T0), [], 'four days of a normal daily pattern');
  // Day 5, 03:00: 60 ms where nights are 20 ms (days are 40 ms, so only the seasonal baseline sees it).
  h.clock.set(T0 + 4 * 24 * HOUR + 3 * HOUR);
  const start = h.clock.now();
  await run(h, 30, (t) => [{ events: minuteOfConnects(1, t, 100, 0, () => 60) }], 5);
  const anomaly = firedAlerts(h, start).find((a) => a.name === 'LatencyAnomaly');
  assert.ok(anomaly, 'latency anomaly fires');
  assert.ok(anomaly.minute <= 15, `within the 15-minute window (minute ${anomaly.minute})`);
  const alert = h.engine.alerts().find((a) => a.name === 'LatencyAnomaly');
  assert.ok(alert);
  assert.equal(alert.labels.baseline, 'hour_of_day');
  assert.ok(Math.abs(alert.values.expected - 20) < 1, `expected ≈ 20 ms, got ${alert.values.expected}`);
  assert.ok(alert.values.significance >= 4);
});

test('robust baselines: ratio anomalies scale with volume; one outlier hour does not move the median', () => {
  const day = 24 * HOUR;
  const samples = [];
  for (let d = 0; d < 5; d++) for (let hr = 0; hr < 24; hr++) samples.push({ start: T0 + d * day + hr * HOUR, value: d === 2 && hr === 5 ? 0.5 : 0.001, count: 1000 });
  const base = buildBaseline(samples, 10);
  assert.equal(base.byHour[5]?.median, 0.001, 'the 50 % outlier hour is ignored by the median');
  const at = T0 + 10 * day + 5 * HOUR + 30 * 60_000;
  const small = ratioAnomaly(base, at - 900_000, at, 0.01, 50);
  const large = ratioAnomaly(base, at - 900_000, at, 0.01, 5000);
  assert.ok(small && large);
  assert.ok(small.significance < 4, `1 % over 50 calls is noise (${small.significance})`);
  assert.ok(large.significance > 4, `1 % over 5000 calls is significant (${large.significance})`);
  assert.equal(latencyAnomaly(buildBaseline(samples.slice(0, 10), 10), at - 900_000, at, 100, 100), undefined, 'still learning with fewer than a day of hours');
});
