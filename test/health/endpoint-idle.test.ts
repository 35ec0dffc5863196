// Endpoints unseen for store.endpointIdle leave the list (an ephemeral port, a retired host):
// the provider page stops listing them, their history stays in the store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpEvent } from '../../src/events.js';
import { SCOPE_PREFIX } from '../../src/health/rollups/bucket.js';
import { harness, labelled, MINUTE } from './scenario-helpers.js';

const connect = (ts: number, dport: number): TcpEvent => ({ type: 'tcp', ts, event: 'established', latencyMs: 5, src: '10.206.0.2', sport: 40000, dst: '198.51.100.9', dport, comm: 'app' });

test('an endpoint unseen for an hour leaves the list; its history stays in the store', async () => {
  const h = await harness();
  const start = h.clock.now();
  // One connection to port 31337 at the start, then steady traffic to 443 for 70 minutes.
  h.engine.ingestEvents(labelled([connect(start, 31337)]));
  const listed: string[][] = [];
  for (let m = 0; m < 70; m++) {
    h.engine.ingestEvents(labelled([connect(h.clock.now() + 1, 443)]));
    h.clock.advance(MINUTE);
    const tick = await h.engine.tick();
    if (m === 30 || m === 69) listed.push(tick.snapshot.providers.find((p) => p.id === 'p9')!.endpoints.map((e) => e.name));
  }
  assert.deepEqual(listed, [['api.p9.example:31337', 'api.p9.example:443'], ['api.p9.example:443']]);
  const stored = await h.store.queryBuckets({ level: 'minute', from: start, to: start + MINUTE, keyPrefix: SCOPE_PREFIX.endpoint });
  assert.ok(stored.some((b) => b.key.endsWith(':31337')), 'history kept');
});

test('an endpoint first seen by its address gives way to its name once the host resolves it: one endpoint, not two', async () => {
  const h = await harness();
  const bare = { ip: '198.51.100.9', provider: 'p9', service: 'api', source: 'catalogue' as const, confidence: 0.5 };
  const named = { ...bare, hostname: 'api.p9.example', source: 'dns' as const, confidence: 0.9 };
  h.engine.ingestEvents([{ event: connect(h.clock.now(), 443), label: bare }]);
  h.clock.advance(MINUTE);
  let tick = await h.engine.tick();
  assert.deepEqual(tick.snapshot.providers.find((p) => p.id === 'p9')!.endpoints.map((e) => e.name), ['198.51.100.9:443']);
  h.engine.ingestEvents([{ event: connect(h.clock.now(), 443), label: named }]);
  h.clock.advance(MINUTE);
  tick = await h.engine.tick();
  const p9 = tick.snapshot.providers.find((p) => p.id === 'p9')!;
  assert.deepEqual(p9.endpoints.map((e) => e.name), ['api.p9.example:443']);
  assert.equal(p9.endpointCount, 1);
});
