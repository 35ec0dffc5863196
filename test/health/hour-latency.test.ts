// The kept hour of latency sketches equals merging every minute bucket of the hour, tick after tick.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HourLatency } from '../../src/health/snapshot/hour-latency.js';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';
import type { Bucket } from '../../src/health/rollups/bucket.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T = Date.UTC(2026, 10, 23, 15, 0);

function minute(start: number, base: number): Bucket {
  const connect = new LatencySketch();
  const probeTotal = new LatencySketch();
  for (let i = 0; i < 20; i++) {
    connect.add(base + (i % 7));
    probeTotal.add(base * 2 + (i % 5));
  }
  return { key: 'endpoint|p|p|a:443', level: 'minute', start, counters: { tcpAttempts: 20 }, latency: { connect: connect.toData(), probeTotal: probeTotal.toData() } };
}

/** What the engine did before: every bucket of the window merged at each tick. */
function direct(mins: readonly Bucket[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const signal of ['connect', 'probeTotal'] as const) {
    const s = new LatencySketch();
    for (const b of mins) if (b.latency[signal]) s.merge(b.latency[signal]);
    out[signal] = s.quantile(0.5);
    out[`${signal}99`] = s.quantile(0.99);
  }
  return out;
}

function quantiles(sk: ReturnType<HourLatency['of']>): Record<string, number | null> {
  return { connect: sk.connect?.quantile(0.5) ?? null, connect99: sk.connect?.quantile(0.99) ?? null, probeTotal: sk.probeTotal?.quantile(0.5) ?? null, probeTotal99: sk.probeTotal?.quantile(0.99) ?? null };
}

test('every tick of two minutes gives what merging the whole hour gives; settled minutes merge once a minute', () => {
  const h = new HourLatency();
  const all = Array.from({ length: 70 }, (_, i) => minute(T - 65 * MINUTE + i * MINUTE, 10 + (i % 13)));
  // A settled minute's sketches are read only when the settled part is merged.
  const watched = all[20];
  let watchedReads = 0;
  let ticksThatMerged = 0;
  const { latency } = watched;
  Object.defineProperty(watched, 'latency', { get: () => (watchedReads++, latency) });
  let checks = 0;
  for (let now = T; now < T + 2 * MINUTE; now += 10_000) {
    // As the store answers: buckets in [now - 1 h, now + 1 min).
    const mins = all.filter((b) => b.start >= now - HOUR && b.start < now + MINUTE);
    const readsBefore = watchedReads;
    const kept = quantiles(h.of('k', mins, now));
    if (watchedReads > readsBefore) ticksThatMerged++;
    assert.deepEqual(kept, direct(mins), `at +${(now - T) / 1000} s`);
    checks++;
  }
  assert.equal(checks, 12);
  assert.equal(ticksThatMerged, 2, 'settled minutes merged once per minute, not at each tick');
});

test('a late change in the newest minutes shows at once', () => {
  const h = new HourLatency();
  const mins = Array.from({ length: 60 }, (_, i) => minute(T - 59 * MINUTE + i * MINUTE, 10));
  const now = T + 5000;
  h.of('k', mins, now);
  const changed = mins.slice(0, -1).concat(minute(T, 500));
  assert.deepEqual(quantiles(h.of('k', changed, now + 10_000)), direct(changed));
});
