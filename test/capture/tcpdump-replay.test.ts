// Replays captures that tcpdump writes during the test (loopback Ethernet pcap, its pcapng
// conversion, Linux cooked SLL and SLL2 from "any", nanosecond pcap) of real traffic: dig and
// Node's resolver against a loopback DNS server over UDP and TCP, TCP connects that are
// established (IPv4 and IPv6), refused, and timed out against a namespace whose firewall drops
// SYNs. Every replay must yield the same events, field by field. Needs root, tcpdump, dig, editcap,
// tshark.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { parseDnsMessage } from '../../src/dns/message.js';
import type { CaptureEvent, CaptureSummary, DnsPacket, TcpEvent } from '../../src/events.js';
import { startDnsTestServer, type DnsTestServer } from '../helpers/dns-test-server.js';
import { createVethNamespace, type VethNamespace } from '../helpers/veth-namespace.js';
import { isRoot, testOutputDir } from '../helpers/paths.js';
import { hasTool, startTcpdump, type TcpdumpRun } from './tcpdump-writer.js';

const skip = !isRoot
  ? 'needs root (tcpdump, network namespaces)'
  : !hasTool('tcpdump') || !hasTool('dig', '-v') || !hasTool('editcap', '--version') || !hasTool('ip', '-V') || !hasTool('iptables', '-V')
    ? 'needs tcpdump, dig, editcap (wireshark-common), ip and iptables'
    : false;

interface Expect {
  digUdpId: number;
  digTcpId: number;
  digNxId: number;
  dnsPort: number;
  tcpPort: number;
  tcpClientPort: number;
  closedPort: number;
  v6Port: number;
  v6ClientPort: number;
  nsAddr: string;
  dropPort: number;
}

function dig(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['+tries=1', '+time=3', ...args], (err, stdout) => {
      if (err) return reject(err);
      const m = /->>HEADER<<- opcode: QUERY, status: \w+, id: (\d+)/.exec(stdout);
      if (!m) return reject(new Error(`dig printed no header: ${stdout}`));
      resolve(Number(m[1]));
    });
  });
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.resume();
    });
    s.once('error', reject);
    s.listen(0, host, () => resolve(s));
  });
}

/** Connects, then closes cleanly from the client side; resolves with the client's port. */
function connectAndClose(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host, port }, () => {
      const local = sock.localPort!;
      sock.end();
      sock.once('close', () => resolve(local));
    });
    sock.once('error', reject);
  });
}

function connectError(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      resolve('timeout');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    sock.once('connect', () => {
      sock.destroy();
      resolve('connected');
    });
  });
}

/** Loopback packets of a capture that can make an event (not bare ACKs), counted by tshark. */
function loopbackPackets(file: string): number {
  const filter = '(ip.addr == 127.0.0.1 or ipv6.addr == ::1) and (udp or tcp.len > 0 or tcp.flags.syn == 1 or tcp.flags.fin == 1 or tcp.flags.reset == 1)';
  const out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean).length;
}

async function replay(file: string, dnsPort: number): Promise<{ events: CaptureEvent[]; summary: CaptureSummary }> {
  const events: CaptureEvent[] = [];
  const summary = await createPcapSource(file, { dnsPorts: [53, dnsPort] }).run((b) => { events.push(...b); });
  return { events, summary };
}

/** What must be identical whatever the capture format: everything but times and interface. */
function comparable(ev: CaptureEvent): string {
  if (ev.type === 'dns') {
    const p = parseDnsMessage(ev.payload);
    const m = p.ok ? `${p.message.id} ${p.message.qname} ${p.message.qtype} ${ev.dir === 'response' ? p.message.rcode : ''}` : p.reason;
    return `dns ${ev.dir} ${ev.proto} ${ev.src}:${ev.sport} > ${ev.dst}:${ev.dport} ${m}`;
  }
  if (ev.type === 'tcp') return `tcp ${ev.event} ${ev.src}:${ev.sport} > ${ev.dst}:${ev.dport} ${ev.reason ?? ''}${ev.syn ? 'syn' : ''}`;
  return ev.type;
}

