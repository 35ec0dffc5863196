// The wire decoder on hand-made frames: every link layer, VLAN tags, IPv4 options and fragments,
// IPv6 extension headers, DNS over UDP and TCP (split and coalesced), TCP handshake events, and
// malformed input that must be counted, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { createWireDecoder, LinkType, type WireDecoder } from '../../src/capture/wire-decoder.js';
import { emptySummary, type CaptureEvent, type CaptureSummary, type DnsPacket, type TcpEvent } from '../../src/events.js';
import { parseDnsMessage } from '../../src/dns/message.js';
import { ACK, FIN, RST, SYN, PSH, bsdLoopback, ethernet, icmpError, ip, sll, sll2, tcp, udp, type L4 } from './frame-builder.js';

const Q: L4 = { src: '10.202.0.1', sport: 40000, dst: '10.202.0.53', dport: 53 };
const R: L4 = { src: Q.dst, sport: Q.dport, dst: Q.src, dport: Q.sport };

function query(name: string, id = 0x1234, type: dnsPacket.RecordType = 'A'): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

function answer(name: string, id: number, address: string): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 60, data: address }] });
}

function framed(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

function harness(dnsPorts = [53], extra: { synTimeoutMs?: number } = {}): { dec: WireDecoder; events: CaptureEvent[]; summary: CaptureSummary } {
  const events: CaptureEvent[] = [];
  const summary = emptySummary();
  const dec = createWireDecoder({ dnsPorts, emit: (e) => events.push(e), summary, ...extra });
  return { dec, events, summary };
}

const dnsOf = (events: CaptureEvent[]) => events.filter((e): e is DnsPacket => e.type === 'dns');
const tcpOf = (events: CaptureEvent[]) => events.filter((e): e is TcpEvent => e.type === 'tcp');

test('Ethernet IPv4 UDP query and response: addresses, ports, direction, payload', () => {
  const { dec, events, summary } = harness();
  dec.decode({ linkType: LinkType.ETHERNET, ts: 1000.5, data: ethernet(ip(Q, 17, udp(Q, query('example.com')))), origLen: 0 });
  // Short frames are padded on Ethernet: the padding must not reach the DNS payload.
  dec.decode({ linkType: LinkType.ETHERNET, ts: 1002.25, data: ethernet(ip(R, 17, udp(R, answer('example.com', 0x1234, '192.0.2.7'))), [], 6), origLen: 0 });
  dec.flush();
  const [q, r] = dnsOf(events);
  assert.equal(events.length, 2);
  assert.deepEqual({ ...q, payload: undefined }, { type: 'dns', ts: 1000.5, dir: 'query', proto: 'udp', src: '10.202.0.1', sport: 40000, dst: '10.202.0.53', dport: 53, payload: undefined });
  assert.equal(r.dir, 'response');
  assert.equal(r.src, '10.202.0.53');
  const parsed = parseDnsMessage(r.payload);
  assert.ok(parsed.ok);
  assert.equal(parsed.message.id, 0x1234);
  assert.equal(parsed.message.answers[0].data, '192.0.2.7');
  assert.deepEqual(summary.events, { dns: 2 });
  assert.equal(summary.counters.frames, 2);
  assert.deepEqual(summary.malformed, {});
});

test('VLAN 802.1Q and QinQ tags, IPv4 options, extra DNS port', () => {
  const { dec, events } = harness([53, 5353]);
  const f: L4 = { ...Q, dport: 5353 };
  dec.decode({ linkType: 1, ts: 1, data: ethernet(ip(Q, 17, udp(Q, query('one.test'))), [100]), origLen: 0 });
  dec.decode({ linkType: 1, ts: 2, data: ethernet(ip(Q, 17, udp(Q, query('two.test'))), [10, 20]), origLen: 0 });
  dec.decode({ linkType: 1, ts: 3, data: ethernet(ip(f, 17, udp(f, query('three.test')), { ipv4Options: Buffer.from([1, 1, 1, 0]) })), origLen: 0 });
  dec.decode({ linkType: 1, ts: 4, data: ethernet(ip({ ...Q, dport: 80 }, 17, udp({ ...Q, dport: 80 }, query('not.dns')))), origLen: 0 });
  const names = dnsOf(events).map((e) => parseDnsMessage(e.payload)).map((p) => (p.ok ? p.message.qname : p.reason));
  assert.deepEqual(names, ['one.test', 'two.test', 'three.test']);
  assert.equal(dnsOf(events)[2].dport, 5353);
});

test('IPv6 with hop-by-hop header over SLL, SLL2 (ifindex), raw IP and BSD loopback', () => {
  const { dec, events, summary } = harness();
  const q6: L4 = { src: '2001:db8::1', sport: 5000, dst: '2001:db8:0:0:1::53', dport: 53 };
  const pkt = ip(q6, 17, udp(q6, query('v6.test')), { ipv6HopByHop: true });
  dec.decode({ linkType: LinkType.LINUX_SLL, ts: 1, data: sll(pkt), origLen: 0 });
  dec.decode({ linkType: LinkType.LINUX_SLL2, ts: 2, data: sll2(pkt, 7), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 3, data: pkt, origLen: 0 });
  dec.decode({ linkType: LinkType.IPV6, ts: 4, data: pkt, origLen: 0 });
  dec.decode({ linkType: LinkType.NULL, ts: 5, data: bsdLoopback(pkt), origLen: 0 });
  dec.decode({ linkType: LinkType.LOOP, ts: 6, data: bsdLoopback(ip(Q, 17, udp(Q, query('v4.test'))), true), origLen: 0 });
  // A loopback frame's outgoing copy (as a raw packet socket sees it) is a duplicate: skipped.
  dec.decode({ linkType: LinkType.LINUX_SLL, ts: 7, data: sll(pkt, 4), origLen: 0 });
  dec.flush();
  const dns = dnsOf(events);
  assert.equal(dns.length, 6);
  assert.equal(dns[0].src, '2001:db8::1');
  assert.equal(dns[0].dst, '2001:db8::1:0:0:53');
  assert.equal(dns[1].ifindex, 7);
  assert.equal(dns[0].ifindex, undefined);
  assert.equal(dns[5].src, '10.202.0.1');
  assert.equal(summary.counters.loopback_outgoing_duplicates, 1);
});

test('fragments are counted, not decoded', () => {
  const { dec, events, summary } = harness();
  dec.decode({ linkType: 1, ts: 1, data: ethernet(ip(Q, 17, udp(Q, query('frag.test')), { fragment: true })), origLen: 0 });
  const q6: L4 = { src: '::1', sport: 5000, dst: '::1', dport: 53 };
  dec.decode({ linkType: LinkType.RAW, ts: 2, data: ip(q6, 17, udp(q6, query('frag6.test')), { fragment: true }), origLen: 0 });
  dec.flush();
  assert.equal(events.length, 0);
  assert.equal(summary.counters.ipv4_fragments, 1);
  assert.equal(summary.counters.ipv6_fragments, 1);
});

test('malformed and truncated frames are counted by reason and never throw', () => {
  const { dec, events, summary } = harness();
  const good = ethernet(ip(Q, 17, udp(Q, query('x.test'))));
  for (let cut = 0; cut < good.length; cut++) dec.decode({ linkType: 1, ts: cut, data: good.subarray(0, cut), origLen: good.length });
  for (let cut = 0; cut < good.length; cut++) dec.decode({ linkType: 1, ts: cut, data: good.subarray(0, cut), origLen: cut });
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 3000; i++) {
    const junk = Buffer.from(good);
    for (let j = 0; j < 6; j++) junk[14 + (rnd() % (junk.length - 14))] = rnd();
    for (const lt of [0, 1, 12, 101, 113, 228, 229, 276]) dec.decode({ linkType: lt, ts: i, data: junk, origLen: junk.length });
  }
  dec.decode({ linkType: 9999, ts: 0, data: good, origLen: good.length });
  dec.flush();
  assert.ok(summary.malformed.truncated_ethernet >= 1);
  assert.ok(summary.malformed.truncated_ipv4 >= 1);
  assert.ok(summary.malformed.dns_snapped >= 1);
  assert.equal(summary.counters.unsupported_link_type_9999, 1);
  for (const ev of events) assert.ok(ev.type === 'dns' || ev.type === 'tcp');
});

