// Benchmark: live eBPF capture of DNS under dnsperf load against unbound (one thread) on loopback.
// Measures unbound alone (the peer's ceiling), then for increasing rates whether the agent
// captured, parsed and counted every DNS packet with zero loss; and the agent's CPU at 1,000 q/s.
// Usage (root): node dist/bench/capture-live.js [--seconds 10] [--rates 1000,10000,25000,50000,0]
// (rate 0 = as fast as dnsperf and unbound go).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rates: { type: 'string', default: '1000,10000,25000,50000,70000,0' } } });
const seconds = Math.min(Math.max(Number(values.seconds), 2), 120);
const rates = values.rates.split(',').map(Number);
const TICK_MS = 10; // USER_HZ

/** The 1,000 q/s step runs at least 40 s: its CPU is a few clock ticks per second, measured over the second half. */
function stepSeconds(rate: number): number {
  return rate === 1000 ? Math.max(seconds, 40) : seconds;
}

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  s.close();
  return port;
}

function startUnbound(dir: string, port: number): ChildProcess {
  const conf = join(dir, 'unbound.conf');
  writeFileSync(conf, `server:
  interface: 127.0.0.1@${port}
  num-threads: 1
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 0
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "bench.test." static
  local-data: "a.bench.test. 300 IN A 192.0.2.1"
  local-data: "b.bench.test. 300 IN AAAA 2001:db8::1"
  local-data: "c.bench.test. 300 IN TXT \\"egresswatch benchmark\\""
remote-control:
  control-enable: no
`);
  return spawn('unbound', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
}

interface PerfResult { sent: number; completed: number; qps: number; runSeconds: number }

function dnsperf(port: number, queries: string, rate: number): Promise<PerfResult> {
  const len = stepSeconds(rate);
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(len), '-c', '8', '-T', '1', '-q', '2000'];
  if (rate > 0) args.push('-Q', String(rate));
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, { maxBuffer: 1 << 22 }, (err, stdout) => {
      if (err) return reject(err);
      const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
      resolve({ sent: num(/Queries sent:\s+(\d+)/), completed: num(/Queries completed:\s+(\d+)/), qps: num(/Queries per second:\s+([\d.]+)/), runSeconds: num(/Run time \(s\):\s+([\d.]+)/) });
    });
  });
}

interface AgentReport { packets: number; parsed: number; malformed: number; lost: Record<string, number> }

async function startAgent(port: number): Promise<{ child: ChildProcess; report: Promise<AgentReport> }> {
  const child = spawn(process.execPath, [join(here, 'capture-live-agent.js'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`agent did not start: ${String(first.value)}`);
  const report = lines.next().then((l) => JSON.parse(String(l.value)) as AgentReport);
  return { child, report };
}

const dir = mkdtempSync(join(tmpdir(), 'ew-capture-bench-'));
const port = await freePort();
const unbound = startUnbound(dir, port);
const queries = join(dir, 'queries.txt');
writeFileSync(queries, 'a.bench.test A\nb.bench.test AAAA\nc.bench.test TXT\n');
try {
  await new Promise((r) => setTimeout(r, 1000));
  const alone = await dnsperf(port, queries, 0);
  const steps = [];
  for (const rate of rates) {
    const agent = await startAgent(port);
    // CPU is measured after a warm-up (JIT compilation and lazy start-up work are one-off costs):
    // a fifth of the run, or half of the longer 1,000 q/s step.
    const t0 = performance.now();
    let cpu0 = 0;
    let tCpu0 = 0;
    const warm = setTimeout(() => {
      cpu0 = cpuMs(agent.child.pid!);
      tCpu0 = performance.now();
    }, stepSeconds(rate) * 1000 * (rate === 1000 ? 0.5 : 0.2));
    const perf = await dnsperf(port, queries, rate);
    clearTimeout(warm);
    const tEnd = performance.now();
    const wallMs = tEnd - t0;
    const cpuWallMs = tEnd - tCpu0;
    const cpu = cpuMs(agent.child.pid!) - cpu0;
    agent.child.kill('SIGTERM');
    const r = await agent.report;
    const expected = perf.sent + perf.completed;
    const lost = Object.values(r.lost).reduce((a, b) => a + b, 0);
    steps.push({
      targetQps: rate || 'max', achievedQps: Math.round(perf.qps), wirePackets: expected, captured: r.packets, parsed: r.parsed,
      lostRecords: lost, lostByWhere: r.lost, lossFree: lost === 0 && r.packets >= expected,
      packetsPerSecond: Math.round(r.packets / perf.runSeconds),
      agentCpuPercentOfCore: Math.round((cpu / cpuWallMs) * 1000) / 10,
      agentCpuMsPer1000Packets: r.packets ? Math.round((cpu / ((r.packets * cpuWallMs) / wallMs / 1000)) * 1000) / 1000 : null,
    });
    process.stderr.write(JSON.stringify(steps.at(-1)) + '\n');
  }
  const lossFree = steps.filter((s) => s.lossFree);
  const at1000 = steps.find((s) => s.targetQps === 1000);
  const busiest = [...lossFree].sort((a, b) => b.packetsPerSecond - a.packetsPerSecond)[0];
  console.log(JSON.stringify({
    bench: 'capture-live',
    seconds,
    peer: { tool: 'unbound (1 thread) + dnsperf, no capture', qps: Math.round(alone.qps), packetsPerSecond: Math.round(alone.qps * 2) },
    highestLossFreePacketsPerSecond: lossFree.length ? Math.max(...lossFree.map((s) => s.packetsPerSecond)) : 0,
    agentCpuPercentAt1000Qps: at1000?.agentCpuPercentOfCore ?? null,
    agentCpuMsPer1000PacketsAt1000Qps: at1000?.agentCpuMsPer1000Packets ?? null,
    // An estimate, not a measurement: packets one core could take at the busiest step's cost.
    estimatedPacketsPerSecondPerCore: busiest?.agentCpuMsPer1000Packets ? Math.round(1e6 / busiest.agentCpuMsPer1000Packets) : null,
    steps,
  }, null, 2));
} finally {
  unbound.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
