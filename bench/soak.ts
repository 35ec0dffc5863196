// Soak benchmark (not in the test suite): `egresswatch run` with live capture for a long time at a
// steady DNS load plus many checks; every minute the agent's RSS (from /proc) and its event-loop
// delay (p99 and max since the previous minute, from /metrics). Goal: flat memory, p99 loop
// delay under 20 ms.
// Load: a resolver on loopback answering 2,000 names under 20 zones (one name in ten NXDOMAIN),
// queried at --qps; --checks HTTP checks every 6 s (200 a minute by default) against a loopback
// server, a tenth of them answering 500.
// Usage (root): node dist/bench/soak.js [--minutes 60] [--qps 5000] [--checks 20]
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { startDnsTestServer } from '../test/helpers/dns-test-server.js';
import { logLine, startRun, stop } from '../test/helpers/run-process.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, qps: { type: 'string', default: '5000' }, checks: { type: 'string', default: '20' } } });
const minutes = Number(values.minutes);
const qps = Number(values.qps);
const checks = Number(values.checks);

// The resolver: answers A for n<i>.z<j>.soak.example, NXDOMAIN for every tenth name.
const resolver = await startDnsTestServer({}, {
  keepQueries: false,
  resolve: (name) => {
    const n = Number(/^n(\d+)\./.exec(name)?.[1] ?? 0);
    return n % 10 === 0 ? { rcode: 'NXDOMAIN' } : { answers: [{ type: 'A', name, ttl: 60, data: `198.51.100.${n % 250}` }] };
  },
});
const dnsPort = resolver.port;

const web = createServer((req, res) => {
  res.statusCode = /\/c(\d+)$/.exec(req.url ?? '')?.[1]?.endsWith('0') ? 500 : 200;
  res.end('ok');
});
await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
const webPort = (web.address() as AddressInfo).port;

const dir = mkdtempSync(join(tmpdir(), 'ew-soak-'));
const checkLines = Array.from({ length: checks }, (_, i) => `  - {name: c${i}, type: http, url: "http://127.0.0.1:${webPort}/c${i}", interval: 6s, timeout: 2s, provider: soak${i % 5}}`).join('\n');
writeFileSync(join(dir, 'config.yml'), `capture:\n  dnsPorts: [${dnsPort}]\nlabels:\n  aws: {enabled: false}\nchecks:\n${checkLines}\n`);
const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
const capture = await logLine(run, (l) => l.msg.startsWith('capture'));
const pid = run.child.pid!;

// The client: qps queries a second in 10 ms slices, from one socket.
const client = createSocket('udp4');
await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
let sent = 0;
const perSlice = qps / 100;
let carry = 0;
const load = setInterval(() => {
  carry += perSlice;
  for (; carry >= 1; carry--) {
    const n = sent++ % 2000;
    client.send(dnsPacket.encode({ type: 'query', id: sent & 0xffff, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: `n${n}.z${n % 20}.soak.example` }] }), dnsPort, '127.0.0.1');
  }
}, 10);

const metric = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
const rows: Array<{ minute: number; rssMiB: number; heapMiB: number; loopP99Ms: number; loopMaxMs: number; queriesSent: number }> = [];
const started = Date.now();
await (await fetch(`${run.url}metrics`)).text(); // starts the loop-delay window
for (let m = 1; m <= minutes; m++) {
  await new Promise((r) => setTimeout(r, started + m * 60_000 - Date.now()));
  const text = await (await fetch(`${run.url}metrics`)).text();
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  rows.push({ minute: m, rssMiB: Math.round(rss), heapMiB: Math.round(metric(text, 'nodejs_heap_used_bytes') / 1_048_576), loopP99Ms: Math.round(metric(text, 'nodejs_eventloop_lag_p99_seconds') * 10_000) / 10, loopMaxMs: Math.round(metric(text, 'nodejs_eventloop_lag_max_seconds') * 10_000) / 10, queriesSent: sent });
  process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
}
clearInterval(load);
const resolvers = ((await (await fetch(`${run.url}api/v1/dns/resolvers`)).json()) as { resolvers: Array<{ server: string; queries: number }> }).resolvers;
const lostText = await (await fetch(`${run.url}metrics`)).text();
await stop(run);
client.close();
await resolver.close();
web.close();
rmSync(dir, { recursive: true, force: true });

const rss = rows.map((r) => r.rssMiB);
const p99 = rows.map((r) => r.loopP99Ms).sort((a, b) => a - b);
console.log(JSON.stringify({
  benchmark: 'soak', capture: capture.msg, minutes, qps, checksPerMinute: checks * 10,
  queriesSent: sent,
  resolverSeen: resolvers.find((r) => r.server === '127.0.0.1')?.queries ?? 0,
  captureLost: [...lostText.matchAll(/^egresswatch_capture_lost_records_total\{reason="([^"]+)"[^}]*\} (\d+)$/gm)].map((m) => `${m[1]}=${m[2]}`),
  rssMiB: { first: rss[0], last: rss.at(-1), min: Math.min(...rss), max: Math.max(...rss), growthLastHalf: rss.at(-1)! - rss[Math.floor(rss.length / 2)] },
  loopP99Ms: { median: p99[Math.floor(p99.length / 2)], worst: p99.at(-1) },
  loopMaxMs: Math.max(...rows.map((r) => r.loopMaxMs)),
  goal: 'flat memory; p99 loop delay under 20 ms',
  rows, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version,
}, null, 2));
