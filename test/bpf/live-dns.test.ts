// Live eBPF capture of DNS on loopback: queries from dig (UDP and TCP) and from Node's resolver
// to an in-process DNS server; asserts names, types, ids, rcodes, answers and the asking process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { eventToJson } from '../../src/cli/event-json.js';
import { emptySummary, type CaptureEvent, type DnsPacket } from '../../src/events.js';
import { startDnsTestServer, type DnsTestServer } from '../helpers/dns-test-server.js';
import { startLiveCapture, type LiveCaptureRun } from '../helpers/live-capture.js';

let server: DnsTestServer;
let capture: LiveCaptureRun;

before(async () => {
  server = await startDnsTestServer({
    'www.example.test': { answers: [{ type: 'A', name: 'www.example.test', ttl: 300, data: '192.0.2.10' }] },
    'v6.example.test': { answers: [{ type: 'AAAA', name: 'v6.example.test', ttl: 60, data: '2001:db8::1' }] },
    'missing.example.test': { rcode: 'NXDOMAIN' },
    // About 10 kB of TXT: over TCP on loopback it travels in one large segment.
    'big.example.test': { answers: Array.from({ length: 40 }, (_, i) => ({ type: 'TXT' as const, name: 'big.example.test', ttl: 60, data: [`${i}`.padStart(3, '0') + 'x'.repeat(250)] })) },
  });
  capture = await startLiveCapture({ dnsPorts: [53, server.port] });
});

after(async () => {
  const summary = await capture?.stop();
  await server?.close();
  if (summary) assert.equal(summary.lost.ringbuf_packets, 0);
});

/** The JSON output contract of one DNS packet (parsed payload). */
function json(ev: CaptureEvent): Record<string, unknown> {
  const out = eventToJson(ev, emptySummary());
  assert.ok(out, 'DNS payload parses');
  return out;
}

function dnsFor(qname: string, dir: 'query' | 'response', proto: 'udp' | 'tcp', sport?: number) {
  return (ev: CaptureEvent): ev is DnsPacket =>
    ev.type === 'dns' && ev.dir === dir && ev.proto === proto && json(ev).qname === qname && (sport === undefined || ev.sport === sport || ev.dport === sport);
}

function dig(args: string[]): Promise<{ pid: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('dig', [`@${server.host}`, '-p', String(server.port), '+time=2', '+tries=1', ...args], (err, stdout) => {
      if (err) reject(err);
      else resolve({ pid: child.pid ?? -1, stdout });
    });
  });
}

test('dig over UDP: query and response with id, answers and the asking process', async () => {
  const { pid, stdout } = await dig(['www.example.test', 'A']);
  assert.match(stdout, /192\.0\.2\.10/);
  const q = await capture.waitFor(dnsFor('www.example.test', 'query', 'udp'));
  const qj = json(q);
  assert.equal(qj.qtype, 'A');
  assert.equal(qj.dst, '127.0.0.1');
  assert.equal(qj.dport, server.port);
  assert.equal(qj.pid, pid);
  assert.equal(qj.comm, 'dig');
  assert.match(String(qj.cgroupId), /^\d+$/);
  const r = await capture.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && ev.dport === q.sport && json(ev).id === qj.id);
  const rj = json(r);
  assert.equal(rj.qname, 'www.example.test');
  assert.equal(rj.rcode, 'NOERROR');
  assert.equal(rj.proto, 'udp');
  assert.deepEqual(rj.answers, [{ name: 'www.example.test', type: 'A', ttl: 300, data: '192.0.2.10' }]);
  // The response reaches dig's socket: the same process is its owner.
  assert.equal(rj.pid, pid);
});

test('dig over TCP: the length-prefixed messages are reassembled, with the asking process', async () => {
  assert.ok(server.tcpAvailable, 'the test server listens on TCP');
  const { pid } = await dig(['+tcp', 'v6.example.test', 'AAAA']);
  const q = await capture.waitFor(dnsFor('v6.example.test', 'query', 'tcp'));
  const qj = json(q);
  assert.equal(qj.qtype, 'AAAA');
  assert.equal(qj.pid, pid);
  assert.equal(qj.comm, 'dig');
  const r = await capture.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && ev.proto === 'tcp' && json(ev).id === qj.id);
  const rj = json(r);
  assert.equal(rj.rcode, 'NOERROR');
  assert.deepEqual(rj.answers, [{ name: 'v6.example.test', type: 'AAAA', ttl: 60, data: '2001:db8::1' }]);
  // The connection itself is seen as TCP events of dig too.
  const est = await capture.waitFor((ev) => ev.type === 'tcp' && ev.event === 'established' && ev.sport === q.sport);
  assert.equal(est.type === 'tcp' && est.pid, pid);
});

