// Every read endpoint and every error of the status server over real HTTP on loopback: the JSON
// API, the health+json documents, the pages, 404 for unknown ids, 401/403 for writes, 405, 413.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsFinding, dnsSnapshot, incident, resolver, snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';
import { request } from 'node:http';
import { hostname } from 'node:os';

const NOW = Date.parse('2026-11-23T12:30:00Z');

async function setup(token?: string) {
  const srv = await startTestServer({ token, now: NOW, dns: dnsSnapshot([resolver('10.0.0.2'), resolver('10.0.0.3', { timeouts: 500, answered: 500 })], [dnsFinding()]) });
  await srv.store.putSnapshot(snapshot([{ id: 'stripe', name: 'Stripe', endpoints: 3 }, { id: 'aws', name: 'AWS', state: 'partial_outage' }], NOW));
  await srv.store.putIncident(incident('inc-1', 'aws', NOW));
  return srv;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', headers: res.headers, text: await res.text() };
}

test('GET /api/v1/providers lists providers with ISO times', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await get(`${srv.url}/api/v1/providers`);
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/json/);
  const body = JSON.parse(r.text);
  assert.deepEqual(body.providers.map((p: { id: string }) => p.id).sort(), ['aws', 'stripe']);
  const stripe = body.providers.find((p: { id: string }) => p.id === 'stripe');
  assert.equal(typeof stripe.uptime90dPct, 'number');
  assert.equal(stripe.endpointCount, 3);
  assert.match(stripe.lastSeen, /^2026-11-23T12:29:55\.000Z$/, 'instants are ISO strings');
  assert.equal(stripe.endpoints, undefined, 'the list leaves endpoints out');
  assert.equal(stripe.uptimeDays, undefined, 'per-day bars only on request (?days=N)');
  assert.equal(stripe.latency, undefined, 'the latency series is in /api/v1/providers/{id}');
});

test('GET /api/v1/providers?days=N adds the last N days of uptime; a bad N is a 400', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  for (const days of [90, 7]) {
    const body = JSON.parse((await get(`${srv.url}/api/v1/providers?days=${days}`)).text);
    const stripe = body.providers.find((p: { id: string }) => p.id === 'stripe');
    assert.equal(stripe.uptimeDays.length, days);
    assert.match(stripe.uptimeDays[days - 1].start, /^2026-11-23T00:00:00\.000Z$/, 'ends today, ISO times');
  }
  for (const bad of ['0', '91', 'abc', '1.5']) {
    const r = await get(`${srv.url}/api/v1/providers?days=${bad}`);
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.text).error, 'bad_request');
  }
});

