// SLI windows: the one-pass multi-window sums agree with window-by-window sums, at aligned and unaligned times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';
import { SliWindows } from '../../src/health/rollups/sli-windows.js';

test('sums() over many windows equals sum() per window; latency-good counts follow the threshold', () => {
  const w = new SliWindows([100]);
  const T0 = Date.UTC(2026, 10, 1);
  for (let m = 0; m < 5 * 24 * 60; m++) {
    const s = new LatencySketch();
    for (let i = 0; i < 10; i++) s.add(m % 3 === 0 ? 150 : 50);
    w.add({ key: 'provider|p1', level: 'minute', start: T0 + m * 60_000, counters: { tcpAttempts: 10, tcpFailed: m % 7 === 0 ? 1 : 0 }, latency: { connect: s.toData() } });
  }
  const windows = [300_000, 1_800_000, 3_600_000, 6 * 3_600_000, 3 * 86_400_000, 30 * 86_400_000];
  for (const now of [T0 + 4 * 86_400_000, T0 + 4 * 86_400_000 + 30_500, T0 + 5 * 86_400_000]) {
    const many = w.sums('provider|p1', windows, now);
    for (const ms of windows) assert.deepEqual(many.get(ms), w.sum('provider|p1', ms, now), `window ${ms} at ${now}`);
  }
  const hour = w.sum('provider|p1', 3_600_000, T0 + 5 * 86_400_000);
  assert.equal(hour.total, 600);
  assert.equal(hour.latTotal, 600);
  assert.equal(hour.latGood[0], 400, 'two minutes in three are under 100 ms');
  assert.deepEqual(w.sums('provider|none', [300_000], T0).get(300_000)?.total, 0);
});
