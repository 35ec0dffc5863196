// Attribution through the whole pipeline: local network, the provider, some hosts, one zone, one resolver.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from '../../src/events.js';
import type { LabeledEvent, LabeledLookup } from '../../src/external/labeled-event.js';
import { harness, labelled, labelOf, lookup, MINUTE, minuteOfConnects, run } from './scenario-helpers.js';

const quietAnomaly = { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } };

test('several unrelated providers failing together from this host is attributed to the local network', async () => {
  const h = await harness({ alerts: quietAnomaly });
  await run(h, 30, (t) => [1, 2, 3, 4].map((n) => ({ events: minuteOfConnects(n, t, 200, 0) })), 5);
  await run(h, 10, (t) => [1, 2, 3, 4].map((n) => ({ events: minuteOfConnects(n, t, 200, 100) })));
  const pages = h.engine.alerts().filter((a) => a.name === 'SloBurnRatePage');
  assert.equal(pages.length, 4);
  for (const a of pages) {
    assert.equal(a.attribution?.scope, 'local');
    assert.match(a.attribution?.reason ?? '', /4 unrelated providers \(p1, p2, p3, p4\) fail together: this host's network, NAT or resolver, not the providers/);
  }
  const open = await h.store.listIncidents({ state: 'open' });
  assert.deepEqual(open.map((i) => i.providerId), ['local'], 'one incident for the local network, not four provider incidents');
  for (const id of ['p1', 'p2', 'p3', 'p4']) {
    const p = (await h.store.getProvider(id))!;
    assert.equal(p.openIncidents, 0, `the host's incident is not counted as ${id}'s`);
    assert.deepEqual(p.incidents, []);
  }
});

test('one provider failing from every host and process is attributed to the provider', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const hosts = ['h1', 'h2', 'h3'];
  await run(h, 30, (t) => hosts.flatMap((host) => [{ events: minuteOfConnects(1, t, 100, 0), host }, { events: minuteOfConnects(2, t, 100, 0), host }]), 5);
  await run(h, 10, (t) => hosts.flatMap((host) => [
    { events: [...minuteOfConnects(1, t, 50, 40, undefined, 'curl'), ...minuteOfConnects(1, t, 50, 40, undefined, 'java')], host },
    { events: minuteOfConnects(2, t, 100, 0), host },
  ]));
  const page = h.engine.alerts().find((a) => a.name === 'SloBurnRatePage');
  assert.ok(page);
  assert.equal(page.providerId, 'p1');
  assert.deepEqual(page.attribution?.targets, ['p1']);
  assert.equal(page.attribution?.scope, 'provider');
  assert.match(page.attribution?.reason ?? '', /p1 fails from every host \(3\) and process \(2\) seen/);
  const p1 = (await h.store.getProvider('p1'))!;
  assert.deepEqual(p1.affected.hosts.map((x) => x.value).sort(), hosts);
});

test('one host failing to reach a provider is named, so the fix is to drain it', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const hosts = ['h1', 'h2', 'h3'];
  await run(h, 30, (t) => hosts.map((host) => ({ events: minuteOfConnects(1, t, 100, 0), host })), 5);
  await run(h, 10, (t) => hosts.map((host) => ({ events: minuteOfConnects(1, t, 100, host === 'h2' ? 90 : 0), host })));
  const page = h.engine.alerts().find((a) => a.name === 'SloBurnRatePage');
  assert.ok(page);
  assert.equal(page.attribution?.scope, 'host');
  assert.deepEqual(page.attribution?.targets, ['h2']);
  assert.match(page.attribution?.reason ?? '', /only host h2 fail/);
  const p1 = (await h.store.getProvider('p1'))!;
  assert.equal(p1.affected.hosts[0].value, 'h2', 'the worst host comes first');
});