test('dig over TCP with a 10 kB answer: the large segment is captured whole', async () => {
  const { pid, stdout } = await dig(['+tcp', 'big.example.test', 'TXT']);
  assert.match(stdout, /039x{250}/);
  const q = await capture.waitFor(dnsFor('big.example.test', 'query', 'tcp'));
  const qj = json(q);
  assert.equal(qj.pid, pid);
  const r = await capture.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && ev.proto === 'tcp' && json(ev).id === qj.id);
  assert.ok(r.type === 'dns' && r.payload.length > 10_000, 'the whole message');
  const answers = json(r).answers as { type: string; data: string }[];
  assert.equal(answers.length, 40);
  assert.ok(answers.every((a) => a.type === 'TXT'));
});

test("Node's resolver: NXDOMAIN response, attributed to this process", async () => {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`${server.host}:${server.port}`]);
  await assert.rejects(resolver.resolve4('missing.example.test'), { code: 'ENOTFOUND' });
  const q = await capture.waitFor(dnsFor('missing.example.test', 'query', 'udp'));
  const qj = json(q);
  assert.equal(qj.qtype, 'A');
  assert.equal(qj.pid, process.pid);
  assert.equal(qj.comm, readFileSync('/proc/self/comm', 'utf8').trim());
  const r = await capture.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && json(ev).id === qj.id && ev.dport === q.sport);
  const rj = json(r);
  assert.equal(rj.rcode, 'NXDOMAIN');
  assert.deepEqual(rj.answers, []);
});

test('DNS over IPv6 loopback: dig @::1 against a UDP6 server, with the asking process', async (t) => {
  const { createSocket } = await import('node:dgram');
  const dnsPacket = await import('dns-packet');
  const udp6 = createSocket('udp6');
  t.after(() => udp6.close());
  udp6.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answer = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [{ type: 'A', name: 'six.example.test', ttl: 5, data: '192.0.2.6' }] });
    udp6.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp6.bind(0, '::1', () => r()));
  const port6 = udp6.address().port;
  const extra = await startLiveCapture({ dnsPorts: [port6] });
  try {
    const pid = await new Promise<number>((resolve, reject) => {
      const child = execFile('dig', ['@::1', '-p', String(port6), '+time=2', '+tries=1', 'six.example.test', 'A'], (err) => (err ? reject(err) : resolve(child.pid ?? -1)));
    });
    const q = await extra.waitFor((ev) => ev.type === 'dns' && ev.dir === 'query' && ev.dport === port6);
    const qj = json(q);
    assert.deepEqual([qj.src, qj.dst, qj.qname, qj.pid, qj.comm], ['::1', '::1', 'six.example.test', pid, 'dig']);
    const r = await extra.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && ev.sport === port6);
    assert.deepEqual(json(r).answers, [{ name: 'six.example.test', type: 'A', ttl: 5, data: '192.0.2.6' }]);
  } finally {
    await extra.stop();
  }
});

test('a DNS query to a port nobody listens on is reported as a kernel drop', async () => {
  const { createSocket } = await import('node:dgram');
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const closedPort = probe.address().port;
  probe.close();
  // A fresh capture that treats the closed port as DNS.
  const extra = await startLiveCapture({ dnsPorts: [closedPort] });
  try {
    const sock = createSocket('udp4');
    const query = Buffer.from('abcd01000001000000000000076578616d706c6504746573740000010001', 'hex');
    await new Promise<void>((r) => sock.send(query, closedPort, '127.0.0.1', () => r()));
    sock.close();
    const drop = await extra.waitFor((ev) => ev.type === 'drop' && ev.dport === closedPort);
    assert.equal(drop.type === 'drop' && drop.reason, 'NO_SOCKET');
    assert.equal(drop.type === 'drop' && drop.proto, 'udp');
    const q = await extra.waitFor((ev) => ev.type === 'dns' && ev.dport === closedPort);
    assert.equal(json(q).id, 0xabcd);
  } finally {
    await extra.stop();
  }
});
