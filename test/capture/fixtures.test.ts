// Replays the committed hand-made captures (test/capture/fixtures/) and checks every event, and,
// when tshark is installed, that tshark reads the same DNS ids and names from the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { parseDnsMessage } from '../../src/dns/message.js';
import type { CaptureEvent, CaptureSummary } from '../../src/events.js';
import { repoRoot } from '../helpers/paths.js';
import { hasTool } from './tcpdump-writer.js';

const dir = join(repoRoot, 'test', 'capture', 'fixtures');
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const tshark = hasTool('tshark', '--version');

async function replay(name: string): Promise<{ events: CaptureEvent[]; summary: CaptureSummary }> {
  const events: CaptureEvent[] = [];
  const summary = await createPcapSource(join(dir, name), { dnsPorts: [53] }).run((b) => { events.push(...b); });
  return { events, summary };
}

/** One line per event with everything a consumer sees (times relative to the fixtures' start). */
function lines(events: CaptureEvent[]): string[] {
  return events.map((e) => {
    const t = Math.round((e.ts - T0) * 1000) / 1000;
    if (e.type === 'dns') {
      const p = parseDnsMessage(e.payload);
      const m = p.ok ? `id=${p.message.id} ${p.message.qtype} ${p.message.qname}${p.message.qr ? ` ${p.message.rcode} [${p.message.answers.map((a) => a.data).join(',')}]` : ''}` : p.reason;
      return `${t} dns ${e.dir} ${e.proto} ${e.src}:${e.sport} > ${e.dst}:${e.dport} ${m}`;
    }
    if (e.type === 'tcp') return `${t} tcp ${e.event} ${e.src}:${e.sport} > ${e.dst}:${e.dport}${e.latencyMs !== undefined ? ` ${e.latencyMs}ms` : ''}${e.reason ? ` ${e.reason}` : ''}`;
    return `${t} ${e.type}`;
  });
}

/** (id, name) pairs tshark decodes; several DNS messages in one frame come comma-separated. */
function tsharkDns(name: string): string[] {
  const out = execFileSync('tshark', ['-r', join(dir, name), '-T', 'fields', '-e', 'dns.id', '-e', 'dns.qry.name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pairs: string[] = [];
  for (const row of out.split('\n')) {
    const [ids, names] = row.split('\t');
    if (!ids) continue;
    const n = names.split(',');
    ids.split(',').forEach((id, i) => pairs.push(`id=${parseInt(id, 16)} ${n[i]}`));
  }
  return pairs;
}

function ourDns(events: CaptureEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type !== 'dns') return [];
    const p = parseDnsMessage(e.payload);
    return p.ok ? [`id=${p.message.id} ${p.message.qname}`] : [];
  });
}

test('VLAN 802.1Q and QinQ frames', async () => {
  const { events, summary } = await replay('vlan-dns.pcap');
  assert.deepEqual(lines(events), [
    '0 dns query udp 10.202.5.1:33000 > 10.202.5.53:53 id=257 A vlan.example',
    '1 dns response udp 10.202.5.53:53 > 10.202.5.1:33000 id=257 A vlan.example NOERROR [192.0.2.1]',
    '2 dns query udp 10.202.5.1:33000 > 10.202.5.53:53 id=258 A qinq.example',
    '3 dns response udp 10.202.5.53:53 > 10.202.5.1:33000 id=258 A qinq.example NOERROR [192.0.2.2]',
  ]);
  assert.deepEqual(summary.malformed, {});
  if (tshark) assert.deepEqual(ourDns(events), tsharkDns('vlan-dns.pcap'));
});

test('IPv6 with a hop-by-hop header in big-endian nanosecond pcapng', async () => {
  const { events } = await replay('ipv6-hop-by-hop-dns.pcapng');
  assert.deepEqual(lines(events), [
    '0 dns query udp 2001:db8::1:33001 > 2001:db8::53:53 id=1537 AAAA v6.example',
    '0.5 dns response udp 2001:db8::53:53 > 2001:db8::1:33001 id=1537 AAAA v6.example NOERROR [2001:db8::6]',
  ]);
  if (tshark) assert.deepEqual(ourDns(events), tsharkDns('ipv6-hop-by-hop-dns.pcapng'));
});

test('BSD loopback (DLT_NULL), IPv4 and IPv6', async () => {
  const { events } = await replay('bsd-loopback-dns.pcap');
  assert.deepEqual(lines(events), [
    '0 dns query udp 127.0.0.1:33002 > 127.0.0.1:53 id=1025 A lo4.example',
    '1 dns query udp ::1:33003 > ::1:53 id=1026 AAAA lo6.example',
  ]);
  if (tshark) assert.deepEqual(ourDns(events), tsharkDns('bsd-loopback-dns.pcap'));
});

test('DNS over TCP: a query split over three segments, two answers in one, handshake and close', async () => {
  const { events, summary } = await replay('dns-over-tcp-split.pcap');
  assert.deepEqual(lines(events), [
    '0 tcp connect 10.202.6.1:45000 > 10.202.6.53:53',
    '0.25 tcp established 10.202.6.1:45000 > 10.202.6.53:53 0.25ms',
    '1.2 dns query tcp 10.202.6.1:45000 > 10.202.6.53:53 id=1793 A tcp.example',
    '2 dns response tcp 10.202.6.53:53 > 10.202.6.1:45000 id=1793 A tcp.example NOERROR [192.0.2.7]',
    '2 dns response tcp 10.202.6.53:53 > 10.202.6.1:45000 id=1794 A tcp2.example NOERROR [192.0.2.8]',
    '3.1 tcp close 10.202.6.1:45000 > 10.202.6.53:53',
  ]);
  assert.deepEqual(summary.malformed, {});
  if (tshark) assert.deepEqual(ourDns(events), tsharkDns('dns-over-tcp-split.pcap'));
});

test('a truncated file keeps its whole records; garbage frames are counted, not fatal', async () => {
  const t = await replay('truncated.pcap');
  assert.equal(t.events.length, 3);
  assert.equal(t.summary.malformed.truncated_record, 1);
  assert.equal(t.summary.notes?.length, 1);
  const g = await replay('garbage-frames.pcap');
  const bad = Object.values(g.summary.malformed).reduce((a, b) => a + b, 0);
  const other = (g.summary.counters.ipv4_fragments ?? 0) + (g.summary.counters.other_ip_protocols ?? 0) + (g.summary.counters.udp_other_packets ?? 0) + (g.summary.counters.tcp_packets ?? 0);
  assert.equal(g.summary.counters.records, 40);
  assert.equal(bad + other, 40, JSON.stringify(g.summary));
  assert.ok(bad > 0);
});

test('a file that is not a capture is refused with one line', async () => {
  await assert.rejects(replay('not-a-capture.pcap'), /"[^"]*not-a-capture\.pcap" is not a pcap or pcapng file \(it starts with 0x3c68746d\)$/);
});
