// Benchmark: how fast `egresswatch run` (no configuration) answers /healthz after being started,
// and how long it takes to exit after SIGTERM (at once, while capture and labels are still
// starting in the background, and once they have started), beside Prometheus (/-/ready, SIGTERM) measured the
// same way in the same run.
// Usage: node dist/bench/server-run-startup.js [--runs 5]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../test/helpers/free-port.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Starts a process, polls `url` until it answers 200, then SIGTERMs it and waits for the exit. */
async function measure(cmd: string, args: string[], url: (port: number) => string, port: number, env: NodeJS.ProcessEnv, settleMs = 0): Promise<{ readyMs: number; stopMs: number; exitCode: number | null; stderrTail?: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-600)));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let readyMs = NaN;
  for (let i = 0; i < 2000; i++) {
    // The body is read so the connection is idle when SIGTERM comes (as a finished client's is).
    const ok = await fetch(url(port)).then(async (r) => (await r.arrayBuffer(), r.status === 200), () => false);
    if (ok) {
      readyMs = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  // settleMs > 0: stop once the background stages (capture, labels) have finished starting.
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const t1 = performance.now();
  child.kill('SIGTERM');
  const exitCode = await exited;
  return { readyMs: round(readyMs), stopMs: round(performance.now() - t1), exitCode, ...(exitCode !== 0 ? { stderrTail: stderr } : {}) };
}

function summary(xs: { readyMs: number; stopMs: number; exitCode: number | null }[]) {
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { readyMsMedian: med(xs.map((x) => x.readyMs)), readyMsMax: Math.max(...xs.map((x) => x.readyMs)), stopMsMedian: med(xs.map((x) => x.stopMs)), exitCodes: [...new Set(xs.map((x) => x.exitCode))] };
}

const round = (x: number) => Math.round(x * 10) / 10;
const dir = mkdtempSync(join(tmpdir(), 'ewsrv-startup-'));
try {
  const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' };
  const ours = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    ours.push(await measure(process.execPath, [join(root, 'bin', 'egresswatch.js'), 'run', '--listen', `127.0.0.1:${port}`, '--data', join(dir, `data-${i}`)], (p) => `http://127.0.0.1:${p}/healthz`, port, env));
  }
  const settled = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    settled.push(await measure(process.execPath, [join(root, 'bin', 'egresswatch.js'), 'run', '--listen', `127.0.0.1:${port}`, '--data', join(dir, `data-s${i}`)], (p) => `http://127.0.0.1:${p}/healthz`, port, env, 5000));
  }
  // The floor under the machine's current load: node starting a bare HTTP server.
  const bare = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    bare.push(await measure(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'); process.on('SIGTERM', () => process.exit(0))`], (p) => `http://127.0.0.1:${p}/`, port, env));
  }
  const peer = [];
  if (spawnSync('prometheus', ['--version']).status === 0) {
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
    for (let i = 0; i < runs; i++) {
      const port = await freePort();
      peer.push(await measure('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, `tsdb-${i}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], (p) => `http://127.0.0.1:${p}/-/ready`, port, env));
    }
  }
  console.log(JSON.stringify({ benchmark: 'server-run-startup', runs, egresswatch: { ...summary(ours), each: ours }, 'egresswatch stopped after 5 s': summary(settled), 'node bare http server': summary(bare), ...(peer.length ? { prometheus: { ...summary(peer), each: peer } } : {}), loadAverage: loadavg(), target: 'ready (answers /healthz) in < 2000 ms' }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