test('DNS over TCP: message split across segments, two messages in one segment, split length prefix', () => {
  const { dec, events, summary } = harness();
  const c: L4 = { src: '10.202.0.1', sport: 41000, dst: '10.202.0.53', dport: 53 };
  const s: L4 = { src: c.dst, sport: 53, dst: c.src, dport: c.sport };
  const send = (f: L4, o: { seq: number; ack?: number; flags: number; payload?: Buffer }, ts: number) =>
    dec.decode({ linkType: 1, ts, data: ethernet(ip(f, 6, tcp(f, o))), origLen: 0 });
  let cs = 1000, ss = 5000;
  send(c, { seq: cs, flags: SYN }, 10);
  send(s, { seq: ss, ack: cs + 1, flags: SYN | ACK }, 10.4);
  cs++; ss++;
  send(c, { seq: cs, ack: ss, flags: ACK }, 10.5);
  // Query split in three, the length prefix itself split.
  const q1 = framed(query('split.test', 1));
  send(c, { seq: cs, ack: ss, flags: ACK | PSH, payload: q1.subarray(0, 1) }, 11);
  // Out of order: the last piece arrives before the middle one, which is then retransmitted.
  send(c, { seq: cs + 9, ack: ss, flags: ACK | PSH, payload: q1.subarray(9) }, 11.1);
  send(c, { seq: cs + 1, ack: ss, flags: ACK | PSH, payload: q1.subarray(1, 9) }, 11.2);
  send(c, { seq: cs + 1, ack: ss, flags: ACK | PSH, payload: q1.subarray(1, 9) }, 11.3);
  cs += q1.length;
  // Two responses in one segment.
  const two = Buffer.concat([framed(answer('split.test', 1, '192.0.2.1')), framed(answer('second.test', 2, '192.0.2.2'))]);
  send(s, { seq: ss, ack: cs, flags: ACK | PSH, payload: two }, 12);
  ss += two.length;
  send(c, { seq: cs, ack: ss, flags: FIN | ACK }, 13);
  send(s, { seq: ss, ack: cs + 1, flags: FIN | ACK }, 13.1);
  dec.flush();
  const dns = dnsOf(events);
  const parsed = dns.map((e) => parseDnsMessage(e.payload));
  assert.deepEqual(parsed.map((p) => (p.ok ? `${p.message.id} ${p.message.qname}` : p.reason)), ['1 split.test', '1 split.test', '2 second.test']);
  assert.deepEqual(dns.map((e) => [e.dir, e.proto, e.src, e.sport]), [
    ['query', 'tcp', '10.202.0.1', 41000],
    ['response', 'tcp', '10.202.0.53', 53],
    ['response', 'tcp', '10.202.0.53', 53],
  ]);
  assert.equal(dns[0].ts, 11.2);
  assert.equal(summary.counters.dns_tcp_duplicate_segments, 1);
  const t = tcpOf(events);
  assert.deepEqual(t.map((e) => e.event), ['connect', 'established', 'retransmit', 'close']);
  assert.ok(Math.abs(t[1].latencyMs! - 0.4) < 1e-9);
  assert.deepEqual(summary.malformed, {});
});

