// The cached 90-day uptime bars equal a full recomputation, and follow new incidents, maintenance and past-day data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uptimeDays } from '../../src/health/snapshot/snapshot-series.js';
import { UptimeHistory } from '../../src/health/snapshot/uptime-history.js';
import type { Bucket } from '../../src/health/rollups/bucket.js';
import type { Incident } from '../../src/health/alerts/incident.js';
import type { MaintenanceWindow } from '../../src/health/alerts/suppression.js';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 23, 15, 30);
const today = now - (now % DAY);

function day(start: number, failed: number): Bucket {
  const s = new LatencySketch();
  for (let i = 0; i < 50; i++) s.add(10 + (i % 9) + failed);
  return { key: 'provider|stripe', level: 'day', start, counters: { tcpAttempts: 1000, tcpFailed: failed }, latency: { connect: s.toData() } };
}

const past = Array.from({ length: 89 }, (_, i) => day(today - (i + 1) * DAY, i % 5));
const todays = [day(today, 7)];
const incident: Incident = { id: 'inc-1', providerId: 'stripe', title: 't', severity: 'page', state: 'resolved', openedAt: today - 3 * DAY, resolvedAt: today - 3 * DAY + 3600_000, attribution: null, alerts: [], timeline: [], notes: [] };
const window: MaintenanceWindow = { id: 'm-1', scope: 'stripe', startsAt: today - 10 * DAY, endsAt: today - 9 * DAY, reason: 'upgrade', createdBy: 'api', createdAt: today - 20 * DAY };

test('past days come from the cache and equal the full 90-day computation', () => {
  const h = new UptimeHistory();
  const full = uptimeDays([...past, ...todays], now, 90, [incident], [window]);
  const first = h.days('stripe', 1, past, todays, now, 90, [incident], [window]);
  assert.deepEqual(first, full);
  // Next tick: today changed, the past did not.
  const later = [day(today, 9)];
  const next = h.days('stripe', 1, past, later, now + 10_000, 90, [incident], [window]);
  assert.deepEqual(next, uptimeDays([...past, ...later], now + 10_000, 90, [incident], [window]));
  assert.equal(next[0], first[0], 'past days reused, not computed again');
  assert.notEqual(next[89], first[89], 'today computed again');
  assert.equal(full.length, 90);
  assert.equal(full[86].incidents, 1);
  assert.equal(full[79].maintenance, true);
});

test('a new incident, a new window, new past data or a new day rebuild the past days', () => {
  const h = new UptimeHistory();
  const plain = h.days('stripe', 1, past, todays, now, 90, [], []);
  assert.equal(h.days('stripe', 1, past, todays, now, 90, [], [])[0], plain[0], 'nothing new: reused');
  const withIncident = h.days('stripe', 1, past, todays, now, 90, [incident], []);
  assert.equal(withIncident[86].incidents, 1);
  const withWindow = h.days('stripe', 1, past, todays, now, 90, [incident], [window]);
  assert.equal(withWindow[79].maintenance, true);
  assert.equal(new Set([plain[0], withIncident[0], withWindow[0]]).size, 3, 'each change computed the past days again');
  const changed = past.map((b, i) => (i === 0 ? day(b.start, 400) : b));
  const regenerated = h.days('stripe', 2, changed, todays, now, 90, [incident], [window]);
  assert.equal(regenerated[88].failed, 400, 'yesterday re-read under a new generation');
  // At midnight the engine reads the past days again, yesterday included.
  const tomorrow = h.days('stripe', 3, [...todays, ...changed], [], now + DAY, 90, [incident], [window]);
  assert.equal(tomorrow[89].start, today + DAY);
  assert.equal(tomorrow[89].total, 0);
  assert.equal(tomorrow[88].failed, 7, 'what was today is a past day now');
});
