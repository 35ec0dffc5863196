// The verdicts of a real `egresswatch run` with live capture on a small network of namespaces:
// two healthy providers, one answering HTTP 500, one refusing connections, a resolver on loopback,
// loopback noise (refused connects to closed ports, ephemeral listeners) and a DNS-heavy client.
// The failing providers page, each attributed to itself; the healthy ones stay operational with no
// incident; there is no local incident and no endpoint for the loopback noise; the health JSON of
// the 500 check fails http while dns and tcp pass. And when every provider is blackholed while a
// check of a local target passes: one incident, the host's.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { startDnsTestServer } from '../helpers/dns-test-server.js';
import { isRoot } from '../helpers/paths.js';
import { startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';
import { createVethNamespace, type VethNamespace } from '../helpers/veth-namespace.js';

const PORT = 8443;
const PROVIDERS = [
  { name: 'alpha', subnet: '10.221', serve: 200 },
  { name: 'bravo', subnet: '10.222', serve: 200 },
  { name: 'charlie', subnet: '10.223', serve: 500 },
  { name: 'delta', subnet: '10.224', serve: 0 }, // nothing listens: connections are refused
] as const;

interface ProviderJson {
  id: string;
  state: string;
  total: number;
  openIncidents: number;
  lookups: { total: number; failed: number };
  endpoints?: Array<{ id: string; name: string }>;
}
interface IncidentJson {
  providerId: string;
  title: string;
  state: string;
  attribution: { scope: string; reason: string } | null;
}

/** An HTTP server inside the namespace answering every request with `status`. */
function serveIn(ns: VethNamespace, status: number): ChildProcess {
  const script = `require('node:http').createServer((q, r) => { r.statusCode = ${status}; r.end('x'); }).listen(${PORT}, '${ns.address}', () => console.log('up'))`;
  return spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Repeats `step` every `everyMs` until stopped; a step's failure is part of the traffic, not of the test. */
function loop(step: () => Promise<unknown>, everyMs: number, stopped: { done: boolean }): Promise<void> {
  return (async () => {
    while (!stopped.done) {
      await step().catch(() => undefined);
      await pause(everyMs);
    }
  })();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run with `config` in its own directory, with its JSON API at hand. */
async function scenarioRun(t: TestContext, prefix: string, config: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), config);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${run.url}${path.slice(1)}`)).json()) as T;
  const incidents = async () => (await api<{ incidents: IncidentJson[] }>('/api/v1/incidents')).incidents;
  const providers = async () => (await api<{ providers: ProviderJson[] }>('/api/v1/providers')).providers;
  return { run, api, incidents, providers };
}

test('live scenario: failing providers page as themselves; healthy ones, loopback noise and DNS-heavy clients raise nothing', { skip: !isRoot && 'needs root for namespaces and live capture', timeout: 120_000 }, async (t) => {
  const namespaces = PROVIDERS.map((p) => createVethNamespace('ewsc', p.subnet));
  t.after(() => namespaces.forEach((ns) => ns.remove()));
  const servers: ChildProcess[] = [];
  t.after(() => servers.forEach((s) => s.kill()));
  for (const [i, p] of PROVIDERS.entries()) {
    if (p.serve === 0) continue;
    const s = serveIn(namespaces[i], p.serve);
    servers.push(s);
    await new Promise<void>((resolve) => s.stdout!.once('data', () => resolve()));
  }
  const zone = Object.fromEntries(PROVIDERS.map((p, i) => [`api.${p.name}.example`, { answers: [{ name: `api.${p.name}.example`, type: 'A' as const, ttl: 30, data: namespaces[i].address }] }]));
  const dns = await startDnsTestServer(zone);
  t.after(() => dns.close());

  const endpoints = PROVIDERS.map((p, i) => `    - {provider: ${p.name}, service: api, cidrs: [${namespaces[i].address}/32], hostnames: ["*.${p.name}.example"]}`).join('\n');
  const checks = PROVIDERS.map((p) => `  - {name: ${p.name}-api, type: http, url: "http://api.${p.name}.example:${PORT}/v1", interval: 2s, timeout: 1s, resolver: "127.0.0.1:${dns.port}", provider: ${p.name}, service: api}`).join('\n');
  const { run, api, incidents: incidentList, providers: providerList } = await scenarioRun(t, 'ewsrv-scenario-', `capture:\n  dnsPorts: [${dns.port}]\nstore:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\n  endpoints:\n${endpoints}\nchecks:\n${checks}\n`);

  // Traffic until the verdicts are in.
  const stopped = { done: false };
  t.after(() => { stopped.done = true; });
  const traffic: Promise<void>[] = [];
  // Passive calls to every provider (the refused ones fail, the 500 ones connect fine).
  // A new connection per request (no keep-alive): every request is a call capture sees.
  for (const [i] of PROVIDERS.entries()) {
    traffic.push(loop(() => new Promise<void>((resolve, reject) => {
      get({ host: namespaces[i].address, port: PORT, path: '/passive', agent: false }, (res) => res.resume().on('end', () => resolve())).on('error', reject);
    }), 100, stopped));
  }
  // Loopback noise: refused connects to closed ports, and short-lived listeners on ephemeral ports.
  traffic.push(loop(() => new Promise<void>((resolve) => {
    const s = connect(1, '127.0.0.1');
    s.on('error', () => resolve()).on('connect', () => (s.destroy(), resolve()));
  }), 50, stopped));
  traffic.push(loop(async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => connect(port, '127.0.0.1', () => r()).on('error', () => r()));
    await new Promise((r) => server.close(r));
  }, 50, stopped));
  // A DNS-heavy client: lookups of alpha's name, many more than anyone's calls.
  const udp = createSocket('udp4');
  t.after(() => udp.close());
  let id = 0;
  traffic.push(loop(async () => {
    udp.send(dnsPacket.encode({ type: 'query', id: ++id % 65536, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'api.alpha.example' }] }), dns.port, '127.0.0.1');
  }, 5, stopped));

  // Wait for both failing providers' incidents (each check pages at its third failed run), then
  // for two more ticks' worth of healthy traffic.
  await until(incidentList, (list) => ['charlie', 'delta'].every((p) => list.some((i) => i.providerId === p && i.state === 'open')));
  const providers = await until(providerList, (list) => ['alpha', 'bravo'].every((p) => list.some((x) => x.id === p && x.total >= 20 && x.lookups.total > 0)));
  const incidents = await incidentList();
  stopped.done = true;
  await Promise.all(traffic);

  const open = incidents.filter((i) => i.state === 'open');
  assert.deepEqual(open.map((i) => i.providerId).sort(), ['charlie', 'delta'], `no local incident, none for the healthy: ${JSON.stringify(open)}`);
  for (const i of open) assert.equal(i.attribution?.scope, 'provider', `${i.providerId}: ${i.attribution?.reason}`);
  // The 500 provider (only its check fails) paged within three check intervals of the first
  // failure: at the third failed run (the fourth when two runs fall between two ticks).
  const charlie = open.find((i) => i.providerId === 'charlie')!;
  assert.match(charlie.title, /^charlie: check charlie-api .* failed [34] runs in a row; last error http_status/, charlie.title);
  for (const id of ['alpha', 'bravo']) {
    const p = providers.find((x) => x.id === id)!;
    assert.deepEqual([p.state, p.openIncidents], ['operational', 0], id);
  }
  const alpha = providers.find((x) => x.id === 'alpha')!;
  assert.ok(alpha.lookups.total > alpha.total, `lookups (${alpha.lookups.total}) are not counted as alpha's calls (${alpha.total})`);
  const withCalls = providers.filter((p) => p.total > 0).map((p) => p.id).sort();
  assert.deepEqual(withCalls, ['alpha', 'bravo', 'charlie', 'delta'], 'loopback noise is no provider');
  const all = (await api<{ endpoints: Array<{ id: string; name: string; providerId: string }> }>('/api/v1/endpoints')).endpoints;
  assert.equal(all.filter((e) => /127\.0\.0\.1|localhost/.test(e.name)).length, 0, `no endpoint per loopback port: ${all.map((e) => e.name).join(', ')}`);
  assert.ok(all.length <= 8, `one passive endpoint and one check per provider: ${all.map((e) => e.name).join(', ')}`);

  const charlieCheck = all.find((e) => e.providerId === 'charlie' && e.name === 'check:charlie-api')!;
  const health = await api<{ status: string; checks: Record<string, Array<{ status: string }>> }>(`/api/v1/endpoints/${encodeURIComponent(charlieCheck.id)}/health`);
  assert.equal(health.status, 'fail');
  assert.deepEqual(['dns:responseTime', 'tcp:responseTime', 'http:responseTime'].map((k) => health.checks[k]?.[0]?.status), ['pass', 'pass', 'fail']);
  assert.equal(await stop(run), 0);
});

