// Benchmark: time from a provider's first failure to the page, end to end. `egresswatch run` runs
// three HTTP checks (every 10 s, 60 s and 120 s) against a loopback server that answers 500 from
// the start, and notifies a loopback webhook; the figure per check is the time from the first 500
// the server sent it to the first page-severity notification naming its provider. The engine ticks
// every store.flushInterval (default 10 s); groupWait is 0 so the figure is the rules' own.
// Usage: node dist/bench/time-to-page.js [--intervals 10,60,120] [--flush 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { intervals: { type: 'string', default: '10,60,120' }, flush: { type: 'string', default: '10' } } });
const intervals = values.intervals.split(',').map(Number);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const watched = new Set(intervals.map((s) => `p${s}`));

const firstFailure = new Map<string, number>();
const paged = new Map<string, { at: number; alert: string }>();
const target = createServer((req, res) => {
  const provider = (req.url ?? '/').slice(1);
  if (!firstFailure.has(provider)) firstFailure.set(provider, performance.now());
  res.statusCode = 500;
  res.end('broken');
});
const hook = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    res.end();
    const payload = JSON.parse(body) as { alerts: Array<{ name: string; severity: string; status: string; provider: string | null }> };
    for (const a of payload.alerts) {
      // Only this benchmark's providers: capture also sees whatever else the machine is doing.
      if (a.severity === 'page' && a.status === 'firing' && a.provider && watched.has(a.provider) && !paged.has(a.provider)) paged.set(a.provider, { at: performance.now(), alert: a.name });
    }
  });
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
const tport = (target.address() as AddressInfo).port;
const hport = (hook.address() as AddressInfo).port;

const dir = mkdtempSync(join(tmpdir(), 'ew-ttp-'));
const checks = intervals.map((s) => `  - {name: every-${s}s, type: http, url: "http://127.0.0.1:${tport}/p${s}", interval: ${s}s, timeout: 2s, provider: p${s}, service: api}`).join('\n');
writeFileSync(join(dir, 'config.yml'), `checks:\n${checks}\nstore:\n  flushInterval: ${values.flush}s\nalerts:\n  groupWait: 0s\n  notifiers:\n    - {type: webhook, url: "http://127.0.0.1:${hport}/"}\nlabels:\n  aws: {enabled: false}\n`);
const child = spawn(process.execPath, [join(root, 'bin', 'egresswatch.js'), 'run', '--config', join(dir, 'config.yml'), '--data', join(dir, 'data'), '--listen', '127.0.0.1:0', '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
child.stderr?.resume();
const started = performance.now();
// The slowest check pages after its third failed run: at most 3 intervals, plus its start offset and a tick.
const limitMs = (3 * Math.max(...intervals) + Math.max(...intervals) + 60) * 1000;
while (paged.size < intervals.length && performance.now() - started < limitMs) await new Promise((r) => setTimeout(r, 250));
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
target.close();
hook.close();
rmSync(dir, { recursive: true, force: true });

const rows = intervals.map((s) => {
  const first = firstFailure.get(`p${s}`);
  const page = paged.get(`p${s}`);
  return {
    interval: `${s}s`,
    secondsToPage: first !== undefined && page ? Math.round((page.at - first) / 100) / 10 : null,
    byAlert: page?.alert ?? null,
    // The consecutive-runs rule: the third failed run, two intervals after the first, then the next tick.
    expectedAtMostSeconds: 2 * s + Number(values.flush),
  };
});
console.log(JSON.stringify({ benchmark: 'time-to-page', flushIntervalSeconds: Number(values.flush), groupWait: '0s', rows, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version }, null, 2));