test('every host of one zone failing (and no other) names the zone', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const hosts = [['a1', 'zone-a'], ['a2', 'zone-a'], ['b1', 'zone-b'], ['b2', 'zone-b']];
  await run(h, 30, (t) => hosts.map(([host, zone]) => ({ events: minuteOfConnects(1, t, 100, 0), host, zone })), 5);
  await run(h, 10, (t) => hosts.map(([host, zone]) => ({ events: minuteOfConnects(1, t, 100, zone === 'zone-a' ? 80 : 0), host, zone })));
  const page = h.engine.alerts().find((a) => a.name === 'SloBurnRatePage');
  assert.ok(page);
  assert.equal(page.attribution?.scope, 'zone');
  assert.deepEqual(page.attribution?.targets, ['zone-a']);
});

test('DNS failures through one resolver only are attributed to that resolver', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const dnsMinute = (t: number, badFails: boolean): LabeledLookup[] => {
    const out: LabeledLookup[] = [];
    for (let i = 0; i < 100; i++) {
      const server = i % 2 ? '10.206.0.53' : '10.206.0.54';
      const ok = !(badFails && server === '10.206.0.53');
      out.push(lookup({ ts: t + i * 600, qname: 'api.p7.example', server, rcode: ok ? 'NOERROR' : 'SERVFAIL', latencyMs: 3, comm: 'app' }));
    }
    return out;
  };
  for (let m = 0; m < 40; m++) {
    h.engine.ingestLookups(dnsMinute(h.clock.now(), m >= 30));
    h.clock.advance(MINUTE);
    if (m % 5 === 4 || m >= 30) h.ticks.push(await h.engine.tick());
  }
  // Lookups are the DNS signal, not calls: no SLO burns, the DNS rule alerts, against the resolver.
  assert.equal(h.engine.alerts().filter((a) => a.name.startsWith('SloBurnRate')).length, 0);
  const alert = h.engine.alerts().find((a) => a.name === 'DnsLookupFailures');
  assert.ok(alert);
  assert.equal(alert.providerId, 'p7');
  assert.equal(alert.attribution?.scope, 'resolver');
  assert.deepEqual(alert.attribution?.targets, ['10.206.0.53']);
  const p7 = (await h.store.getProvider('p7'))!;
  assert.deepEqual(p7.affected.resolvers.map((r) => [r.value, r.failed > 0]), [['10.206.0.53', true], ['10.206.0.54', false]]);
  const open = await h.store.listIncidents({ state: 'open' });
  assert.deepEqual(open.map((i) => i.providerId), ['local'], 'a resolver problem is this host\'s incident');
});

test('one provider\'s names failing through every resolver while other names resolve is that provider\'s DNS', async () => {
  const h = await harness({ alerts: quietAnomaly });
  for (let m = 0; m < 10; m++) {
    const t = h.clock.now();
    const out: LabeledLookup[] = [];
    for (let i = 0; i < 100; i++) {
      const server = i % 2 ? '10.206.0.53' : '10.206.0.54';
      out.push(lookup({ ts: t + i * 600, qname: 'api.p7.example', server, rcode: m >= 3 ? 'SERVFAIL' : 'NOERROR', comm: 'app' }));
      out.push(lookup({ ts: t + i * 600 + 1, qname: 'api.p8.example', server, rcode: 'NOERROR', comm: 'app' }));
    }
    h.engine.ingestLookups(out);
    h.clock.advance(MINUTE);
    h.ticks.push(await h.engine.tick());
  }
  const alerts = h.engine.alerts();
  assert.deepEqual(alerts.map((a) => [a.name, a.providerId, a.severity]), [['DnsLookupFailures', 'p7', 'page']]);
  assert.equal(alerts[0].attribution?.scope, 'provider');
  assert.match(alerts[0].attribution?.reason ?? '', /p7's names fail through every resolver .* while other names resolve through them/);
});

test('HTTP errors from several providers stay theirs while another provider is healthy', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const runs = (t: number, failing: boolean): LabeledEvent[] => [1, 2, 3, 4].flatMap((n) => Array.from({ length: 12 }, (_, i) => {
    const bad = failing && n !== 4;
    const event: ProbeResult = {
      type: 'probe', probe: 'http', check: `c${n}`, target: `https://api.p${n}.example/`, ip: `198.51.100.${n}`, ts: t + i * 5000, ok: !bad,
      phases: { dnsMs: 1, connectMs: 2, firstByteMs: 5, totalMs: 9 }, status: bad ? 500 : 200, attempts: 1,
      ...(bad ? { error: { kind: 'http_status' as const, message: 'HTTP 500' } } : {}),
    };
    return { event, label: labelOf(`198.51.100.${n}`) };
  }));
  for (let m = 0; m < 40; m++) {
    h.engine.ingestEvents(runs(h.clock.now(), m >= 30));
    h.clock.advance(MINUTE);
    h.ticks.push(await h.engine.tick());
  }
  const pages = h.engine.alerts().filter((a) => a.severity === 'page');
  assert.deepEqual([...new Set(pages.map((a) => a.providerId))].sort(), ['p1', 'p2', 'p3']);
  for (const a of pages) {
    assert.equal(a.attribution?.scope, 'provider', `${a.name} of ${a.providerId}`);
    assert.match(a.attribution?.reason ?? '', /its own answers/);
  }
  const open = await h.store.listIncidents({ state: 'open' });
  assert.deepEqual(open.map((i) => i.providerId).sort(), ['p1', 'p2', 'p3'], 'no local incident');
});

