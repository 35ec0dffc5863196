// Benchmark subject (child process): egresswatch's scheduler running HTTP checks, one JSON line
// per result, so the parent can read this process's CPU time alone.
import { createCheckRunner } from '../src/blackbox/check-runner.js';
import { CheckScheduler } from '../src/blackbox/scheduler.js';
import type { HttpCheck } from '../src/blackbox/types.js';

const { targets, intervalMs, timeoutMs } = JSON.parse(process.argv[2] ?? '{}') as { targets: string[]; intervalMs: number; timeoutMs: number };
const checks: HttpCheck[] = targets.map((url, i) => ({
  name: `bench-${i}`, type: 'http', url, schedule: { intervalMs }, timeoutMs, retries: 0, retryBackoffMs: 0, failureThreshold: 3, successThreshold: 2,
  method: 'GET', headers: {}, followRedirects: false, maxRedirects: 0, http2: false, tls: { insecureSkipVerify: false }, maxBodyBytes: 65536,
  expect: { status: [200], bodyContains: [], bodyNotContains: [], bodyMatches: [], json: [], headers: [] },
}));
const scheduler = new CheckScheduler({
  checks,
  run: createCheckRunner(),
  concurrency: 64,
  onResult: (r, run) => {
    process.stdout.write(JSON.stringify({ ok: r.ok, kind: r.error?.kind, message: r.error?.message, totalMs: r.phases.totalMs, connectMs: r.phases.connectMs, firstByteMs: r.phases.firstByteMs, transferMs: r.phases.transferMs, lagMs: run.lagMs }) + '\n');
  },
});
process.stdout.write(JSON.stringify({ ready: true }) + '\n');

let buffered = '';
process.stdin.on('data', async (chunk: Buffer) => {
  buffered += chunk.toString();
  if (buffered.includes('go\n')) {
    buffered = buffered.replace('go\n', '');
    scheduler.start();
  }
  if (buffered.includes('stop\n')) {
    buffered = '';
    await scheduler.stop();
    process.stdout.write(JSON.stringify({ done: true, stats: scheduler.stats }) + '\n');
  }
});
process.stdin.on('end', () => process.exit(0));
