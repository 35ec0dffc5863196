// Bounds on what the engine keeps: providers known only by their domain beyond the limit count as
// "other" (named ones never do), endpoints are capped in total, idle ones are forgotten so new
// ones get their place, memory above 80 % of the limit sheds detail, and a restart loads only the
// busiest history. On a manual clock and an in-memory or lowdb store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TcpEvent } from '../../src/events.js';
import type { EndpointLabel } from '../../src/external/endpoint-label.js';
import type { LabeledEvent } from '../../src/external/labeled-event.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { harness, MINUTE, type Harness } from './scenario-helpers.js';

const connect = (ts: number, dst: string): TcpEvent => ({ type: 'tcp', ts, event: 'established', latencyMs: 5, src: '10.206.0.2', sport: 40000, dst, dport: 443, comm: 'crawler' });

/** A connection to domain n, labelled as passive DNS labels a name nothing else knows. */
function toDomain(ts: number, n: number): LabeledEvent {
  const ip = `10.50.${n >> 8}.${n & 255}`;
  const label: EndpointLabel = { ip, provider: `site${n}.example`, hostname: `www.site${n}.example`, source: 'dns', confidence: 0.5, discovered: true };
  return { event: connect(ts, ip), label };
}

function toNamed(ts: number, provider: string, n = 1): LabeledEvent {
  const ip = `198.51.100.${n}`;
  return { event: connect(ts, ip), label: { ip, provider, service: 'api', hostname: `api${n}.${provider}.example`, source: 'catalogue', confidence: 0.9 } };
}

async function minute(h: Harness, events: (ts: number) => LabeledEvent[]) {
  h.engine.ingestEvents(events(h.clock.now()));
  h.clock.advance(MINUTE);
  return h.engine.tick();
}

test('discovered providers beyond the limit count as "other"; named providers never do', async () => {
  const h = await harness({ limits: { discoveredProviders: 5, endpoints: 50 } });
  const tick = await minute(h, (ts) => [...Array.from({ length: 20 }, (_, n) => toDomain(ts, n)), toNamed(ts, 'stripe')]);
  const ids = tick.snapshot.providers.map((p) => p.id).sort();
  assert.deepEqual(ids, ['other', 'site0.example', 'site1.example', 'site2.example', 'site3.example', 'site4.example', 'stripe']);
  const other = tick.snapshot.providers.find((p) => p.id === 'other');
  assert.equal(other?.total, 15, 'the 15 folded connections are counted, as "other"');
  assert.equal(h.engine.counters().aggregator.foldedProviders, 15);
});

test('endpoints are capped in total: beyond the limit they count as "<provider> / other"', async () => {
  const h = await harness({ limits: { endpoints: 3 } });
  const tick = await minute(h, (ts) => [1, 2, 3, 4, 5].map((n) => toNamed(ts, 'stripe', n)));
  const stripe = tick.snapshot.providers.find((p) => p.id === 'stripe');
  assert.equal(stripe?.total, 5);
  assert.deepEqual(stripe?.endpoints.map((e) => e.name).sort(), ['api1.stripe.example:443', 'api2.stripe.example:443', 'api3.stripe.example:443', 'other']);
  assert.equal(stripe?.endpoints.find((e) => e.name === 'other')?.total, 2);
});

test('idle discovered providers are forgotten after the idle time, and a new domain gets their place', async () => {
  const h = await harness({ limits: { discoveredProviders: 2 } });
  await minute(h, (ts) => [toDomain(ts, 1), toDomain(ts, 2), toNamed(ts, 'stripe')]);
  let tick = await minute(h, (ts) => [toDomain(ts, 3), toNamed(ts, 'stripe')]);
  assert.ok(tick.snapshot.providers.some((p) => p.id === 'other'), 'the third domain counts as other while two are kept');
  assert.ok(!tick.snapshot.providers.some((p) => p.id === 'site3.example'));
  // An hour and more of stripe traffic only: the two domains are idle and forgotten.
  for (let m = 0; m < 62; m++) tick = await minute(h, (ts) => [toNamed(ts, 'stripe')]);
  assert.ok(!tick.snapshot.providers.some((p) => p.id === 'site1.example'), 'idle for an hour: forgotten');
  tick = await minute(h, (ts) => [toDomain(ts, 3), toNamed(ts, 'stripe')]);
  assert.ok(tick.snapshot.providers.some((p) => p.id === 'site3.example'), 'a new domain takes the free place');
  assert.ok(tick.snapshot.providers.some((p) => p.id === 'stripe'), 'named providers stay');
});

test('above 80 % of the memory limit the engine sheds detail until memory is below 70 %', async () => {
  let rss = 100;
  const h = await harness({ limits: { discoveredProviders: 100, memoryBytes: 1000 }, memoryUsage: () => rss });
  await minute(h, (ts) => [toDomain(ts, 1)]);
  assert.equal(h.engine.memoryStatus().shedding, false);
  rss = 850;
  await minute(h, (ts) => [toDomain(ts, 1)]);
  assert.deepEqual(h.engine.memoryStatus(), { rssBytes: 850, limitBytes: 1000, shedding: true });
  let tick = await minute(h, (ts) => [toDomain(ts, 1), toDomain(ts, 2)]);
  assert.ok(tick.snapshot.providers.some((p) => p.id === 'site1.example'), 'series already kept stay');
  assert.ok(!tick.snapshot.providers.some((p) => p.id === 'site2.example'), 'a new one counts as other');
  rss = 750;
  await minute(h, (ts) => [toDomain(ts, 1)]);
  assert.equal(h.engine.memoryStatus().shedding, true, 'between 70 and 80 %: still shedding');
  rss = 650;
  await minute(h, (ts) => [toDomain(ts, 1)]);
  tick = await minute(h, (ts) => [toDomain(ts, 2)]);
  assert.equal(h.engine.memoryStatus().shedding, false);
  assert.ok(tick.snapshot.providers.some((p) => p.id === 'site2.example'));
});

test('a restart loads the busiest history within the limits and says what stays on disk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = await harness({ store: new LowdbStore({ dir }), limits: { discoveredProviders: 300 } });
  // 300 domains, domain n contacted n+1 times.
  await minute(a, (ts) => Array.from({ length: 300 }, (_, n) => Array.from({ length: n + 1 }, () => toDomain(ts, n))).flat());
  await a.engine.close();
  await a.store.close();
  const lines: string[] = [];
  const b = await harness({ store: new LowdbStore({ dir }), limits: { discoveredProviders: 10 }, start: a.clock.now(), log: (l) => lines.push(l) });
  const tick = await minute(b, () => []);
  assert.match(lines.join('\n'), /the busiest are loaded, 90 providers and \d+ endpoints stay on disk only/);
  const ids = tick.snapshot.providers.map((p) => p.id);
  assert.equal(ids.length, 210, '10 discovered + room for 200 named');
  assert.ok(ids.includes('site299.example') && !ids.includes('site0.example'), 'the busiest ones');
});