test('connect timeouts to several providers are theirs while connects to another provider succeed', async () => {
  const h = await harness({ alerts: quietAnomaly });
  await run(h, 30, (t) => [1, 2, 3, 4].map((n) => ({ events: minuteOfConnects(n, t, 200, 0) })), 5);
  await run(h, 10, (t) => [1, 2, 3, 4].map((n) => ({ events: minuteOfConnects(n, t, 200, n === 4 ? 0 : 100) })));
  const pages = h.engine.alerts().filter((a) => a.name === 'SloBurnRatePage');
  assert.deepEqual(pages.map((a) => a.providerId).sort(), ['p1', 'p2', 'p3']);
  for (const a of pages) {
    assert.equal(a.attribution?.scope, 'provider');
    assert.match(a.attribution?.reason ?? '', /2 other providers fail too, but 1 reached over the same network is healthy/);
  }
});

test('every provider\'s connects timing out while checks of a local target pass is one local incident', async () => {
  const h = await harness({ alerts: quietAnomaly });
  const localCheck = (t: number): LabeledEvent[] => Array.from({ length: 6 }, (_, i) => ({
    event: { type: 'probe', probe: 'http', check: 'sidecar', target: 'http://127.0.0.1:8080/health', ip: '127.0.0.1', ts: t + i * 10_000, ok: true, attempts: 1, phases: { connectMs: 1, firstByteMs: 2, totalMs: 3 }, status: 200, provider: 'sidecar' } satisfies ProbeResult,
    label: { ip: '127.0.0.1', provider: 'sidecar', source: 'config', confidence: 1 },
  }));
  await run(h, 30, (t) => [1, 2, 3, 4].map((n) => ({ events: minuteOfConnects(n, t, 100, 0) })), 5);
  for (let m = 0; m < 10; m++) {
    const t = h.clock.now();
    h.engine.ingestEvents(localCheck(t));
    for (const n of [1, 2, 3, 4]) h.engine.ingestEvents(labelled(minuteOfConnects(n, t, 100, 100)));
    h.clock.advance(MINUTE);
    h.ticks.push(await h.engine.tick());
  }
  const pages = h.engine.alerts().filter((a) => a.severity === 'page');
  assert.deepEqual(pages.map((a) => a.providerId).sort(), ['p1', 'p2', 'p3', 'p4']);
  for (const a of pages) assert.equal(a.attribution?.scope, 'local', `${a.providerId}: ${a.attribution?.reason}`);
  const open = await h.store.listIncidents({ state: 'open' });
  assert.deepEqual(open.map((i) => i.providerId), ['local'], 'one incident');
  const sidecar = h.ticks.at(-1)!.snapshot.providers.find((p) => p.id === 'sidecar')!;
  assert.equal(sidecar.state, 'operational', 'the local target stays healthy');
});
