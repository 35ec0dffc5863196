// Benchmark: the check scheduler at a realistic load, 50 HTTP checks every 30 s and 50 every 60 s
// (150 probes a minute), through its public interface with the real clock and the real runner,
// against loopback servers that answer after a known delay (blackbox-bench-server.c). Reports
// what a user would notice: how late runs start (p50/p99 behind their due time), how many probes
// were in flight at once, the event loop's delay and utilisation, CPU per probe, and how far the
// measured first-byte time strays from the server's delay (a probe waiting behind another's work).
// The event loop's delay is sampled only with --loop-delay: its sampling timer wakes the process
// every millisecond, which keeps it warm and adds its own CPU to the per-probe figure.
// Usage: node dist/bench/blackbox-schedule.js [--seconds 180] [--warm-seconds 30] [--delay-ms 20] [--loop-delay]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCheckRunner } from '../src/blackbox/check-runner.js';
import { CheckScheduler } from '../src/blackbox/scheduler.js';
import type { HttpCheck } from '../src/blackbox/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '180' }, 'warm-seconds': { type: 'string', default: '30' }, 'delay-ms': { type: 'string', default: '20' }, 'loop-delay': { type: 'boolean', default: false } } });
const seconds = Math.min(Math.max(Number(values.seconds), 10), 3600);
const warmSeconds = Math.max(Number(values['warm-seconds']), 0);
const delayMs = Number(values['delay-ms']);
const sampleLoopDelay = values['loop-delay'] === true;
/** The load: how many checks at which interval. */
const GROUPS = [{ count: 50, intervalMs: 30_000 }, { count: 50, intervalMs: 60_000 }];

interface Sample {
  lagMs: number;
  /** Probes in flight when this one started, itself included. */
  inFlight: number;
  ok: boolean;
  firstByteMs?: number;
  totalMs: number;
}

function quantiles(xs: number[]): { p50: number; p99: number; max: number; n: number } {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { p50: round(q(0.5)), p99: round(q(0.99)), max: round(s.length ? s[s.length - 1] : NaN), n: s.length };
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function checksFor(ports: number[]): HttpCheck[] {
  const checks: HttpCheck[] = [];
  for (const { count, intervalMs } of GROUPS) {
    for (let i = 0; i < count; i++) {
      const n = checks.length;
      checks.push({
        name: `svc-${intervalMs / 1000}s-${i}`, type: 'http', url: `http://127.0.0.1:${ports[n % ports.length]}/c${n}`, schedule: { intervalMs }, timeoutMs: 5000, retries: 0, retryBackoffMs: 0, failureThreshold: 3, successThreshold: 2,
        method: 'GET', headers: {}, followRedirects: false, maxRedirects: 0, http2: false, tls: { insecureSkipVerify: false }, maxBodyBytes: 65536,
        expect: { status: [200], bodyContains: [], bodyNotContains: [], bodyMatches: [], json: [], headers: [] },
      });
    }
  }
  return checks;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ew-bench-'));
  const serverBin = join(work, 'blackbox-bench-server');
  execFileSync('clang', ['-O2', '-pthread', '-o', serverBin, join(here, '..', '..', 'bench', 'blackbox-bench-server.c')]);
  const server = spawn(serverBin, [String(delayMs), '4'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  try {
    const { ports } = JSON.parse(String((await lines.next()).value)) as { ports: number[] };
    const checks = checksFor(ports);
    const runner = createCheckRunner();
    const samples: Sample[] = [];
    let inFlight = 0;
    let peakInFlight = 0;
    const startedWith = new Map<string, number>();
    let measuring = warmSeconds === 0;
    const scheduler = new CheckScheduler({
      checks,
      run: async (check, signal) => {
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        startedWith.set(check.name, inFlight);
        try {
          return await runner(check, signal);
        } finally {
          inFlight--;
        }
      },
      onResult: (r, run) => {
        if (measuring) samples.push({ lagMs: run.lagMs, inFlight: startedWith.get(r.check) ?? NaN, ok: r.ok, firstByteMs: r.phases.firstByteMs, totalMs: r.phases.totalMs });
      },
    });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    scheduler.start();
    // The first probes of a process compile the HTTP client; a warm-up period keeps them out of the figures.
    await sleep(warmSeconds * 1000);
    measuring = true;
    peakInFlight = inFlight;
    if (sampleLoopDelay) loop.enable();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0);
    loop.disable();
    measuring = false;
    await scheduler.stop();
    server.stdin.end();
    const serverStats = JSON.parse(String((await lines.next()).value)) as unknown;

    const ok = samples.filter((s) => s.ok);
    const ms = (ns: number) => round(ns / 1e6);
    process.stdout.write(
      JSON.stringify({
        bench: 'blackbox-schedule',
        load: GROUPS.map((g) => `${g.count} checks every ${g.intervalMs / 1000} s`),
        seconds,
        warmSeconds,
        serverDelayMs: delayMs,
        probes: samples.length,
        failures: samples.length - ok.length,
        // Start time minus due time, as the scheduler reports it (its clock's resolution: 1 ms).
        startLatenessMs: quantiles(samples.map((s) => s.lagMs)),
        peakProbesInFlight: peakInFlight,
        probesInFlightAtStart: quantiles(samples.map((s) => s.inFlight)),
        ...(sampleLoopDelay ? { eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } } : {}),
        eventLoopUtilization: round(elu.utilization),
        cpuMsPerProbe: round((cpu.user + cpu.system) / 1000 / Math.max(1, samples.length)),
        // Measured minus the server's known delay: time a probe spent waiting behind other work.
        firstByteErrorMs: quantiles(ok.map((s) => (s.firstByteMs ?? NaN) - delayMs)),
        totalErrorMs: quantiles(ok.map((s) => s.totalMs - delayMs)),
        scheduler: scheduler.stats,
        server: serverStats,
      }) + '\n',
    );
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
