// The per-snapshot cache behind the page and the provider list: a new snapshot, a changed key or
// no snapshot at all rebuilds; the same snapshot and key reuse the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotCache } from '../../src/server/snapshot-cache.js';
import { renderProviderTable, renderProviderTableSliced } from '../../src/server/pages/status-page.js';
import { listProvidersOf } from '../../src/store/state-document.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { monitoringStatus, startTestServer } from '../helpers/status-server.js';
import { SnapshotViews } from '../../src/server/snapshot-views.js';
import { MemoryStore } from '../../src/store/memory-store.js';

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
  assert.equal(n, 5, 'one reuse: the same snapshot and key');
});

test('the table rendered in slices is the same markup as the one rendered at once', async () => {
  const now = Date.now();
  const snap = snapshot([{ id: 'a' }, { id: 'b<script>', state: 'major_outage' }, { id: 'c', state: 'degraded' }], now);
  const providers = listProvidersOf({ schema: 1, snapshot: snap, incidents: [], maintenance: [], silences: [], alertState: { active: [] } });
  let pauses = 0;
  const sliced = await renderProviderTableSliced(providers, [], now, async () => void pauses++);
  const whole = renderProviderTable(providers, [], now);
  assert.equal(sliced.html.text, whole.html.text);
  assert.deepEqual(sliced.states, whole.states);
  assert.equal(pauses, 3);
  assert.doesNotMatch(sliced.html.text, /<script>/);
});

test('warm() prepares the table, the list and the compressed page of a new snapshot', async () => {
  const now = Date.now();
  const store = new MemoryStore();
  await store.open();
  const views = new SnapshotViews({ store, dns: () => undefined, monitoring: () => monitoringStatus(), now: () => now });
  await store.putSnapshot(snapshot([{ id: 'first' }, { id: 'second', state: 'degraded' }], now));
  await views.warm();
  const snap = await store.getSnapshot();
  assert.ok(snap);
  assert.ok(views.hasList(snap, snap.at, 0), 'the provider list is prepared');
  const parts = await views.statusPage();
  // The compressed page is kept only for the very parts it was made from.
  assert.ok(views.gzippedPage(parts), 'a request gets the table warm() rendered, already compressed');
  assert.match(parts.table.table.html.text, /data-provider="second"[\s\S]*data-provider="first"/, 'worst state first, as the unwarmed table');
  await views.warm();
  assert.equal((await views.statusPage()).table, parts.table, 'warming again with the same snapshot renders nothing');
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
  assert.match(await (await fetch(`${srv.url}/metrics`)).text(), /egresswatch_provider_state\{provider="second",host="test-host"\} 3/);
});