test('TCP events: refused, timed out after SYN retries, reset, retransmit; IPv6', () => {
  const { dec, events } = harness();
  const send = (f: L4, o: { seq: number; ack?: number; flags: number; payload?: Buffer }, ts: number) =>
    dec.decode({ linkType: LinkType.RAW, ts, data: ip(f, 6, tcp(f, o)), origLen: 0 });
  const rev = (f: L4): L4 => ({ src: f.dst, sport: f.dport, dst: f.src, dport: f.sport });
  const refused: L4 = { src: '127.0.0.1', sport: 50001, dst: '127.0.0.1', dport: 9 };
  send(refused, { seq: 1, flags: SYN }, 100);
  send(rev(refused), { seq: 0, ack: 2, flags: RST | ACK }, 100.1);
  const dropped: L4 = { src: '10.202.0.1', sport: 50002, dst: '10.202.1.1', dport: 443 };
  send(dropped, { seq: 7, flags: SYN }, 200);
  send(dropped, { seq: 7, flags: SYN }, 1200);
  const v6: L4 = { src: '::1', sport: 50003, dst: '::1', dport: 8080 };
  send(v6, { seq: 10, flags: SYN }, 300);
  send(rev(v6), { seq: 90, ack: 11, flags: SYN | ACK }, 300.2);
  send(v6, { seq: 11, ack: 91, flags: ACK | PSH, payload: Buffer.from('hello') }, 301);
  send(v6, { seq: 11, ack: 91, flags: ACK | PSH, payload: Buffer.from('hello') }, 302);
  send(rev(v6), { seq: 91, ack: 16, flags: RST }, 303);
  dec.flush();
  const t = tcpOf(events).map((e) => ({ event: e.event, src: e.src, sport: e.sport, dst: e.dst, dport: e.dport, reason: e.reason, syn: e.syn, latencyMs: e.latencyMs && Math.round(e.latencyMs * 1000) / 1000 }));
  const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  assert.deepEqual(t.map(strip), [
    { event: 'connect', src: '127.0.0.1', sport: 50001, dst: '127.0.0.1', dport: 9 },
    { event: 'failed', src: '127.0.0.1', sport: 50001, dst: '127.0.0.1', dport: 9, reason: 'refused' },
    { event: 'connect', src: '10.202.0.1', sport: 50002, dst: '10.202.1.1', dport: 443 },
    { event: 'retransmit', src: '10.202.0.1', sport: 50002, dst: '10.202.1.1', dport: 443, syn: true },
    { event: 'connect', src: '::1', sport: 50003, dst: '::1', dport: 8080 },
    { event: 'established', src: '::1', sport: 50003, dst: '::1', dport: 8080, latencyMs: 0.2 },
    { event: 'retransmit', src: '::1', sport: 50003, dst: '::1', dport: 8080 },
    { event: 'reset', src: '::1', sport: 50003, dst: '::1', dport: 8080 },
    { event: 'failed', src: '10.202.0.1', sport: 50002, dst: '10.202.1.1', dport: 443, reason: 'timeout' },
  ]);
});

