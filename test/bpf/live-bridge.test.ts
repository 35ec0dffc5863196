// Live capture on a host with a bridge: a query from a network namespace crosses the veth and the
// bridge, and capture on every interface reports it once, attributed to the process in the
// namespace; the extra copies are counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import type { DnsPacket } from '../../src/events.js';
import { startLiveCapture } from '../helpers/live-capture.js';

const tag = String(process.pid % 100000);
const ns = `ewcap-br-${tag}`;
const bridge = `ewcapbr${tag}`;
const vethHost = `ewcapvh${tag}`;
const vethNs = `ewcapvn${tag}`;
let server: Socket;
let port: number;

function sh(...args: string[]): void {
  execFileSync(args[0], args.slice(1), { stdio: 'pipe' });
}

function quietly(...args: string[]): void {
  try {
    sh(...args);
  } catch {
    // already gone
  }
}

before(async () => {
  sh('ip', 'netns', 'add', ns);
  sh('ip', 'link', 'add', bridge, 'type', 'bridge');
  sh('ip', 'link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs);
  sh('ip', 'link', 'set', vethNs, 'netns', ns);
  sh('ip', 'link', 'set', vethHost, 'master', bridge);
  sh('ip', 'addr', 'add', '10.201.1.1/24', 'dev', bridge);
  sh('ip', 'link', 'set', bridge, 'up');
  sh('ip', 'link', 'set', vethHost, 'up');
  sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', '10.201.1.2/24', 'dev', vethNs);
  sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', vethNs, 'up');
  sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    server.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [{ type: 'A', name: 'bridged.example.test', ttl: 9, data: '192.0.2.9' }] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '10.201.1.1', () => r()));
  port = server.address().port;
});

after(() => {
  server?.close();
  quietly('ip', 'link', 'del', vethHost);
  quietly('ip', 'link', 'del', bridge);
  quietly('ip', 'netns', 'del', ns);
});

function digFromNamespace(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', ns, 'dig', '@10.201.1.1', '-p', String(port), '+time=2', '+tries=1', name, 'A'], (err) => (err ? reject(err) : resolve(child.pid ?? -1)));
  });
}

test('a query crossing veth and bridge is reported once, with the asking process', async () => {
  const capture = await startLiveCapture({ dnsPorts: [port] });
  let summary;
  try {
    const pid = await digFromNamespace('bridged.example.test');
    const mine = (ev: { type: string }): ev is DnsPacket => ev.type === 'dns' && ((ev as DnsPacket).dport === port || (ev as DnsPacket).sport === port);
    await capture.waitFor((ev) => mine(ev) && ev.dir === 'response');
    await new Promise((r) => setTimeout(r, 200));
    summary = await capture.stop();
    const dns = capture.events.filter(mine);
    assert.deepEqual(dns.map((e) => e.dir), ['query', 'response']);
    assert.equal(dns[0].src, '10.201.1.2');
    assert.equal(dns[0].pid, pid);
    assert.equal(dns[0].comm, 'dig');
    assert.equal(dns[1].pid, pid);
    assert.ok((summary.counters.dns_copies_on_other_interfaces ?? 0) >= 2, JSON.stringify(summary.counters));
  } finally {
    if (!summary) await capture.stop();
  }
});

test('capture on the bridge alone sees one copy of each, no filtering needed', async () => {
  const capture = await startLiveCapture({ dnsPorts: [port], interfaces: [bridge] });
  await digFromNamespace('bridged.example.test');
  await capture.waitFor((ev) => ev.type === 'dns' && ev.dir === 'response' && ev.sport === port);
  await new Promise((r) => setTimeout(r, 200));
  const summary = await capture.stop();
  const dns = capture.events.filter((ev) => ev.type === 'dns' && (ev.dport === port || ev.sport === port));
  assert.equal(dns.length, 2);
  assert.equal(summary.counters.dns_copies_on_other_interfaces, undefined);
});
