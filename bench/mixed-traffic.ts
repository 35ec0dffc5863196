// Mixed traffic for reading the verdicts (not in the test suite): `egresswatch run` with live
// capture for --minutes while this host does what a service host does, then the page and the API
// are saved for a person to read as the on-call engineer would.
//
// - Passive traffic into a namespace that owns 198.18.0.0/16, names from a loopback resolver:
//   api.payments.example (always accepts), api.sms.example (refuses: TCP reset) and
//   files.storage.example (silently dropped from --fail-from to --fail-to minutes, then accepts).
// - Checks on loopback: billing (healthy HTTPS through a test CA), sms-gateway (always 503),
//   object-store (503 in the same window as files.storage.example), search (answers in 700 ms
//   with a 500 ms limit), a DNS check on the resolver and a TCP check into the namespace.
// - A DNS-heavy client: --qps queries a second, one name in ten NXDOMAIN, one in 200 unanswered.
// - Loopback noise: 20 HTTP requests a second to a loopback server (never a provider).
//
// At the end: screenshots of /, /incidents, /dns and two provider pages at 390 px and 1,400 px,
// the providers, incidents, resolvers, Atom feed and /metrics, written to --out; a summary on stdout.
// Usage (root): node dist/bench/mixed-traffic.js [--minutes 10] [--fail-from 3] [--fail-to 6] [--qps 300] [--out DIR]
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/helpers/chromium.js';
import { startDnsTestServer } from '../test/helpers/dns-test-server.js';
import { logLine, startRun, stop } from '../test/helpers/run-process.js';
import { createTestCa } from '../test/helpers/test-ca.js';
import { createVethNamespace } from '../test/helpers/veth-namespace.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'fail-from': { type: 'string', default: '3' }, 'fail-to': { type: 'string', default: '6' }, qps: { type: 'string', default: '300' }, out: { type: 'string', default: 'bench/out/mixed-traffic' } } });
const minutes = Number(values.minutes);
const failFrom = Number(values['fail-from']) * 60_000;
const failTo = Number(values['fail-to']) * 60_000;
const qps = Number(values.qps);
const out = values.out;
mkdirSync(out, { recursive: true });

const started = Date.now();
const inFailure = () => Date.now() - started >= failFrom && Date.now() - started < failTo;
const timeline: Array<{ at: string; what: string }> = [];
const mark = (what: string) => {
  timeline.push({ at: new Date().toISOString(), what });
  process.stderr.write(`${new Date().toISOString()} ${what}\n`);
};

// The namespace: every address of 198.18.0.0/16 is local there; a listener on 443 accepts.
const PORT = 443;
const ADDRESS = { 'api.payments.example': '198.18.1.1', 'api.sms.example': '198.18.2.1', 'files.storage.example': '198.18.3.1' } as const;
const ns = createVethNamespace('ewmx', '10.233');
let listener: ChildProcess | undefined;
const cleanups: Array<() => unknown> = [() => ns.remove(), () => spawn('ip', ['route', 'del', '198.18.0.0/16'])];
async function cleanup() {
  for (const c of cleanups.reverse()) {
    try { await c(); } catch { /* best effort */ }
  }
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  ns.exec('ip', 'route', 'add', 'local', '198.18.0.0/16', 'dev', 'lo');
  await new Promise<void>((resolve, reject) => spawn('ip', ['route', 'replace', '198.18.0.0/16', 'via', ns.address]).once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`ip route: ${c}`)))));
  // sms refuses every connection; storage's packets are dropped while it fails.
  ns.exec('iptables', '-A', 'INPUT', '-d', ADDRESS['api.sms.example'], '-p', 'tcp', '--dport', String(PORT), '-j', 'REJECT', '--reject-with', 'tcp-reset');
  listener = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '-e', `require('node:net').createServer((s) => { s.on('error', () => {}); setTimeout(() => s.end(), 50); }).listen(${PORT}, '0.0.0.0', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => listener?.kill());
  await new Promise<void>((resolve) => listener!.stdout!.once('data', () => resolve()));

  // The resolver: the three provider names, and the DNS-heavy client's names under cdn.example.
  let queryNo = 0;
  const resolver = await startDnsTestServer({}, {
    keepQueries: false,
    resolve: (name) => {
      const fixed = (ADDRESS as Record<string, string>)[name];
      if (fixed) return { answers: [{ name, type: 'A', ttl: 30, data: fixed }] };
      const n = Number(/^n(\d+)\./.exec(name)?.[1] ?? -1);
      if (n < 0) return { rcode: 'NXDOMAIN' };
      if (++queryNo % 200 === 0) return { drop: true };
      return n % 10 === 0 ? { rcode: 'NXDOMAIN' } : { answers: [{ name, type: 'A', ttl: 60, data: `127.0.9.${n % 250}` }] };
    },
  });
  cleanups.push(() => resolver.close());

  // Check targets on loopback.
  const ca = createTestCa();
  cleanups.push(() => ca.remove());
  const leaf = ca.issue({ names: ['127.0.0.1'] });
  const billing = createHttpsServer({ key: leaf.key, cert: leaf.cert }, (_req, res) => res.end('{"ok":true}'));
  const web = createServer((req, res) => {
    if (req.url === '/sms') { res.statusCode = 503; return res.end('unavailable'); }
    if (req.url === '/objects') { res.statusCode = inFailure() ? 503 : 200; return res.end(); }
    if (req.url === '/search') { setTimeout(() => res.end('slow'), 700); return; }
    res.end('noise');
  });
  for (const s of [billing, web]) {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    cleanups.push(() => s.close());
  }
  const billingPort = (billing.address() as AddressInfo).port;
  const webPort = (web.address() as AddressInfo).port;

  const dir = mkdtempSync(join(tmpdir(), 'ew-mixed-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), `capture:
  dnsPorts: [${resolver.port}]
