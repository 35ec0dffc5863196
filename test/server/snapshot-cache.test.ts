// The per-snapshot cache behind the page and the provider list: a new snapshot, a changed key or
// no snapshot at all rebuilds; the same snapshot and key reuse the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../src/server/snapshot-cache.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

test('rebuilds on a new snapshot or key, never caches without a snapshot', () => {
  const cache = new SnapshotCache<number>();
  let n = 0;
  const a = {};
  assert.equal(cache.get(a, 'k', () => ++n), 1);
  assert.equal(cache.get(a, 'k', () => ++n), 1);
  assert.equal(cache.get(a, 'other', () => ++n), 2);
  assert.equal(cache.get({}, 'other', () => ++n), 3);
  assert.equal(cache.get(undefined, 'other', () => ++n), 4);
  assert.equal(cache.get(undefined, 'other', () => ++n), 5);
  assert.deepEqual(cache.stats, { builds: 5, hits: 1 });
});

test('the page and the provider list follow each new snapshot', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'first' }], now));
  assert.match(await (await fetch(`${srv.url}/`)).text(), /data-provider="first"/);
  assert.match(await (await fetch(`${srv.url}/api/v1/providers`)).text(), /"id":"first"/);
  await srv.store.putSnapshot(snapshot([{ id: 'second', state: 'major_outage' }], now + 1));
  const page = await (await fetch(`${srv.url}/`)).text();
  assert.match(page, /data-provider="second"/);
  assert.doesNotMatch(page, /data-provider="first"/);
  assert.match(page, /Overall: Major outage/);
  assert.match(await (await fetch(`${srv.url}/api/v1/providers`)).text(), /"id":"second"/);
  assert.match(await (await fetch(`${srv.url}/metrics`)).text(), /egresswatch_provider_state\{provider="second",state="major_outage"\} 1/);
});
