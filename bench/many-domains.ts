// Benchmark: the agent's memory while the host contacts many distinct domains (a crawler, a
// webhook sender, an SSRF target). `egresswatch run` with live capture watches a client resolve
// "www.d<N>.example" on a loopback resolver and connect to its address in a namespace; the agent's
// RSS is read from /proc every second. Goal: under 300 MB with 100,000 domains.
// Usage (root): node dist/bench/many-domains.js [--domains 100000] [--agent path/to/bin/egresswatch.js]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDomainNetwork } from '../test/helpers/many-domains.js';
import { logLine, startRun, stop } from '../test/helpers/run-process.js';

const { values } = parseArgs({ options: { domains: { type: 'string', default: '100000' }, agent: { type: 'string' } } });
const domains = Number(values.domains);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rssMiB = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

const net = await startDomainNetwork();
const dir = mkdtempSync(join(tmpdir(), 'ew-many-'));
writeFileSync(join(dir, 'config.yml'), `capture:\n  dnsPorts: [${net.dnsPort}]\nlabels:\n  aws: {enabled: false}\n`);
// --agent runs another build (an older commit) through the same harness, for before/after figures.
const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir, bin: values.agent });
const capture = await logLine(run, (l) => l.msg.startsWith('capture'));
const pid = run.child.pid!;
const samples: number[] = [rssMiB(pid)];
const sampler = setInterval(() => samples.push(rssMiB(pid)), 1000);
const started = performance.now();
const made = await net.contact(0, domains, 200);
const trafficSeconds = (performance.now() - started) / 1000;
// Ten more seconds of samples: the engine's ticks after the traffic.
await new Promise((r) => setTimeout(r, 10_000));
clearInterval(sampler);
const rows = ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; total: number }> }).providers;
const page = await (await fetch(run.url)).text();
await stop(run);
await net.close();
rmSync(dir, { recursive: true, force: true });

console.log(JSON.stringify({
  benchmark: 'many-domains',
  agent: values.agent ?? join(root, 'bin', 'egresswatch.js'),
  capture: capture.msg,
  domains, connectsMade: made, trafficSeconds: Math.round(trafficSeconds * 10) / 10,
  rssMiB: { start: samples[0], peak: Math.max(...samples), end: samples.at(-1) },
  providersListed: rows.length,
  otherTotal: rows.find((p) => p.id === 'other')?.total ?? 0,
  pageBytes: page.length,
  goal: 'peak RSS under 300 MB',
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version,
}, null, 2));
