// A real Prometheus (Debian's package) for tests: started on a free loopback port with a given
// configuration, queried through its HTTP API, stopped and removed after the test.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  base: string;
  /** What Prometheus logged (warnings and errors). */
  log(): string;
}

/** Starts Prometheus with `config` (prometheus.yml text) and extra flags, and waits until it is ready. */
export async function startPrometheus(t: { after: (fn: () => unknown) => void }, config: string, flags: string[] = []): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => prom.once('exit', () => resolve()));
  t.after(async () => {
    prom.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/-/ready`).then((r) => r.ok, () => false)) break;
    if (i > 150 || prom.exitCode !== null) throw new Error(`prometheus did not start: ${log.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, log: () => log };
}

export async function query(base: string, promql: string): Promise<PromResult[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: PromResult[] } };
  assert.equal(body.status, 'success', `${promql}: ${body.error}`);
  return body.data.result;
}

/** Polls a query until `ok` accepts the result (Prometheus needs a scrape or two, rules an evaluation). */
export async function waitFor(base: string, promql: string, ok: (r: PromResult[]) => boolean): Promise<PromResult[]> {
  let last: PromResult[] = [];
  for (let i = 0; i < 150; i++) {
    last = await query(base, promql);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${promql}: gave up waiting, last result ${JSON.stringify(last)}`);
}
