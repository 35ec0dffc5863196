// The API's JSON: instants under the read models' time keys become ISO strings, wherever they
// are nested; the same key inside a string value, other numbers and nulls are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toApiJson } from '../../src/server/json-surface.js';

test('instants become ISO strings, nothing else changes', () => {
  const value = {
    openedAt: 0, resolvedAt: null, windowMs: 86_400_000, total: 5,
    timeline: [{ at: 1_764_000_000_000.5, kind: 'note', text: 'see {"at":1,"t":2} and ,"start":3' }],
    points: [{ t: 1_764_000_000_000, p50Ms: 12 }],
    nested: { deeper: { lastSeen: 1_764_000_000_000, flat: 7, startsAtX: 9 } },
  };
  const out = JSON.parse(toApiJson(value));
  assert.equal(out.openedAt, '1970-01-01T00:00:00.000Z');
  assert.equal(out.resolvedAt, null);
  assert.equal(out.windowMs, 86_400_000);
  assert.equal(out.timeline[0].at, new Date(1_764_000_000_000.5).toISOString());
  assert.equal(out.timeline[0].text, 'see {"at":1,"t":2} and ,"start":3', 'text that looks like JSON is untouched');
  assert.equal(out.points[0].t, '2025-11-24T16:00:00.000Z');
  assert.equal(out.points[0].p50Ms, 12);
  assert.equal(out.nested.deeper.lastSeen, '2025-11-24T16:00:00.000Z');
  assert.equal(out.nested.deeper.flat, 7);
  assert.equal(out.nested.deeper.startsAtX, 9);
});