test('GET /api/v1/providers/{id}: detail, and 404 with a JSON error for an unknown id', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await get(`${srv.url}/api/v1/providers/stripe`);
  assert.equal(r.status, 200);
  const body = JSON.parse(r.text);
  assert.equal(body.endpoints.length, 3);
  assert.ok(body.phases.connect.length > 0);
  const missing = await get(`${srv.url}/api/v1/providers/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.text), { error: 'not_found', message: 'no provider with id "nope"' });
});

test('GET /api/v1/endpoints, filtered by provider, and one endpoint', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const all = JSON.parse((await get(`${srv.url}/api/v1/endpoints`)).text);
  assert.equal(all.endpoints.length, 5);
  const aws = JSON.parse((await get(`${srv.url}/api/v1/endpoints?provider=aws`)).text);
  assert.deepEqual(aws.endpoints.map((e: { providerId: string }) => e.providerId), ['aws', 'aws']);
  const id = encodeURIComponent('stripe|api-1.stripe.example:443');
  const one = await get(`${srv.url}/api/v1/endpoints/${id}`);
  assert.equal(one.status, 200);
  assert.equal(JSON.parse(one.text).name, 'api-1.stripe.example:443');
  assert.equal((await get(`${srv.url}/api/v1/endpoints/nope`)).status, 404);
});

test('GET /api/v1/endpoints/{id}/health is application/health+json keyed by component', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const ok = await get(`${srv.url}/api/v1/endpoints/${encodeURIComponent('stripe|api-1.stripe.example:443')}/health`);
  assert.equal(ok.status, 200);
  assert.equal(ok.type, 'application/health+json');
  const body = JSON.parse(ok.text);
  assert.equal(body.status, 'pass');
  assert.deepEqual(Object.keys(body.checks), ['dns:responseTime', 'tcp:responseTime', 'tls:certificateExpiry', 'tls:responseTime', 'http:responseTime']);
  for (const [key, entries] of Object.entries(body.checks) as [string, { componentId: string; observedValue: number; observedUnit: string; status: string; time: string; componentType: string }[]][]) {
    assert.equal(entries.length, 1, key);
    assert.equal(entries[0].componentId, key.split(':')[0], 'componentId names the component');
    assert.equal(typeof entries[0].observedValue, 'number');
    assert.ok(entries[0].observedUnit);
    assert.match(entries[0].status, /^(pass|warn|fail)$/);
    assert.match(entries[0].time, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(entries[0].componentType, 'component');
  }
  assert.equal(body.checks['dns:responseTime'][0].observedUnit, 'ms');
  assert.deepEqual([body.checks['tls:certificateExpiry'][0].observedValue, body.checks['tls:certificateExpiry'][0].observedUnit], [80, 'd']);
  // The failing endpoint: fail overall, 503 so a load balancer can act on it, the tcp output kept.
  const bad = await get(`${srv.url}/api/v1/endpoints/${encodeURIComponent('aws|api-0.aws.example:443')}/health`);
  assert.equal(bad.status, 503);
  const badBody = JSON.parse(bad.text);
  assert.equal(badBody.status, 'fail');
  assert.equal(badBody.checks['tcp:responseTime'][0].status, 'fail');
  assert.equal(badBody.checks['tcp:responseTime'][0].output, 'connection refused');
  assert.equal(badBody.checks['tls:certificateExpiry'][0].status, 'warn');
  assert.match(badBody.output, /tcp:responseTime: connection refused/);
  const missing = await get(`${srv.url}/api/v1/endpoints/nope/health`);
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text).error, 'not_found');
});

test('GET /api/v1/incidents with state filter; bad filter is a 400; one incident; unknown is 404', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const open = JSON.parse((await get(`${srv.url}/api/v1/incidents?state=open`)).text);
  assert.deepEqual(open.incidents.map((i: { id: string }) => i.id), ['inc-1']);
  assert.equal(open.incidents[0].openedAt, new Date(NOW - 600_000).toISOString());
  assert.equal(open.incidents[0].resolvedAt, null);
  const resolved = JSON.parse((await get(`${srv.url}/api/v1/incidents?state=resolved`)).text);
  assert.deepEqual(resolved.incidents, []);
  const bad = await get(`${srv.url}/api/v1/incidents?state=maybe`);
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.text).message, /state must be "open" or "resolved"/);
  assert.equal((await get(`${srv.url}/api/v1/incidents/inc-1`)).status, 200);
  assert.equal((await get(`${srv.url}/api/v1/incidents/inc-2`)).status, 404);
});

test('GET /api/v1/dns/resolvers and /api/v1/dns/findings; "running" false without DNS analysis', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const resolvers = JSON.parse((await get(`${srv.url}/api/v1/dns/resolvers`)).text);
  assert.equal(resolvers.running, true);
  assert.deepEqual(resolvers.resolvers.map((r: { server: string }) => r.server), ['10.0.0.2', '10.0.0.3']);
  const findings = JSON.parse((await get(`${srv.url}/api/v1/dns/findings`)).text);
  assert.equal(findings.findings[0].kind, 'ndots_amplification');
  assert.equal(findings.findings[0].mitigations.length, 2);
  srv.setDns(undefined);
  assert.deepEqual(JSON.parse((await get(`${srv.url}/api/v1/dns/findings`)).text), { running: false, findings: [] });
});

test('GET /healthz reports the agent and its stages in health+json', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await get(`${srv.url}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(r.type, 'application/health+json');
  const body = JSON.parse(r.text);
  assert.equal(body.status, 'warn', 'capture unavailable is a warning, not a failure');
  assert.equal(body.checks.store[0].status, 'pass');
  assert.equal(body.checks.capture[0].status, 'warn');
  assert.deepEqual(body.notes, ['passive DNS and TCP signals (no capture)']);
});

