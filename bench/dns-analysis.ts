// Benchmark: DNS matching and health (createDnsAnalyzer) over synthetic packet streams of 1 M and
// 10 M packets, each in its own process so peak RSS is per size; memory must stay flat. The input
// is generated in batches as the analysis goes (never held whole), and its generation is timed
// apart; the analysis time covers everything the analyzer does per packet (DNS header and
// question parsing, matching, health, findings state) plus the final snapshot. The peer,
// tshark's DNS statistics (-z dns,tree) over a pcap of the same packets, runs in the same run.
// Usage: node dist/bench/dns-analysis.js [--sizes 1000000,10000000] [--runs 3] [--peer-packets 1000000]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDnsAnalyzer } from '../src/dns/dns-analyzer.js';
import { createPcapSource } from '../src/capture/pcap-source.js';
import type { DnsPacket } from '../src/events.js';
import { pcapFileHeader, pcapRecordHeader } from '../test/helpers/pcap-writer.js';
import { SyntheticDnsStream } from './dns-synthetic-stream.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000000,10000000' }, runs: { type: 'string', default: '1' }, 'peer-packets': { type: 'string', default: '1000000' }, child: { type: 'string' }, pcap: { type: 'string' } } });
const BATCH = 1024;

/** One size in this process: generation timed apart from analysis. */
function runSize(packets: number): Record<string, unknown> {
  const stream = new SyntheticDnsStream();
  const analyzer = createDnsAnalyzer({ horizonMs: Infinity });
  // The process with its input generator ready, before any packet: the rest of the peak is the analysis.
  const rssBeforeMiB = Math.round(process.memoryUsage().rss / 1048576);
  let analysisMs = 0;
  let analysisCpuMs = 0;
  let genMs = 0;
  let done = 0;
  let maxOpen = 0;
  const batch: DnsPacket[] = [];
  while (done < packets) {
    batch.length = 0;
    const g0 = performance.now();
    stream.fill(batch, Math.min(BATCH, packets - done));
    const a0 = performance.now();
    const c0 = process.cpuUsage();
    analyzer.ingest(batch);
    const c1 = process.cpuUsage(c0);
    const a1 = performance.now();
    genMs += a0 - g0;
    analysisMs += a1 - a0;
    analysisCpuMs += (c1.user + c1.system) / 1000;
    done += batch.length;
    if ((done & 0x3ffff) < BATCH) maxOpen = Math.max(maxOpen, analyzer.snapshot().pending);
  }
  // Live memory after a full collection: what the analysis holds, apart from V8's heap sizing.
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapMiB = Math.round(process.memoryUsage().heapUsed / 1048576);
  const s0 = performance.now();
  const snap = analyzer.snapshot();
  const snapshotMs = performance.now() - s0;
  const totalMs = analysisMs + snapshotMs;
  return {
    packets: done, analysisMs: Math.round(totalMs), ingestMs: Math.round(analysisMs), analysisCpuMs: Math.round(analysisCpuMs), loadAverage: os.loadavg()[0], packetsPerSecond: Math.round(done / (totalMs / 1000)), generationMs: Math.round(genMs),
    snapshotMs: Math.round(snapshotMs), rssBeforeMiB, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), liveHeapAfterGcMiB: liveHeapMiB, openTransactionsSampledMax: maxOpen,
    transactions: snap.transactions, timeouts: snap.timeouts, findings: snap.findings.map((f) => f.kind),
  };
}

/** Writes the stream as a classic pcap (Ethernet, IPv4, UDP) for the end-to-end replay and tshark. */
function writePcap(path: string, packets: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, pcapFileHeader(1, { snaplen: 65535 })); // Ethernet
  const stream = new SyntheticDnsStream();
  let done = 0;
  const batch: DnsPacket[] = [];
  while (done < packets) {
    batch.length = 0;
    stream.fill(batch, Math.min(BATCH, packets - done));
    const chunks: Buffer[] = [];
    for (const p of batch) {
      const f = frame(p);
      chunks.push(pcapRecordHeader(p.ts, f.length), f);
    }
    writeSync(fd, Buffer.concat(chunks));
    done += batch.length;
  }
  closeSync(fd);
}