test('an unanswered connect times out once capture time passes the SYN timeout', () => {
  const { dec, events } = harness([53], { synTimeoutMs: 5000 });
  const f: L4 = { src: '10.202.0.1', sport: 50010, dst: '10.202.1.1', dport: 80 };
  dec.decode({ linkType: LinkType.RAW, ts: 0, data: ip(f, 6, tcp(f, { seq: 1, flags: SYN })), origLen: 0 });
  const other: L4 = { ...Q };
  dec.decode({ linkType: LinkType.RAW, ts: 6000, data: ip(other, 17, udp(other, query('tick.test'))), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 6001, data: ip(f, 6, tcp({ ...f, sport: 50011 }, { seq: 1, flags: SYN })), origLen: 0 });
  const failed = tcpOf(events).filter((e) => e.event === 'failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].reason, 'timeout');
  assert.equal(failed[0].sport, 50010);
});

test('the flow table is bounded: connects beyond it are counted as lost', () => {
  const events: CaptureEvent[] = [];
  const summary = emptySummary();
  const dec = createWireDecoder({ dnsPorts: [53], emit: (e) => events.push(e), summary, maxFlows: 4 });
  for (let i = 0; i < 6; i++) {
    const f: L4 = { src: '10.202.0.1', sport: 50100 + i, dst: '10.202.0.2', dport: 80 };
    dec.decode({ linkType: LinkType.RAW, ts: i, data: ip(f, 6, tcp(f, { seq: i, flags: SYN })), origLen: 0 });
  }
  assert.equal(tcpOf(events).filter((e) => e.event === 'connect').length, 4);
  assert.equal(summary.lost.tcp_flow_table_full, 2);
});

test('DNS-over-TCP reassembly is bounded: a message beyond the budget is dropped and counted', () => {
  const events: CaptureEvent[] = [];
  const summary = emptySummary();
  const dec = createWireDecoder({ dnsPorts: [53], emit: (e) => events.push(e), summary, reassemblyBudgetBytes: 100 });
  const c: L4 = { src: '10.202.0.1', sport: 41001, dst: '10.202.0.53', dport: 53 };
  const big = framed(dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'TXT', name: 'x'.repeat(60) + '.' + 'y'.repeat(60) + '.test' }] }));
  const small = framed(query('small.test', 10));
  const send = (seq: number, payload: Buffer) => dec.decode({ linkType: LinkType.RAW, ts: seq, data: ip(c, 6, tcp(c, { seq, flags: ACK | PSH, payload })), origLen: 0 });
  send(1, big.subarray(0, 50));
  send(51, big.subarray(50));
  // The lost message's length prefix still says where the next message starts.
  send(1 + big.length, small);
  dec.flush();
  assert.equal(summary.malformed.dns_tcp_buffer_limit, 1);
  assert.deepEqual(dnsOf(events).map((e) => parseDnsMessage(e.payload)).map((p) => (p.ok ? p.message.qname : p.reason)), ['small.test']);
});

