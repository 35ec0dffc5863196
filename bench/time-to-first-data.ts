// Benchmark: how soon the page shows the first results. `egresswatch run` starts with one HTTP
// check (every 10 s) against a loopback server; the figure is the time from the server's first
// answer to the provider appearing in /api/v1/providers (asked every 20 ms), over several starts.
// The periodic tick (store.flushInterval, 10 s) is not what publishes it: the first results tick
// is. Goal: under 2 s.
// Usage: node dist/bench/time-to-first-data.js [--runs 5]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startRun, stop } from '../test/helpers/run-process.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const figures: number[] = [];
for (let i = 0; i < runs; i++) {
  let firstAnswer = 0;
  const target = createServer((_q, r) => {
    firstAnswer ||= performance.now();
    r.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'ew-first-'));
  writeFileSync(join(dir, 'config.yml'), `checks:\n  - {name: first, type: http, url: "http://127.0.0.1:${(target.address() as AddressInfo).port}/", interval: 10s, timeout: 2s, provider: first}\nlabels:\n  aws: {enabled: false}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  for (;;) {
    const providers = ((await (await fetch(`${run.url}api/v1/providers`)).json()) as { providers: Array<{ id: string; total: number }> }).providers;
    if (firstAnswer && providers.some((p) => p.id === 'first' && p.total > 0)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  figures.push(Math.round(performance.now() - firstAnswer));
  await stop(run);
  target.close();
  rmSync(dir, { recursive: true, force: true });
}
const sorted = [...figures].sort((a, b) => a - b);
console.log(JSON.stringify({ benchmark: 'time-to-first-data', runs, msFromFirstAnswerToApi: figures, median: sorted[Math.floor(sorted.length / 2)], worst: sorted.at(-1), goal: 'under 2000 ms', loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version }, null, 2));