/** The packet as an Ethernet / IPv4 / UDP frame. */
function frame(p: DnsPacket): Buffer {
  const udpLen = 8 + p.payload.length;
  const ipLen = 20 + udpLen;
  const b = Buffer.alloc(14 + ipLen);
  b.writeUInt16BE(0x0800, 12);
  const ip = 14;
  b[ip] = 0x45;
  b.writeUInt16BE(ipLen, ip + 2);
  b[ip + 8] = 64;
  b[ip + 9] = 17;
  p.src.split('.').forEach((o, i) => (b[ip + 12 + i] = Number(o)));
  p.dst.split('.').forEach((o, i) => (b[ip + 16 + i] = Number(o)));
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  b.writeUInt16BE(~sum & 0xffff, ip + 10);
  b.writeUInt16BE(p.sport, ip + 20);
  b.writeUInt16BE(p.dport, ip + 22);
  b.writeUInt16BE(udpLen, ip + 24);
  Buffer.from(p.payload).copy(b, ip + 28);
  return b;
}

async function replayPcap(path: string): Promise<Record<string, unknown>> {
  const analyzer = createDnsAnalyzer({ horizonMs: Infinity });
  const t0 = performance.now();
  const summary = await createPcapSource(path, { dnsPorts: [53] }).run((batch) => analyzer.ingest(batch));
  const snap = analyzer.snapshot();
  const ms = performance.now() - t0;
  return { ms: Math.round(ms), events: summary.events, transactions: snap.transactions, timeouts: snap.timeouts, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function child(args: string[]): Record<string, unknown> {
  const res = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as Record<string, unknown>;
}

async function main(): Promise<void> {
  if (values.child === 'size') return void process.stdout.write(JSON.stringify(runSize(Number(values.sizes))));
  if (values.child === 'replay') return void process.stdout.write(JSON.stringify(await replayPcap(values.pcap!)));
  const sizes = values.sizes.split(',').map(Number);
  const runs = Math.max(1, Number(values.runs));
  // Runs of one size alternate with the other sizes' so a burst of load on the machine spreads.
  const bySize = sizes.map(() => [] as Record<string, unknown>[]);
  for (let r = 0; r < runs; r++) sizes.forEach((n, i) => bySize[i].push(child(['--child', 'size', '--sizes', String(n)])));
  const analysis = bySize.map((all) => {
    const sorted = [...all].sort((a, b) => (a.analysisMs as number) - (b.analysisMs as number));
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    return { ...median, runs: all.length, analysisMsAllRuns: all.map((x) => x.analysisMs), peakRssMiBAllRuns: all.map((x) => x.peakRssMiB) };
  });
  const peerPackets = Number(values['peer-packets']);
  const dir = mkdtempSync(join(tmpdir(), 'ew-dns-bench-'));
  try {
    const pcap = join(dir, 'dns.pcap');
    writePcap(pcap, peerPackets);
    const replay = child(['--child', 'replay', '--pcap', pcap]);
    let tshark: Record<string, unknown>;
    try {
      const t0 = performance.now();
      const out = execFileSync('tshark', ['-n', '-q', '-r', pcap, '-z', 'dns,tree'], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
      const ms = performance.now() - t0;
      const m = /Total Packets\s+(\d+)/.exec(out);
      tshark = { ms: Math.round(ms), packets: m ? Number(m[1]) : null, what: 'tshark -q -z dns,tree (per-packet DNS statistics, no transaction matching state across the run)' };
    } catch (err) {
      tshark = { error: (err as Error).message.split('\n')[0] };
    }
    process.stdout.write(JSON.stringify({ analysis, replayEndToEnd: { packets: peerPackets, ...replay }, peer: { tshark } }, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