labels:
  aws: {enabled: false}
checks:
  - {name: billing, type: http, url: "https://127.0.0.1:${billingPort}/v1/health", interval: 10s, timeout: 2s, provider: billing, service: api, tls: {caFile: "${ca.caFile}"}}
  - {name: sms-gateway, type: http, url: "http://127.0.0.1:${webPort}/sms", interval: 10s, timeout: 2s, provider: sms-gateway, service: api}
  - {name: object-store, type: http, url: "http://127.0.0.1:${webPort}/objects", interval: 10s, timeout: 2s, provider: object-store, service: s3}
  - {name: search, type: http, url: "http://127.0.0.1:${webPort}/search", interval: 15s, timeout: 2s, provider: search, expect: {maxMs: 500}}
  - {name: resolver, type: dns, resolver: "127.0.0.1:${resolver.port}", query: {name: api.payments.example, type: A}, interval: 10s, expect: {rcodes: [NOERROR], minAnswers: 1}}
  - {name: payments-tcp, type: tcp, target: "${ADDRESS['api.payments.example']}:${PORT}", interval: 10s, timeout: 2s, provider: payments.example}
`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  cleanups.push(() => stop(run));
  mark(`agent up at ${run.url}; ${(await logLine(run, (l) => l.msg.startsWith('capture'))).msg}`);

  // Passive clients: resolve through the resolver, connect, hold 50 ms; three names every 200 ms.
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  cleanups.push(() => client.close());
  const pending = new Map<number, (a: string | undefined) => void>();
  client.on('message', (msg) => {
    const r = dnsPacket.decode(msg);
    const a = r.answers?.find((x): x is dnsPacket.StringAnswer => x.type === 'A');
    pending.get(r.id ?? -1)?.(a?.data);
    pending.delete(r.id ?? -1);
  });
  let id = 0;
  const query = (name: string, wait: boolean) => new Promise<string | undefined>((done) => {
    const qid = id++ & 0xffff;
    if (wait) pending.set(qid, done); else done(undefined);
    client.send(dnsPacket.encode({ id: qid, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] }), resolver.port, '127.0.0.1');
  });
  const counts = { connects: 0, connectErrors: 0, queries: 0, noise: 0 };
  const visit = async (name: string) => {
    const address = await query(name, true);
    if (!address) return;
    await new Promise<void>((done) => {
      const s = connect({ host: address, port: PORT, timeout: 3000 });
      counts.connects++;
      s.once('timeout', () => { counts.connectErrors++; s.destroy(); });
      s.once('error', () => counts.connectErrors++);
      s.once('close', () => done());
      s.resume();
    });
  };
  let storageDropped = false;
  const timers = [
    setInterval(() => {
      if (inFailure() !== storageDropped) {
        storageDropped = inFailure();
        ns.exec('iptables', storageDropped ? '-I' : '-D', 'INPUT', '-d', ADDRESS['files.storage.example'], '-j', 'DROP');
        mark(storageDropped ? 'storage and object-store start failing' : 'storage and object-store recover');
      }
      for (const name of Object.keys(ADDRESS)) void visit(name);
    }, 200),
    setInterval(() => {
      for (let i = 0; i < qps / 10; i++) {
        counts.queries++;
        const n = counts.queries % 5000;
        void query(`n${n}.z${n % 40}.cdn.example`, false);
      }
    }, 100),
    setInterval(() => {
      for (let i = 0; i < 2; i++) void fetch(`http://127.0.0.1:${webPort}/noise`).then((r) => r.arrayBuffer()).then(() => counts.noise++, () => {});
    }, 100),
  ];
  cleanups.push(() => timers.forEach(clearInterval));

  for (let m = 1; m <= minutes; m++) {
    await new Promise((r) => setTimeout(r, started + m * 60_000 - Date.now()));
    const providers = (await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; state: string }> };
    mark(`minute ${m}: ${providers.providers.map((p) => `${p.id}=${p.state}`).join(' ')}`);
  }

  // What the on-call engineer would read.
  const save = async (path: string, file: string) => writeFileSync(join(out, file), Buffer.from(await (await fetch(run.url + path)).arrayBuffer()));
  await save('api/v1/providers', 'providers.json');
  await save('api/v1/incidents', 'incidents.json');
  await save('api/v1/dns/resolvers', 'resolvers.json');
  await save('api/v1/dns/findings', 'findings.json');
  await save('incidents.atom', 'incidents.atom');
  await save('metrics', 'metrics.txt');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  for (const width of [390, 1400]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    for (const path of ['', 'incidents', 'dns', 'providers/object-store', 'providers/payments.example']) {
      await page.goto(run.url + path);
      await page.screenshot({ path: join(out, `${path.replace(/\W+/g, '-') || 'status'}-${width}.png`), fullPage: true });
    }
    await page.close();
  }
  await browser.close();
  console.log(JSON.stringify({ benchmark: 'mixed-traffic', minutes, failureWindowMinutes: [failFrom / 60_000, failTo / 60_000], counts, timeline, out, loadAverage: loadavg() }, null, 2));
} finally {
  await cleanup();
}