test('tcpEvents: false reassembles DNS over TCP but derives no connection events', () => {
  const events: CaptureEvent[] = [];
  const dec = createWireDecoder({ dnsPorts: [53], emit: (e) => events.push(e), summary: emptySummary(), tcpEvents: false });
  const c: L4 = { src: '10.202.0.1', sport: 41002, dst: '10.202.0.53', dport: 53 };
  const other: L4 = { src: '10.202.0.1', sport: 41003, dst: '10.202.0.80', dport: 80 };
  dec.decode({ linkType: LinkType.RAW, ts: 0, data: ip(c, 6, tcp(c, { seq: 5, flags: SYN })), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 0, data: ip(other, 6, tcp(other, { seq: 5, flags: SYN })), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 1, data: ip(c, 6, tcp(c, { seq: 6, flags: ACK | PSH, payload: framed(query('quiet.test', 11)) })), origLen: 0 });
  dec.flush();
  assert.deepEqual(events.map((e) => e.type), ['dns']);
});

test('random TCP segments (flags, sequence numbers, payload bytes) never throw and stay bounded', () => {
  const { dec, events, summary } = harness([53]);
  let seed = 99;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
  const hosts = ['10.202.0.1', '10.202.0.2', '2001:db8::1', '2001:db8::2'];
  for (let i = 0; i < 20000; i++) {
    const v6 = rnd(2) === 1;
    const f: L4 = { src: hosts[rnd(2) + (v6 ? 2 : 0)], dst: hosts[rnd(2) + (v6 ? 2 : 0)], sport: [53, 1000, 1001][rnd(3)], dport: [53, 1000, 80][rnd(3)] };
    const payload = Buffer.alloc(rnd(40));
    for (let j = 0; j < payload.length; j++) payload[j] = rnd(256);
    if (payload.length >= 2 && rnd(2)) payload.writeUInt16BE(rnd(30), 0);
    dec.decode({ linkType: LinkType.RAW, ts: i * 10, data: ip(f, 6, tcp(f, { seq: rnd(200), ack: rnd(200), flags: rnd(64), payload })), origLen: 0 });
  }
  dec.flush();
  assert.ok(summary.counters.tcp_packets > 0);
  for (const e of events) assert.ok(e.type === 'tcp' || e.type === 'dns');
});

