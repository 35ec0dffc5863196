// Live eBPF capture of outbound TCP: established to a loopback listener (IPv4 and IPv6, with
// latency), refused by a closed port, and timed out against an address in a network namespace
// whose traffic an iptables rule drops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import type { CaptureEvent, TcpEvent } from '../../src/events.js';
import { startLiveCapture, type LiveCaptureRun } from '../helpers/live-capture.js';

let capture: LiveCaptureRun;
const ns = `ewcap-tcp-${process.pid}`;

before(async () => {
  capture = await startLiveCapture();
});

after(async () => {
  await capture?.stop();
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // never created
  }
});

function tcpEvent(event: TcpEvent['event'], match: (ev: TcpEvent) => boolean) {
  return (ev: CaptureEvent): ev is TcpEvent => ev.type === 'tcp' && ev.event === event && match(ev);
}

async function listen(host: string): Promise<Server> {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return server;
}

async function connectOnce(host: string, port: number): Promise<{ localPort: number }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port }, () => {
      const localPort = sock.localPort ?? 0;
      sock.end();
      sock.once('close', () => resolve({ localPort }));
    });
    sock.once('error', reject);
  });
}

for (const host of ['127.0.0.1', '::1']) {
  test(`connect to a listening ${host} port: connect, established with latency, close`, async () => {
    const server = await listen(host);
    try {
      const port = (server.address() as AddressInfo).port;
      const { localPort } = await connectOnce(host, port);
      const mine = (ev: TcpEvent) => ev.dport === port && ev.sport === localPort;
      const c = await capture.waitFor(tcpEvent('connect', mine));
      assert.equal(c.pid, process.pid);
      assert.equal(c.dst, host);
      assert.equal(c.src, host);
      const est = await capture.waitFor(tcpEvent('established', mine));
      assert.ok((est.latencyMs ?? 0) > 0, 'latency is measured');
      assert.equal(est.pid, process.pid);
      assert.ok(est.ts >= c.ts);
      const closed = await capture.waitFor(tcpEvent('close', mine));
      assert.equal(closed.pid, process.pid);
    } finally {
      server.close();
    }
  });
}

test('connect to a closed port: failed, refused (errno 111), with a reset received', async () => {
  const server = await listen('127.0.0.1');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  await assert.rejects(connectOnce('127.0.0.1', port), { code: 'ECONNREFUSED' });
  const failed = await capture.waitFor(tcpEvent('failed', (ev) => ev.dport === port));
  assert.equal(failed.reason, 'refused');
  assert.equal(failed.errno, 111);
  assert.equal(failed.pid, process.pid);
  assert.ok(failed.sport > 0, 'the local port is known');
  await capture.waitFor(tcpEvent('reset', (ev) => ev.dport === port && ev.sport === failed.sport));
});

test('connect to an address whose traffic is dropped: SYN retransmits, then failed, timeout', async () => {
  const run = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...args], { stdio: 'pipe' });
  execFileSync('ip', ['netns', 'add', ns]);
  run('ip', 'link', 'set', 'lo', 'up');
  run('ip', 'addr', 'add', '10.201.0.1/16', 'dev', 'lo');
  // One SYN retry (1 s + 2 s) instead of Linux's six, in this namespace only.
  run('sysctl', '-q', '-w', 'net.ipv4.tcp_syn_retries=1');
  run('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'DROP');
  const pid = await new Promise<number>((resolve) => {
    const child = execFile('ip', ['netns', 'exec', ns, 'bash', '-c', 'exec 3<>/dev/tcp/10.201.0.1/9'], () => resolve(child.pid ?? -1));
  });
  const failed = await capture.waitFor(tcpEvent('failed', (ev) => ev.dst === '10.201.0.1' && ev.dport === 9), 15_000);
  assert.equal(failed.reason, 'timeout');
  assert.equal(failed.errno, 110);
  assert.equal(failed.pid, pid);
  assert.equal(failed.comm, 'bash');
  const retry = await capture.waitFor(tcpEvent('retransmit', (ev) => ev.dst === '10.201.0.1' && ev.sport === failed.sport));
  assert.equal(retry.syn, true);
});
