// `capture --pcap --threads N` decodes and renders on worker threads: its output must be the
// single-threaded replay's, byte for byte, whatever the file holds (TCP connections whose
// packets fall in different batches, DNS over TCP, ICMP errors, damaged frames) and however it
// ends (truncated, corrupt). Only the order of keys in the summary's counts may differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACK, FIN, RST, SYN, PSH, ethernet, icmpError, ip, pcapFile, pcapngFile, tcp, udp, type FixtureFrame, type L4 } from '../capture/frame-builder.js';
import { dnsQuery, dnsResponse } from '../external/pcap-fixture.js';
import { repoRoot, testOutputDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const T0 = Date.UTC(2026, 0, 3);
const fixtures = join(repoRoot, 'test', 'capture', 'fixtures');

/**
 * About 6 MB of mixed traffic, many read batches: per session a DNS query and answer over UDP
 * (IPv4 or IPv6), a TCP connect that completes, one refused, one rejected by ICMP, DNS over TCP
 * split across segments, a DNS query answered by ICMP port unreachable, and a damaged frame.
 * Sessions overlap in time, so a connection's packets land in different batches.
 */
function mixedFrames(sessions: number): FixtureFrame[] {
  const frames: FixtureFrame[] = [];
  const at = (ts: number, ipPacket: Buffer) => frames.push({ ts, data: ethernet(ipPacket) });
  for (let i = 0; i < sessions; i++) {
    const t = T0 + i * 7;
    const v6 = i % 5 === 0;
    const client = v6 ? '2001:db8:7::1' : '10.207.1.1';
    const server = v6 ? '2001:db8:7::53' : '10.207.1.53';
    const port = 10000 + (i % 50000);
    const dns: L4 = { src: client, sport: port, dst: server, dport: 53 };
    const back: L4 = { src: server, sport: 53, dst: client, dport: port };
    const name = `n${i}.s${i % 7}.example`;
    at(t, ip(dns, 17, udp(dns, dnsQuery(name, i % 65536))));
    at(t + 2, ip(back, 17, udp(back, dnsResponse(name, [{ name, type: 'A', ttl: 60, data: `192.0.2.${i % 250}` }], i % 65536, i % 9 === 0 ? 3 : 0))));
    // A connect that completes and closes, its packets spread over 30 ms.
    const web: L4 = { src: '10.207.1.1', sport: 20000 + (i % 40000), dst: '10.207.2.80', dport: 443 };
    const webBack: L4 = { src: web.dst, sport: web.dport, dst: web.src, dport: web.sport };
    at(t + 1, ip(web, 6, tcp(web, { seq: 100, flags: SYN })));
    at(t + 9, ip(webBack, 6, tcp(webBack, { seq: 500, ack: 101, flags: SYN | ACK })));
    at(t + 10, ip(web, 6, tcp(web, { seq: 101, ack: 501, flags: ACK })));
    at(t + 30, ip(web, 6, tcp(web, { seq: 101, ack: 501, flags: FIN | ACK })));
    at(t + 31, ip(webBack, 6, tcp(webBack, { seq: 501, ack: 102, flags: FIN | ACK })));
    at(t + 32, ip(web, 6, tcp(web, { seq: 102, ack: 502, flags: ACK })));
    if (i % 3 === 0) {
      const refused: L4 = { ...web, sport: web.sport + 1, dport: 81 };
      const rst: L4 = { src: refused.dst, sport: 81, dst: refused.src, dport: refused.sport };
      at(t + 3, ip(refused, 6, tcp(refused, { seq: 7, flags: SYN })));
      at(t + 4, ip(rst, 6, tcp(rst, { seq: 0, ack: 8, flags: RST | ACK })));
    }
    if (i % 4 === 0) {
      const rejected: L4 = { ...web, sport: web.sport + 2, dport: 82 };
      const syn = ip(rejected, 6, tcp(rejected, { seq: 9, flags: SYN }));
      at(t + 3, syn);
      at(t + 5, icmpError('10.207.2.254', rejected.src, 3, 1, syn));
    }
    if (i % 6 === 0) {
      // DNS over TCP: the length-prefixed query in two segments, the answer in one.
      const c: L4 = { src: '10.207.1.1', sport: 60000 + (i % 5000), dst: '10.207.1.53', dport: 53 };
      const s: L4 = { src: c.dst, sport: 53, dst: c.src, dport: c.sport };
      const q = dnsQuery(`tcp${i}.example`, 7);
      const qMsg = Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]);
      const r = dnsResponse(`tcp${i}.example`, [{ name: `tcp${i}.example`, type: 'A', ttl: 5, data: '192.0.2.9' }], 7);
      const rMsg = Buffer.concat([Buffer.from([r.length >> 8, r.length & 255]), r]);
      at(t + 1, ip(c, 6, tcp(c, { seq: 1000, flags: SYN })));
      at(t + 2, ip(s, 6, tcp(s, { seq: 9000, ack: 1001, flags: SYN | ACK })));
      at(t + 3, ip(c, 6, tcp(c, { seq: 1001, ack: 9001, flags: ACK | PSH, payload: qMsg.subarray(0, 9) })));
      at(t + 12, ip(c, 6, tcp(c, { seq: 1010, ack: 9001, flags: ACK | PSH, payload: qMsg.subarray(9) })));
      at(t + 14, ip(s, 6, tcp(s, { seq: 9001, ack: 1001 + qMsg.length, flags: ACK | PSH, payload: rMsg })));
    }
    if (i % 10 === 0) {
      // A query answered by port unreachable, and a frame cut inside its IP header.
      const q: L4 = { src: '10.207.1.1', sport: 30000 + (i % 30000), dst: '10.207.3.53', dport: 53 };
      const query = ip(q, 17, udp(q, dnsQuery(`gone${i}.example`, 3)));
      at(t + 4, query);
      at(t + 5, icmpError('10.207.3.53', q.src, 3, 3, query));
      frames.push({ ts: t + 6, data: ethernet(query).subarray(0, 20) });
    }
  }
  // An unanswered connect retried at the very end: its timeout comes from the final flush.
  const lost: L4 = { src: '10.207.1.1', sport: 9999, dst: '10.207.9.9', dport: 443 };
  at(T0 + sessions * 7 + 50, ip(lost, 6, tcp(lost, { seq: 1, flags: SYN })));
  at(T0 + sessions * 7 + 1050, ip(lost, 6, tcp(lost, { seq: 1, flags: SYN })));
  return frames.sort((a, b) => a.ts - b.ts);
}