test('a DNS query carried in the SYN (TCP Fast Open) is decoded', () => {
  const { dec, events } = harness();
  const c: L4 = { src: '10.202.0.1', sport: 41004, dst: '10.202.0.53', dport: 53 };
  dec.decode({ linkType: LinkType.RAW, ts: 0, data: ip(c, 6, tcp(c, { seq: 77, flags: SYN, payload: framed(query('tfo.test', 12)) })), origLen: 0 });
  const dns = dnsOf(events);
  assert.equal(dns.length, 1);
  const p = parseDnsMessage(dns[0].payload);
  assert.ok(p.ok && p.message.qname === 'tfo.test' && dns[0].proto === 'tcp');
});

test('a late duplicate of an answered SYN is not a new connect; a new SYN on the same tuple is', () => {
  const { dec, events, summary } = harness();
  const c: L4 = { src: '10.202.0.1', sport: 41005, dst: '10.202.0.80', dport: 80 };
  const s: L4 = { src: c.dst, sport: c.dport, dst: c.src, dport: c.sport };
  const send = (f: L4, o: { seq: number; ack?: number; flags: number }, ts: number) => dec.decode({ linkType: LinkType.RAW, ts, data: ip(f, 6, tcp(f, o)), origLen: 0 });
  send(c, { seq: 10, flags: SYN }, 0);
  send(s, { seq: 50, ack: 11, flags: SYN | ACK }, 1);
  send(c, { seq: 10, flags: SYN }, 2);
  send(c, { seq: 11, ack: 51, flags: RST }, 3);
  send(c, { seq: 9000, flags: SYN }, 4);
  dec.flush();
  assert.deepEqual(tcpOf(events).map((e) => e.event), ['connect', 'established', 'reset', 'connect']);
  assert.equal(summary.counters.tcp_syn_duplicates, 1);
  assert.equal(summary.counters.tcp_connect_unanswered_at_end, 1);
});

test('ICMP destination unreachable quoting a SYN fails the connect: port → refused, host → unreachable', () => {
  const { dec, events, summary } = harness();
  const icmp = (router: string, type: number, code: number, quoted: Buffer, v6: boolean) => icmpError(router, v6 ? '2001:db8::1' : '10.202.0.1', type, code, quoted);
  const a: L4 = { src: '10.202.0.1', sport: 50200, dst: '10.202.9.9', dport: 443 };
  const b: L4 = { src: '10.202.0.1', sport: 50201, dst: '10.202.9.9', dport: 444 };
  const c: L4 = { src: '2001:db8::1', sport: 50202, dst: '2001:db8::9', dport: 443 };
  const synA = ip(a, 6, tcp(a, { seq: 1, flags: SYN }));
  const synB = ip(b, 6, tcp(b, { seq: 1, flags: SYN }));
  const synC = ip(c, 6, tcp(c, { seq: 1, flags: SYN }));
  for (const [ts, pkt] of [[0, synA], [1, synB], [2, synC]] as const) dec.decode({ linkType: LinkType.RAW, ts, data: pkt, origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 3, data: icmp('10.202.0.254', 3, 1, synA, false), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 4, data: icmp('10.202.9.9', 3, 3, synB, false), origLen: 0 });
  dec.decode({ linkType: LinkType.RAW, ts: 5, data: icmp('2001:db8::fe', 1, 3, synC, true), origLen: 0 });
  // Path-MTU messages are not errors; an unreachable for no known connect is only counted.
  dec.decode({ linkType: LinkType.RAW, ts: 6, data: icmp('10.202.0.254', 3, 4, synA, false), origLen: 0 });
  dec.flush();
  const failed = tcpOf(events).filter((e) => e.event === 'failed').map((e) => [e.dport, e.reason, e.errno, e.ts]);
  assert.deepEqual(failed, [[443, 'unreachable', 113, 3], [444, 'refused', 111, 4], [443, 'unreachable', 113, 5]]);
  assert.equal(summary.counters.icmp_other, 1);
});