test('pages: /, /providers/{id}, /dns render; unknown provider and path are 404', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const home = await get(`${srv.url}/`);
  assert.equal(home.status, 200);
  assert.match(home.type, /^text\/html/);
  assert.match(home.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(home.text, /Overall: Partial outage/);
  assert.equal((home.text.match(/<tr data-provider=/g) ?? []).length, 2);
  assert.equal((home.text.match(/<rect [^>]*class="b-/g) ?? []).length, 180, '90 bars per provider');
  assert.match(home.text, /<title>\d{4}-\d\d-\d\d: [\d.]+% up, \d+ failed of \d+, median/);
  assert.match(home.text, /Connect failures to the provider/);
  assert.match(home.text, /id="monitoring-gaps"[\s\S]*live capture needs root/);
  const page = await get(`${srv.url}/providers/stripe`);
  assert.equal(page.status, 200);
  assert.match(page.text, /id="phase-data"/);
  assert.match(page.text, /\/assets\/uplot\.iife\.min\.js/);
  const dns = await get(`${srv.url}/dns`);
  assert.equal(dns.status, 200);
  assert.match(dns.text, /ndots:5 makes every external lookup/);
  assert.match(dns.text, /Set &quot;options ndots:1&quot; in the pod spec/);
  // Charts of the busiest resolvers over the last hour and day, with the data they draw.
  assert.match(dns.text, /<div class="chart" data-chart="rh-rate-0" data-unit="\/s"><\/div>/);
  assert.match(dns.text, /<script type="application\/json" id="rd-lat-0">\{"times":\[/);
  assert.match(dns.text, /Latest minute: \d+ queries, \d+ NXDOMAIN/);
  const missing = await get(`${srv.url}/providers/nope`);
  assert.equal(missing.status, 404);
  assert.match(missing.text, /No provider with id &quot;nope&quot;/);
  assert.equal((await get(`${srv.url}/no/such/page`)).status, 404);
  assert.equal((await get(`${srv.url}/api/v1/nothing`)).status, 404);
});

test('assets: uPlot and the chart script are served from the package with an ETag', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const js = await get(`${srv.url}/assets/uplot.iife.min.js`);
  assert.equal(js.status, 200);
  assert.match(js.type, /javascript/);
  assert.match(js.text, /uPlot/);
  const etag = js.headers.get('etag')!;
  assert.equal((await get(`${srv.url}/assets/uplot.iife.min.js`, { 'if-none-match': etag })).status, 304);
  assert.equal((await get(`${srv.url}/assets/charts.js`)).status, 200);
  assert.equal((await get(`${srv.url}/assets/status.css`)).status, 200);
  assert.equal((await get(`${srv.url}/assets/nope.js`)).status, 404);
});

test('405 with Allow for a wrong method; 400 for a broken percent-encoding; HEAD has no body', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  const r = await fetch(`${srv.url}/api/v1/providers`, { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET');
  assert.equal((await get(`${srv.url}/api/v1/providers/%E0%A4%A`)).status, 400);
  const head = await fetch(`${srv.url}/api/v1/providers`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('a store fault is a 500 with one line, no stack trace', async (t) => {
  const srv = await setup();
  t.after(() => srv.close());
  srv.store.listProviders = async () => {
    throw new Error('disk on fire\n    at secret/path.js:1');
  };
  const r = await get(`${srv.url}/api/v1/providers`);
  assert.equal(r.status, 500);
  assert.deepEqual(JSON.parse(r.text), { error: 'internal', message: 'the server failed to answer this request; see the agent log' });
});

test('DNS rebinding: a Host that is not an address, localhost, this machine or a configured name gets 421', async (t) => {
  const srv = await startTestServer({ hosts: ['status.internal'] });
  t.after(() => srv.close());
  const status = (host: string) => new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: srv.port, path: '/healthz', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
  const p = srv.port;
  assert.deepEqual(
    await Promise.all([`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`, `status.internal:${p}`, `STATUS.internal.`, hostname(), `attacker.example:${p}`, `127.0.0.1.attacker.example`]
      .map(status)),
    [200, 200, 200, 200, 200, 200, 421, 421],
  );
});
