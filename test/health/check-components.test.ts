// A check endpoint's health components follow its last run phase by phase (an HTTP 500 fails
// http, while dns, tcp and tls, which it got through, pass), and a certificate inside warnDays
// is a warning in the health JSON and a ticket, while the run itself passes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeResult } from '../../src/events.js';
import type { LabeledEvent } from '../../src/external/labeled-event.js';
import { endpointHealth } from '../../src/server/endpoint-health.js';
import { harness, labelled, labelOf, MINUTE, minuteOfConnects } from './scenario-helpers.js';

const quietAnomaly = { anomaly: { enabled: false, minEvents: 50, significance: 4, historyDays: 14 } };

function run(result: Partial<ProbeResult> & Pick<ProbeResult, 'check' | 'probe' | 'ok' | 'ts'>, n: number): LabeledEvent {
  const event: ProbeResult = { type: 'probe', target: `https://api.p${n}.example/`, ip: `198.51.100.${n}`, attempts: 1, phases: { totalMs: 10 }, ...result };
  return { event, label: labelOf(`198.51.100.${n}`) };
}

test('health components of an HTTP check answered with a 500: http fails, dns, tcp and tls pass; the certificate has its own component', async () => {
  const h = await harness({ alerts: quietAnomaly });
  h.engine.configureChecks([{ name: 'api', failureThreshold: 3, successThreshold: 2 }]);
  const t = h.clock.now();
  h.engine.ingestEvents([run({
    check: 'api', probe: 'http', ok: false, ts: t, status: 500, certExpiryDays: 90,
    phases: { dnsMs: 2, connectMs: 3, tlsMs: 9, firstByteMs: 20, totalMs: 34 }, error: { kind: 'http_status', message: 'HTTP 500 (expected 200-299)' },
  }, 1)]);
  h.clock.advance(MINUTE);
  const tick = await h.engine.tick();
  const endpoint = tick.snapshot.providers.find((p) => p.id === 'p1')!.endpoints[0];
  assert.deepEqual(Object.fromEntries(Object.entries(endpoint.checks).map(([k, c]) => [k, c.status])), {
    'dns:responseTime': 'pass', 'tcp:responseTime': 'pass', 'tls:responseTime': 'pass', 'http:responseTime': 'fail', 'tls:certificateExpiry': 'pass',
  });
  assert.equal(endpoint.checks['http:responseTime'].output, 'http_status: HTTP 500 (expected 200-299)');
  assert.equal(endpoint.checks['tcp:responseTime'].observedValue, 3, 'each phase its own latency');
  const health = endpointHealth(endpoint, 'test');
  assert.equal(health.status, 'fail');
  assert.equal(health.checks['http:responseTime'][0].componentId, 'http');
  assert.equal(health.checks['dns:responseTime'][0].status, 'pass');
  assert.match(health.output ?? '', /^http:responseTime: http_status: HTTP 500/);
});

test('a connect timeout fails tcp; the phases after it are not reported', async () => {
  const h = await harness({ alerts: quietAnomaly });
  h.engine.ingestEvents([run({ check: 'db', probe: 'tcp', ok: false, ts: h.clock.now(), target: 'db.p2.example:5432', phases: { dnsMs: 1, totalMs: 5001 }, error: { kind: 'connect_timeout', message: 'connect timed out after 5000ms' } }, 2)]);
  h.clock.advance(MINUTE);
  const endpoint = (await h.engine.tick()).snapshot.providers.find((p) => p.id === 'p2')!.endpoints[0];
  assert.deepEqual(Object.fromEntries(Object.entries(endpoint.checks).map(([k, c]) => [k, c.status])), { 'dns:responseTime': 'pass', 'tcp:responseTime': 'fail' });
});

test('a certificate inside warnDays: the run passes, the certificate component warns, a ticket fires and resolves once renewed', async () => {
  const h = await harness({ alerts: quietAnomaly });
  h.engine.configureChecks([{ name: 'edge-tls', failureThreshold: 3, successThreshold: 2, warnDays: 21 }]);
  const tls = (days: number) => run({ check: 'edge-tls', probe: 'tls', ok: true, ts: h.clock.now(), target: 'edge.p3.example:443', certExpiryDays: days, warnings: [`certificate expires in ${days} days (warnDays 21)`], phases: { dnsMs: 1, connectMs: 2, tlsMs: 8, totalMs: 11 } }, 3);
  h.engine.ingestEvents([tls(10)]);
  h.clock.advance(MINUTE);
  const tick = await h.engine.tick();
  const endpoint = tick.snapshot.providers.find((p) => p.id === 'p3')!.endpoints[0];
  assert.equal(endpoint.certExpiryDays, 10);
  assert.equal(endpoint.checks['tls:certificateExpiry'].status, 'warn');
  assert.equal(endpoint.checks['tls:responseTime'].status, 'pass');
  assert.equal(endpointHealth(endpoint, 'test').checks['tls:certificateExpiry'][0].status, 'warn');
  assert.deepEqual(tick.fired.map((a) => [a.name, a.severity, a.providerId]), [['CertificateExpiring', 'ticket', 'p3']]);
  assert.match(tick.fired[0].summary, /the certificate of edge\.p3\.example:443 \(check edge-tls\) expires in 10 days \(warnDays 21\)/);
  h.engine.ingestEvents([tls(89)]);
  h.clock.advance(MINUTE);
  assert.deepEqual((await h.engine.tick()).resolved.map((a) => a.name), ['CertificateExpiring']);
});

test('the score weighs connects and check runs the same: a thousand healthy connects do not hide a check failing every run', async () => {
  const h = await harness({ alerts: quietAnomaly });
  for (let m = 0; m < 10; m++) {
    const t = h.clock.now();
    h.engine.ingestEvents(labelled(minuteOfConnects(4, t, 1000, 0)));
    h.engine.ingestEvents([run({ check: 'p4-api', probe: 'http', ok: false, ts: t, status: 500, phases: { dnsMs: 1, connectMs: 1, firstByteMs: 3, totalMs: 5 }, error: { kind: 'http_status', message: 'HTTP 500' } }, 4)]);
    h.clock.advance(MINUTE);
    h.ticks.push(await h.engine.tick());
  }
  const p4 = h.ticks.at(-1)!.snapshot.providers.find((p) => p.id === 'p4')!;
  const success = p4.score.components.find((c) => c.name === 'success')!;
  assert.equal(p4.total, 10_010);
  assert.equal(success.value, 0, 'half the kinds fail: far past the 10 % that zeroes the term');
  assert.equal(success.detail, '100 % of 10000 connects, 0 % of 10 check runs succeeded in the last hour (each kind weighs the same)');
  const availability = p4.slos.find((x) => x.kind === 'success')!;
  assert.deepEqual(availability.signals, { connects: 10_000, checkRuns: 10 }, 'the SLO says which signals it counted');
  assert.equal(availability.attained, 0.5, 'the SLO weighs the kinds the same way');
  assert.ok(h.engine.alerts().some((a) => a.name === 'SloBurnRatePage' && a.providerId === 'p4'), 'and burns: half the kinds fail');
});