async function capture(file: string, threads: number, json: boolean): Promise<{ lines: string[]; summary: unknown; code: number; err: string }> {
  const r = await runCli(['capture', '--pcap', file, '--threads', String(threads), ...(json ? ['--json'] : [])]);
  const lines = r.out.split('\n').filter(Boolean);
  const summary = json && r.code === 0 ? JSON.parse(lines.pop()!) : undefined;
  return { lines, summary, code: r.code, err: json ? r.err : '' };
}

async function assertSameOutput(file: string, json: boolean): Promise<string[]> {
  const one = await capture(file, 0, json);
  const two = await capture(file, 2, json);
  assert.equal(two.code, one.code, file);
  assert.equal(two.err, one.err, file);
  assert.equal(two.lines.length, one.lines.length, file);
  assert.ok(two.lines.every((l, i) => l === one.lines[i]), `${file}: the same lines in the same order`);
  assert.deepEqual(two.summary, one.summary, file);
  return one.lines;
}

test('a mixed capture of many batches: the same lines, JSON and text, pcap and pcapng', { timeout: 120_000 }, async () => {
  const dir = testOutputDir('cli');
  const frames = mixedFrames(12_000);
  const pcap = join(dir, 'threads-mixed.pcap');
  writeFileSync(pcap, pcapFile(1, frames));
  const lines = await assertSameOutput(pcap, true);
  const kinds = new Map<string, number>();
  for (const l of lines) {
    const o = JSON.parse(l) as { type: string; dir?: string; event?: string; reason?: string; proto?: string };
    const k = [o.type, o.proto, o.dir ?? o.event, o.reason].filter(Boolean).join(' ');
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  // The file exercises what it claims to: every kind of event, in the numbers built.
  assert.deepEqual(Object.fromEntries([...kinds].sort()), {
    'dns tcp query': 2000, 'dns tcp response': 2000,
    'dns udp query': 13_200, 'dns udp response': 12_000,
    'dns_unreachable udp port': 1200,
    'tcp close': 12_000, 'tcp connect': 12_000 + 4000 + 3000 + 2000 + 1,
    'tcp established': 12_000 + 2000,
    'tcp failed refused': 4000, 'tcp failed timeout': 1, 'tcp failed unreachable': 3000,
    'tcp retransmit': 1,
  });
  await assertSameOutput(pcap, false);

  // pcapng: two interfaces (their ids become ifindex), microsecond and nanosecond clocks.
  const ng = join(dir, 'threads-mixed.pcapng');
  writeFileSync(ng, pcapngFile([{ linkType: 1 }, { linkType: 1, tsresol: 9 }], frames.slice(0, 30_000).map((f, i) => ({ ...f, iface: i % 2 }))));
  await assertSameOutput(ng, true);
});

test('standard input through a pipe: the same lines with --threads 2, the whole file', { timeout: 60_000 }, async () => {
  const pcap = join(testOutputDir('cli'), 'threads-stdin.pcap');
  writeFileSync(pcap, pcapFile(1, mixedFrames(3000)));
  const one = await capture(pcap, 0, true);
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'egresswatch.js'), 'capture', '--pcap', '-', '--json', '--threads', '2'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.stdin.end(readFileSync(pcap));
  assert.equal(await exited, 0);
  const lines = Buffer.concat(out).toString().split('\n').filter(Boolean);
  const summary = JSON.parse(lines.pop()!);
  assert.equal(lines.length, one.lines.length);
  assert.ok(lines.every((l, i) => l === one.lines[i]));
  assert.deepEqual(summary, one.summary);
});

test('every committed fixture and mutated capture: the same lines and summary', { timeout: 120_000 }, async () => {
  const files = [
    ...readdirSync(fixtures).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(fixtures, f)),
    ...readdirSync(join(fixtures, 'mutated')).map((f) => join(fixtures, 'mutated', f)),
  ];
  assert.ok(files.length >= 60);
  for (const f of files) await assertSameOutput(f, true);
});

test('--threads takes a whole number from 0 to 64, for replay only', async () => {
  const r = await runCli(['capture', '--pcap', join(fixtures, 'vlan-dns.pcap'), '--threads', '1.5']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--threads must be an integer between 0 and 64, got "1\.5"/);
  const live = await runCli(['capture', '--threads', '2', '--duration', '0']);
  assert.deepEqual([live.code, live.out], [2, '']);
  assert.match(live.err, /--threads applies to replay \(--pcap FILE\) only/);
});
