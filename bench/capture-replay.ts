// Benchmark: pcap replay (wire decoding plus the DNS parse downstream does: id, name, rcode via
// dns-packet) beside `tshark -T fields -e dns.id -e dns.qry.name -e dns.flags.rcode` on the same
// file in the same run, and `egresswatch capture --pcap FILE --json` itself, with worker threads
// and without, to a file and to a pipe. Prints JSON: packets/s, the ratios to tshark, and a
// cross-check of counts.
// Usage: node dist/bench/capture-replay.js [--transactions 150000] [--runs 3] [--file PATH]
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPcapSource } from '../src/capture/pcap-source.js';
import { parseDnsMessage } from '../src/dns/message.js';
import { writeSyntheticCapture } from './capture-replay-file.js';

const { values } = parseArgs({ options: { transactions: { type: 'string', default: '150000' }, runs: { type: 'string', default: '3' }, file: { type: 'string' } } });
const transactions = Math.max(1000, Number(values.transactions));
const runs = Math.max(1, Number(values.runs));
const here = dirname(fileURLToPath(import.meta.url));
const round = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

interface Pass {
  seconds: number;
  cpuSeconds: number;
  dnsPackets: number;
  nxdomain: number;
  parseErrors: number;
}

async function ours(file: string, parse: boolean): Promise<Pass> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let dnsPackets = 0;
  let nxdomain = 0;
  let parseErrors = 0;
  await createPcapSource(file, { dnsPorts: [53] }).run((batch) => {
    for (const ev of batch) {
      if (ev.type !== 'dns') continue;
      dnsPackets++;
      if (!parse) continue;
      const m = parseDnsMessage(ev.payload);
      if (!m.ok) parseErrors++;
      else if (m.message.qr && m.message.rcode === 'NXDOMAIN') nxdomain++;
    }
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6, dnsPackets, nxdomain, parseErrors };
}

function tshark(file: string): Promise<Pass> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // bash's `times` reports the CPU its children used: tshark's own CPU, beside wall time,
    // because a busy machine stretches wall time for both tools.
    const script = 'tshark -r "$1" -T fields -e dns.id -e dns.qry.name -e dns.flags.rcode 2>/dev/null; rc=$?; times >&2; exit $rc';
    const child = spawn('bash', ['-c', script, 'bash', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let timesOut = '';
    child.stderr.on('data', (c: Buffer) => (timesOut += c.toString()));
    let rows = 0;
    let nxdomain = 0;
    let tail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop()!;
      for (const l of lines) {
        rows++;
        if (l.endsWith('\t3')) nxdomain++;
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`tshark exited with ${code}`));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      // Second line of `times`: children's user and system time, e.g. "0m7.123s 0m0.456s".
      const child = timesOut.trim().split('\n')[1] ?? '';
      const cpuSeconds = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve({ seconds, cpuSeconds, dnsPackets: rows, nxdomain, parseErrors: 0 });
    });
  });
}

/**
 * `egresswatch capture --pcap FILE --json` as a user runs it, process start included: its
 * output to a file (converting a capture), through a pipe to `wc -c` (`| consumer`, as a shell
 * makes it: a pipe, where Node's own child stdio would be a socket pair), or discarded
 * (/dev/null: the command's own speed, without what its reader costs). Resolves to the seconds
 * taken and the bytes written.
 */
function cliJson(file: string, threads: number | undefined, to: 'file' | 'pipe' | 'discarded', outFile: string): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const args = [join(here, '..', '..', 'bin', 'egresswatch.js'), 'capture', '--pcap', file, '--json', ...(threads === undefined ? [] : ['--threads', String(threads)])];
    const out = to === 'pipe' ? 'pipe' : openSync(to === 'file' ? outFile : '/dev/null', 'w');
    const child = to === 'pipe'
      ? spawn('bash', ['-c', 'set -o pipefail; "$0" "$@" | wc -c', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(process.execPath, args, { stdio: ['ignore', out, 'inherit'] });
    if (typeof out === 'number') closeSync(out);
    let counted = '';
    child.stdout?.on('data', (c: Buffer) => (counted += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`egresswatch exited with ${code}`));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      resolve({ seconds, bytes: to === 'pipe' ? Number(counted.trim()) : to === 'file' ? statSync(outFile).size : Number.NaN });
    });
  });
}