describe('replay of captures written by tcpdump', { skip }, () => {
  const dir = testOutputDir('pcap-replay');
  let ns: VethNamespace | undefined;
  let nsAddr = '';
  const files = { lo: join(dir, 'lo.pcap'), loNg: join(dir, 'lo.pcapng'), sll: join(dir, 'any-sll.pcap'), sll2: join(dir, 'any-sll2.pcap'), nano: join(dir, 'lo-nano.pcap') };
  let dns: DnsTestServer;
  const servers: Server[] = [];
  const dumps: TcpdumpRun[] = [];
  /** tcpdump's closing counts per file, for the message when a capture comes out short. */
  const counts = new Map<string, string>();
  let ex: Expect;
  let v6 = true;

  /** Captures the scenario's traffic in every format at once; returns what the replays must show. */
  async function captureTraffic(filter: string, tcpPort: number, closedPort: number, v6Port: number): Promise<Expect> {
    dumps.push(await startTcpdump(files.lo, ['-i', 'lo'], filter));
    dumps.push(await startTcpdump(files.sll, ['-i', 'any', '-y', 'LINUX_SLL'], filter));
    dumps.push(await startTcpdump(files.sll2, ['-i', 'any', '-y', 'LINUX_SLL2'], filter));
    dumps.push(await startTcpdump(files.nano, ['-i', 'lo', '--time-stamp-precision=nano'], filter));

    const at = ['@127.0.0.1', '-p', String(dns.port)];
    const digUdpId = await dig([...at, 'a.test', 'A']);
    const digTcpId = await dig(['+tcp', ...at, 'b.test', 'A']);
    const digNxId = await dig([...at, 'nx.test', 'A']);
    const resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.port}`]);
    assert.deepEqual(await resolver.resolve4('node.test'), ['192.0.2.12']);
    const tcpClientPort = await connectAndClose('127.0.0.1', tcpPort);
    assert.equal(await connectError('127.0.0.1', closedPort, 3000), 'ECONNREFUSED');
    const v6ClientPort = v6 ? await connectAndClose('::1', v6Port) : 0;
    // Linux retries the SYN after 1 s: by 2.5 s the capture holds two SYNs and no answer.
    assert.equal(await connectError(nsAddr, 81, 2500), 'timeout');
    assert.equal(await connectError(nsAddr, 82, 3000), 'EHOSTUNREACH');
    await new Promise((r) => setTimeout(r, 500));
    counts.clear();
    for (const d of dumps.splice(0)) counts.set(d.file, await d.stop());
    execFileSync('editcap', ['-F', 'pcapng', files.lo, files.loNg]);
    return { digUdpId, digTcpId, digNxId, dnsPort: dns.port, tcpPort, tcpClientPort, closedPort, v6Port, v6ClientPort, nsAddr, dropPort: 81 };
  }

  before(async () => {
    ns = createVethNamespace('ewpcap', '10.202');
    nsAddr = ns.address;
    ns.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '81', '-j', 'DROP');
    // Port 82 answers the SYN with an ICMP host-unreachable error instead.
    ns.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '82', '-j', 'REJECT', '--reject-with', 'icmp-host-unreachable');

    dns = await startDnsTestServer({
      'a.test': { answers: [{ type: 'A', name: 'a.test', ttl: 60, data: '192.0.2.10' }] },
      'b.test': { answers: [{ type: 'A', name: 'b.test', ttl: 30, data: '192.0.2.11' }] },
      'node.test': { answers: [{ type: 'A', name: 'node.test', ttl: 5, data: '192.0.2.12' }] },
    });
    assert.ok(dns.tcpAvailable, 'the DNS test server needs its TCP port');
    const tcpServer = await listen('127.0.0.1');
    servers.push(tcpServer);
    const closed = await listen('127.0.0.1');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    let v6Server: Server | undefined;
    try {
      v6Server = await listen('::1');
      servers.push(v6Server);
    } catch {
      v6 = false;
    }
    const v6Port = v6Server ? (v6Server.address() as AddressInfo).port : 0;
    const tcpPort = (tcpServer.address() as AddressInfo).port;

    // Only this test's ports: other tests may be using loopback at the same time.
    // Loopback addresses too: "any" also sees other interfaces, where unrelated traffic may use the same port numbers.
    const filter = `((host 127.0.0.1 or host ::1) and (port ${dns.port} or port ${tcpPort} or port ${closedPort}${v6 ? ` or port ${v6Port}` : ''})) or host ${nsAddr}`;
    // Should tcpdump drop packets all the same (see startTcpdump), the traffic is captured again
    // until every file holds every loopback packet that makes an event, as counted by tshark, so
    // a difference left is the replay's.
    for (let attempt = 1; ; attempt++) {
      ex = await captureTraffic(filter, tcpPort, closedPort, v6Port);
      const expected = loopbackPackets(files.lo);
      const found = [files.sll, files.sll2, files.nano].map((f) => ({ f, n: loopbackPackets(f) }));
      const short = found.filter(({ n }) => n !== expected);
      if (short.length === 0) break;
      const report = short.map(({ f, n }) => `${f} (${n} of ${expected}; tcpdump: ${counts.get(f)})`);
      if (attempt === 5) throw new Error(`tcpdump lost loopback packets on ${attempt} attempts in ${report.join('; ')}`);
      process.stderr.write(`tcpdump replay: capture ${attempt} came out short, capturing again: ${report.join('; ')}\n`);
      // Drops came in streaks, while the disk was busy after earlier tests: let it pass.
      await new Promise((r) => setTimeout(r, 2000));
    }
  });

  after(async () => {
    for (const d of dumps) await d.stop();
    for (const s of servers) s.close();
    await dns?.close();
    ns?.remove();
  });

  test('loopback pcap: DNS over UDP and TCP from dig and Node, field by field', async () => {
    const { events, summary } = await replay(files.lo, ex.dnsPort);
    const dnsEvents = events.filter((e): e is DnsPacket => e.type === 'dns');
    const decoded = dnsEvents.map((e) => ({ e, m: parseDnsMessage(e.payload) }));
    const find = (id: number, dir: string, proto: string) => {
      const hit = decoded.filter(({ e, m }) => m.ok && m.message.id === id && e.dir === dir && e.proto === proto);
      assert.equal(hit.length, 1, `one ${dir} with id ${id} over ${proto}`);
      return hit[0];
    };
    const q = find(ex.digUdpId, 'query', 'udp');
    assert.deepEqual({ src: q.e.src, dst: q.e.dst, dport: q.e.dport, pid: q.e.pid, comm: q.e.comm }, { src: '127.0.0.1', dst: '127.0.0.1', dport: ex.dnsPort, pid: undefined, comm: undefined });
    assert.ok(q.m.ok && q.m.message.qname === 'a.test' && q.m.message.qtype === 'A');
    const r = find(ex.digUdpId, 'response', 'udp');
    assert.deepEqual({ src: r.e.src, sport: r.e.sport, dst: r.e.dst, dport: r.e.dport }, { src: '127.0.0.1', sport: ex.dnsPort, dst: '127.0.0.1', dport: q.e.sport });
    assert.ok(r.m.ok);
    assert.equal(r.m.message.rcode, 'NOERROR');
    assert.deepEqual(r.m.message.answers, [{ name: 'a.test', type: 'A', ttl: 60, data: '192.0.2.10' }]);
    assert.ok(r.e.ts >= q.e.ts);

    const tq = find(ex.digTcpId, 'query', 'tcp');
    assert.ok(tq.m.ok && tq.m.message.qname === 'b.test');
    const tr = find(ex.digTcpId, 'response', 'tcp');
    assert.ok(tr.m.ok);
    assert.deepEqual(tr.m.message.answers, [{ name: 'b.test', type: 'A', ttl: 30, data: '192.0.2.11' }]);
    assert.equal(tr.e.dport, tq.e.sport);

    const nx = find(ex.digNxId, 'response', 'udp');
    assert.ok(nx.m.ok && nx.m.message.rcode === 'NXDOMAIN' && nx.m.message.qname === 'nx.test' && nx.m.message.answers.length === 0);

    const fromNode = decoded.filter(({ m }) => m.ok && m.message.qname === 'node.test');
    assert.deepEqual(fromNode.map(({ e }) => e.dir), ['query', 'response']);
    const nodeAnswer = fromNode[1].m;
    assert.ok(nodeAnswer.ok && nodeAnswer.message.answers[0].data === '192.0.2.12');

    assert.equal(dnsEvents.length, 8);
    assert.equal(summary.events.dns, 8);
    assert.deepEqual(summary.malformed, {});
  });

  test('loopback pcap: TCP established (IPv4, IPv6) with latency, refused, closes', async () => {
    const { events } = await replay(files.lo, ex.dnsPort);
    const tcp = events.filter((e): e is TcpEvent => e.type === 'tcp');
    const of = (dport: number) => tcp.filter((e) => e.dport === dport).map((e) => ({ ...e, ts: 0, latencyMs: e.latencyMs === undefined ? undefined : e.latencyMs > 0 }));
    const flow = { src: '127.0.0.1', sport: ex.tcpClientPort, dst: '127.0.0.1', dport: ex.tcpPort };
    assert.deepEqual(of(ex.tcpPort), [
      { type: 'tcp', ts: 0, event: 'connect', ...flow, latencyMs: undefined },
      { type: 'tcp', ts: 0, event: 'established', ...flow, latencyMs: true },
      { type: 'tcp', ts: 0, event: 'close', ...flow, latencyMs: undefined },
    ]);
    const refused = of(ex.closedPort);
    assert.deepEqual(refused.map((e) => [e.event, e.reason, e.errno, e.src, e.dst]), [
      ['connect', undefined, undefined, '127.0.0.1', '127.0.0.1'],
      ['failed', 'refused', 111, '127.0.0.1', '127.0.0.1'],
    ]);
    if (v6) {
      assert.deepEqual(of(ex.v6Port).map((e) => [e.event, e.src, e.sport, e.dst, e.latencyMs]), [
        ['connect', '::1', ex.v6ClientPort, '::1', undefined],
        ['established', '::1', ex.v6ClientPort, '::1', true],
        ['close', '::1', ex.v6ClientPort, '::1', undefined],
      ]);
    }
    // dig +tcp opened a connection to the DNS port too.
    assert.deepEqual(tcp.filter((e) => e.dport === ex.dnsPort).map((e) => e.event), ['connect', 'established', 'close']);
    const est = tcp.find((e) => e.event === 'established' && e.dport === ex.tcpPort)!;
    const conn = tcp.find((e) => e.event === 'connect' && e.dport === ex.tcpPort)!;
    assert.ok(Math.abs(est.latencyMs! - (est.ts - conn.ts)) < 0.002);
  });

  test('SLL and SLL2 captures of "any": the same loopback events plus the timed-out and ICMP-rejected connects', async () => {
    const lo = (await replay(files.lo, ex.dnsPort)).events.map(comparable);
    const loIfindex = Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8'));
    for (const file of [files.sll, files.sll2]) {
      const { events, summary } = await replay(file, ex.dnsPort);
      const timeout = events.filter((e): e is TcpEvent => e.type === 'tcp' && e.dst === ex.nsAddr && e.dport === 81);
      const rejected = events.filter((e): e is TcpEvent => e.type === 'tcp' && e.dst === ex.nsAddr && e.dport === 82);
      const seen = `${file}:\n${events.map(comparable).join('\n')}\n${JSON.stringify(summary)}`;
      assert.deepEqual(rejected.map((e) => [e.event, e.reason, e.errno]), [['connect', undefined, undefined], ['failed', 'unreachable', 113]], seen);
      // How many SYN retries fit in 2.5 s depends on the kernel (tcp_syn_linear_timeouts): at least one.
      const retries = timeout.length - 2;
      assert.ok(retries >= 1, seen);
      assert.deepEqual(timeout.map((e) => [e.event, e.dport, e.reason, e.errno, e.syn]), [
        ['connect', 81, undefined, undefined, undefined],
        ...Array.from({ length: retries }, () => ['retransmit', 81, undefined, undefined, true]),
        ['failed', 81, 'timeout', 110, undefined],
      ], seen);
      assert.equal(timeout[0].src, `10.202.${ex.nsAddr.split('.')[2]}.1`, seen);
      const rest = events.filter((e) => !(e.type === 'tcp' && e.dst === ex.nsAddr));
      assert.deepEqual(rest.map(comparable), lo, `${file}: same events as the loopback capture, no duplicates`);
      assert.deepEqual(summary.malformed, {}, seen);
      if (file === files.sll2) {
        for (const e of rest) if (e.type === 'dns') assert.equal(e.ifindex, loIfindex);
      }
    }
  });

  test('pcapng (editcap) and nanosecond pcap replay to the same events and times', async () => {
    const lo = await replay(files.lo, ex.dnsPort);
    for (const file of [files.loNg, files.nano]) {
      const other = await replay(file, ex.dnsPort);
      assert.deepEqual(other.events.map(comparable), lo.events.map(comparable), file);
      assert.deepEqual(other.summary.events, lo.summary.events);
    }
    const ng = await replay(files.loNg, ex.dnsPort);
    assert.deepEqual(ng.events.map((e) => e.ts), lo.events.map((e) => e.ts));
  });

  test('egresswatch capture --pcap --json prints the output contract and a summary line', async () => {
    const { captureCommand } = await import('../../src/cli/capture-command.js');
    const { PassThrough } = await import('node:stream');
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const code = await captureCommand.run({ values: { pcap: files.sll, json: true, 'dns-port': [String(ex.dnsPort)] }, positionals: [], io: { stdout, stderr: new PassThrough() }, signal: new AbortController().signal });
    assert.equal(code, 0);
    const lines = Buffer.concat(chunks).toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.deepEqual(summary.events, { dns: 8, tcp: lines.filter((l) => l.type === 'tcp').length });
    assert.equal(summary.parseErrors, 0);
    assert.equal(summary.lostRecords, 0);
    const answer = lines.find((l) => l.type === 'dns' && l.qname === 'a.test' && l.dir === 'response')!;
    assert.deepEqual(Object.keys(answer).filter((k) => !['tsMs', 'tc'].includes(k)).sort(), ['answers', 'dir', 'dport', 'dst', 'id', 'opcode', 'proto', 'qname', 'qtype', 'rcode', 'sport', 'src', 'ts', 'type'].sort());
    assert.match(String(answer.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(answer.id, ex.digUdpId);
    assert.deepEqual(answer.answers, [{ name: 'a.test', type: 'A', ttl: 60, data: '192.0.2.10' }]);
    const timedOut = lines.find((l) => l.type === 'tcp' && l.event === 'failed' && l.reason === 'timeout')!;
    assert.deepEqual([timedOut.dst, timedOut.dport], [ex.nsAddr, 81]);
    const established = lines.find((l) => l.type === 'tcp' && l.event === 'established')!;
    assert.equal(typeof established.latencyMs, 'number');
  });
});
