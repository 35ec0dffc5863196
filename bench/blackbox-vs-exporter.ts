// Benchmark: egresswatch's HTTP checks beside Prometheus blackbox_exporter, 500 probes a minute
// each against the same loopback targets, which answer after a known delay. Reports CPU per probe
// for both (from /proc/<pid>/stat), each tool's latency error against the delay, and our schedule
// lag. The server (blackbox-bench-server.c, compiled here) holds each reply for the delay from the
// kernel's receive time of the request, in a thread per connection, so the delay is known to
// microseconds and neither tool's probes wait behind the other's.
// Usage: node dist/bench/blackbox-vs-exporter.js [--seconds 120] [--rate 500] [--delay-ms 50]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../test/helpers/free-port.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, rate: { type: 'string', default: '500' }, 'delay-ms': { type: 'string', default: '50' }, targets: { type: 'string', default: '500' } } });
const seconds = Math.min(Math.max(Number(values.seconds), 5), 600);
const rate = Number(values.rate);
const delayMs = Number(values['delay-ms']);
const targetCount = Number(values.targets);
const EXPORTER = 'prometheus-blackbox-exporter';
const TICK_MS = 1000 / 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

function quantiles(xs: number[]): { median: number; p99: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { median: round(q(0.5)), p99: round(q(0.99)), n: s.length };
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a child that prints JSON lines; resolves with the first line. */
function startChild(cmd: string, args: string[]): { child: ChildProcess; lines: AsyncIterableIterator<string>; first: Promise<string> } {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const lines = rl[Symbol.asyncIterator]();
  const first = lines.next().then((r) => String(r.value));
  return { child, lines, first };
}

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ew-bench-'));
  const children: ChildProcess[] = [];
  try {
    const serverBin = join(work, 'blackbox-bench-server');
    execFileSync('clang', ['-O2', '-pthread', '-o', serverBin, join(here, '..', '..', 'bench', 'blackbox-bench-server.c')]);
    const server = startChild(serverBin, [String(delayMs), '4']);
    children.push(server.child);
    const { ports } = JSON.parse(await server.first) as { ports: number[] };
    const targetsFor = (ports: number[]) => Array.from({ length: targetCount }, (_, i) => `http://127.0.0.1:${ports[i % ports.length]}/t${i}`);
    const intervalMs = (targetCount / rate) * 60_000;

    // blackbox_exporter with its own configuration on a loopback port.
    const exporterPort = await freePort();
    writeFileSync(join(work, 'blackbox.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n      ip_protocol_fallback: false\n      valid_status_codes: [200]\n');
    const version = execFileSync(EXPORTER, ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/^blackbox_exporter, /, '');
    const exporter = spawn(EXPORTER, [`--config.file=${join(work, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(exporter);
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    for (let i = 0; ; i++) {
      try {
        await get(`http://127.0.0.1:${exporterPort}/metrics`, agent);
        break;
      } catch {
        if (i > 100) throw new Error('blackbox_exporter did not start');
        await sleep(100);
      }
    }

    // Ours: the scheduler in a child process.
    const ours = startChild(process.execPath, [join(here, 'blackbox-bench-prober.js'), JSON.stringify({ targets: targetsFor(ports), intervalMs, timeoutMs: 5000 })]);
    children.push(ours.child);
    await ours.first;
    await sleep(500);

    const oursCpu0 = cpuMs(ours.child.pid!);
    const theirsCpu0 = cpuMs(exporter.pid!);
    ours.child.stdin!.write('go\n');
    const oursResults: { ok: boolean; kind?: string; message?: string; totalMs: number; connectMs?: number; firstByteMs?: number; transferMs?: number; lagMs: number }[] = [];
    let oursStats: unknown;
    const reading = (async () => {
      for await (const line of ours.lines) {
        const r = JSON.parse(line) as { done?: boolean; stats?: unknown; ok: boolean; kind?: string; message?: string; totalMs: number; connectMs?: number; firstByteMs?: number; transferMs?: number; lagMs: number };
        if (r.done) {
          oursStats = r.stats;
          return;
        }
        oursResults.push(r);
      }
    })();

    // Theirs: /probe at the same rate, evenly spaced, as Prometheus would scrape it.
    const theirs: { ok: boolean; totalMs: number; processingMs?: number }[] = [];
    const theirTargets = targetsFor(ports);
    const started = performance.now();
    const pending: Promise<void>[] = [];
    // Steady state: CPU after the first fifth of the run, when one-time costs (lazy module loads,
    // JIT and WebAssembly tier-up of the HTTP parser) are behind both tools.
    const warmMs = seconds * 200;
    let warm: { ours: number; theirs: number; oursProbes: number; theirProbes: number } | undefined;
    const warmTimer = setTimeout(() => {
      warm = { ours: cpuMs(ours.child.pid!), theirs: cpuMs(exporter.pid!), oursProbes: oursResults.length, theirProbes: theirs.length };
    }, warmMs);
    for (let i = 0; performance.now() - started < seconds * 1000; i++) {
      const due = started + (i * 60_000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() - started >= seconds * 1000) break;
      const target = theirTargets[i % theirTargets.length];
      pending.push(
        get(`http://127.0.0.1:${exporterPort}/probe?module=http_2xx&target=${encodeURIComponent(target)}`, agent).then((text) => {
          theirs.push({ ok: metric(text, 'probe_success') === 1, totalMs: (metric(text, 'probe_duration_seconds') ?? NaN) * 1000, processingMs: (metric(text, 'probe_http_duration_seconds{phase="processing"}') ?? NaN) * 1000 });
        }),
      );
    }
    ours.child.stdin!.write('stop\n');
    await Promise.all(pending);
    await reading;
    clearTimeout(warmTimer);
    const oursCpuEnd = cpuMs(ours.child.pid!);
    const theirsCpuEnd = cpuMs(exporter.pid!);
    const oursCpu = oursCpuEnd - oursCpu0;
    const theirsCpu = theirsCpuEnd - theirsCpu0;
    agent.destroy();

    server.child.stdin!.end();
    const serverStats = JSON.parse(String((await server.lines.next()).value)) as unknown;

    const okOurs = oursResults.filter((r) => r.ok);
    const okTheirs = theirs.filter((r) => r.ok);
    const oursTotalErr = quantiles(okOurs.map((r) => r.totalMs - delayMs));
    const oursFbErr = quantiles(okOurs.map((r) => (r.firstByteMs ?? NaN) - delayMs));
    const lag = quantiles(oursResults.map((r) => r.lagMs));
    const jitter = quantiles(oursResults.map((r) => Math.abs(r.lagMs)));
    const theirsTotalErr = quantiles(okTheirs.map((r) => r.totalMs - delayMs));
    const theirsProcErr = quantiles(okTheirs.map((r) => (r.processingMs ?? NaN) - delayMs));
    const oursPerProbe = oursResults.length ? oursCpu / oursResults.length : NaN;
    const theirsPerProbe = theirs.length ? theirsCpu / theirs.length : NaN;
    const oursSteady = warm ? (oursCpuEnd - warm.ours) / (oursResults.length - warm.oursProbes) : NaN;
    const theirsSteady = warm ? (theirsCpuEnd - warm.theirs) / (theirs.length - warm.theirProbes) : NaN;
    process.stdout.write(
      JSON.stringify({
        bench: 'blackbox-vs-exporter',
        seconds,
        probesPerMinute: rate,
        targets: targetCount,
        serverDelayMs: delayMs,
        egresswatch: {
          probes: oursResults.length,
          failures: oursResults.length - okOurs.length,
          failureMessages: [...new Set(oursResults.filter((r) => !r.ok).map((r) => `${r.kind}: ${r.message}`))].slice(0, 5),
          cpuMs: round(oursCpu),
          cpuMsPerProbe: round(oursPerProbe),
          steadyCpuMsPerProbe: round(oursSteady),
          totalErrorMs: oursTotalErr,
          firstByteErrorMs: oursFbErr,
          // Start time minus due time (negative: the timer fired a fraction of a millisecond early).
          scheduleLagMs: { ...lag, min: round(Math.min(...oursResults.map((r) => r.lagMs))), max: round(Math.max(...oursResults.map((r) => r.lagMs))) },
          scheduleJitterMs: jitter,
          phaseMediansMs: { connect: quantiles(okOurs.map((r) => r.connectMs ?? NaN)).median, firstByte: quantiles(okOurs.map((r) => r.firstByteMs ?? NaN)).median, transfer: quantiles(okOurs.map((r) => r.transferMs ?? NaN)).median },
          scheduler: oursStats,
        },
        blackboxExporter: {
          version,
          probes: theirs.length,
          failures: theirs.length - okTheirs.length,
          cpuMs: round(theirsCpu),
          cpuMsPerProbe: round(theirsPerProbe),
          steadyCpuMsPerProbe: round(theirsSteady),
          totalErrorMs: theirsTotalErr,
          processingErrorMs: theirsProcErr,
        },
        server: serverStats,
        goals: {
          scheduleJitterP99Under50ms: jitter.p99 < 50,
          medianFirstByteErrorUnder1ms: Math.abs(oursFbErr.median) < 1,
          medianTotalErrorUnder1ms: Math.abs(oursTotalErr.median) < 1,
          lowerCpuPerProbeThanExporter: oursPerProbe < theirsPerProbe,
          lowerSteadyCpuPerProbeThanExporter: oursSteady < theirsSteady,
        },
      }) + '\n',
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