const best = (xs: Pass[]) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'egresswatch-replay-'));
  try {
    const file = values.file ?? join(dir, 'dns.pcap');
    const made = values.file ? undefined : await writeSyntheticCapture(file, transactions);
    const packets = made?.packets;
    await ours(file, true); // warm-up: JIT and page cache
    const full: Pass[] = [];
    const decodeOnly: Pass[] = [];
    const peer: Pass[] = [];
    // The CLI by default (worker threads for a file this size, one per core up to 4) and on
    // one thread (--threads 0), its output to a file, to a pipe, and discarded.
    const variants = {
      workersFile: [undefined, 'file'], workersPipe: [undefined, 'pipe'], workersDiscarded: [undefined, 'discarded'],
      oneThreadFile: [0, 'file'], oneThreadPipe: [0, 'pipe'], oneThreadDiscarded: [0, 'discarded'],
    } as const;
    const cli = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]])) as Record<keyof typeof variants, number[]>;
    const outputBytes = new Set<number>();
    const outFile = join(dir, 'capture.json');
    for (let i = 0; i < runs; i++) {
      full.push(await ours(file, true));
      decodeOnly.push(await ours(file, false));
      peer.push(await tshark(file));
      for (const [k, [threads, to]] of Object.entries(variants)) {
        const r = await cliJson(file, threads, to, outFile);
        cli[k as keyof typeof variants].push(r.seconds);
        if (to !== 'discarded') outputBytes.add(r.bytes);
      }
    }
    const f = best(full);
    const d = best(decodeOnly);
    const t = best(peer);
    const rate = (p: Pass) => Math.round(p.dnsPackets / p.seconds);
    console.log(JSON.stringify({
      bench: 'capture-replay',
      file: { packets: packets ?? f.dnsPackets, bytes: statSync(file).size, synthetic: !values.file, nxdomainResponses: made?.nxdomain },
      runs,
      egresswatch: {
        packetsPerSecond: rate(f),
        seconds: round3(f.seconds),
        cpuSeconds: round3(f.cpuSeconds),
        packetsPerCpuSecond: Math.round(f.dnsPackets / f.cpuSeconds),
        medianPacketsPerSecond: Math.round(f.dnsPackets / median(full.map((p) => p.seconds))),
        what: 'read pcap, decode Ethernet/IP/UDP, emit DnsPacket, dns-packet parse (id, qname, rcode, answers)',
        dnsPackets: f.dnsPackets,
        nxdomain: f.nxdomain,
        parseErrors: f.parseErrors,
      },
      egresswatchDecodeOnly: { packetsPerSecond: rate(d), seconds: round3(d.seconds), cpuSeconds: round3(d.cpuSeconds) },
      egresswatchCliJson: {
        what: 'egresswatch capture --pcap FILE --json, best and median of the runs, process start included; to a file, through a pipe to wc -c, or to /dev/null',
        cores: availableParallelism(),
        // Every run to a file or a pipe wrote the same number of bytes.
        outputsAgree: outputBytes.size === 1,
        outputBytes: [...outputBytes],
        ...Object.fromEntries(Object.entries(cli).map(([k, xs]) => [k, { seconds: round3(Math.min(...xs)), medianSeconds: round3(median(xs)), packetsPerSecond: Math.round((packets ?? f.dnsPackets) / Math.min(...xs)) }])),
      },
      tshark: { packetsPerSecond: rate(t), seconds: round3(t.seconds), cpuSeconds: round3(t.cpuSeconds), packetsPerCpuSecond: Math.round(t.dnsPackets / t.cpuSeconds), rows: t.dnsPackets, nxdomain: t.nxdomain, command: 'tshark -r FILE -T fields -e dns.id -e dns.qry.name -e dns.flags.rcode' },
      speedup: round(rate(f) / rate(t)),
      cliSpeedup: Object.fromEntries(Object.entries(cli).map(([k, xs]) => [k, round(t.seconds / Math.min(...xs))])),
      speedupCpu: round((f.dnsPackets / f.cpuSeconds) / (t.dnsPackets / t.cpuSeconds)),
      agree: f.dnsPackets === t.dnsPackets && f.nxdomain === t.nxdomain,
    }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