test('live scenario: every provider blackholed while a local check passes is one local incident', { skip: !isRoot && 'needs root for namespaces and live capture', timeout: 120_000 }, async (t) => {
  const names = ['echo', 'foxtrot', 'golf'];
  const namespaces = names.map((_, i) => createVethNamespace('ewsc', `10.22${5 + i}`));
  t.after(() => namespaces.forEach((ns) => ns.remove()));
  // Every provider's port is blackholed inside its namespace: SYNs vanish, connects time out.
  for (const ns of namespaces) ns.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(PORT), '-j', 'DROP');
  const sidecar = createServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'));
  await new Promise<void>((r) => sidecar.listen(0, '127.0.0.1', r));
  t.after(() => sidecar.close());
  const sidecarPort = (sidecar.address() as { port: number }).port;

  const endpoints = names.map((n, i) => `    - {provider: ${n}, service: api, cidrs: [${namespaces[i].address}/32]}`).join('\n');
  const { run, incidents: incidentList, providers: providerList } = await scenarioRun(t, 'ewsrv-blackhole-', `store:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\n  endpoints:\n${endpoints}\nchecks:\n  - {name: sidecar, type: http, url: "http://127.0.0.1:${sidecarPort}/health", interval: 2s, timeout: 1s, provider: sidecar}\n`);

  const stopped = { done: false };
  t.after(() => { stopped.done = true; });
  const traffic: Promise<void>[] = [];
  // Clients give up after 300 ms, as applications with a connect timeout do.
  for (const ns of namespaces) {
    for (let k = 0; k < 3; k++) {
      traffic.push(loop(() => new Promise<void>((resolve, reject) => {
        const req = get({ host: ns.address, port: PORT, path: '/', agent: false, timeout: 300 }, (res) => res.resume().on('end', () => resolve()));
        req.on('timeout', () => req.destroy(new Error('connect timeout'))).on('error', reject);
      }), 20, stopped));
    }
  }
  await until(incidentList, (list) => list.some((i) => i.providerId === 'local' && i.state === 'open'));
  // Every provider's page has joined the one incident by now or does at the next ticks: wait for
  // all three, and for the sidecar's first check run (the incident can open before it).
  const providers = await until(providerList, (list) => names.every((n) => list.some((p) => p.id === n && p.state !== 'operational')) && list.some((p) => p.id === 'sidecar'));
  const incidents = await incidentList();
  stopped.done = true;
  await Promise.all(traffic);

  const open = incidents.filter((i) => i.state === 'open');
  assert.deepEqual(open.map((i) => i.providerId), ['local'], `one incident, the host's: ${JSON.stringify(open)}`);
  assert.equal(open[0].attribution?.scope, 'local');
  assert.match(open[0].attribution?.reason ?? '', /3 unrelated providers \((echo|foxtrot|golf)(, (echo|foxtrot|golf)){2}\) fail together: this host's network, NAT or resolver/);
  for (const n of names) assert.equal(providers.find((p) => p.id === n)!.openIncidents, 0, `${n} does not count the host's incident`);
  assert.deepEqual([providers.find((p) => p.id === 'sidecar')?.state], ['operational'], 'the local check target stays healthy');
  assert.equal(await stop(run), 0);
});
