// Live capture of ICMP port-unreachable answers to DNS queries: dig asks a loopback port where
// nothing listens, the kernel answers with ICMP port unreachable, and capture turns it into a
// dns_unreachable event for dig's socket and the asking process, as replay does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import type { CaptureEvent, DnsUnreachable } from '../../src/events.js';
import { isRoot } from '../helpers/paths.js';
import { startLiveCapture } from '../helpers/live-capture.js';

/** A UDP port on 127.0.0.1 where nothing listens (bound once to find it, then closed). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a DNS query to a port where nothing listens: ICMP port unreachable, captured live as dns_unreachable', { skip: !isRoot && 'live capture needs root' }, async (t) => {
  const port = await closedPort();
  const capture = await startLiveCapture({ dnsPorts: [53, port] });
  t.after(() => capture.stop());
  const dig = execFile('dig', ['@127.0.0.2', '-p', String(port), '+time=1', '+tries=1', 'nobody.home.example'], () => undefined);
  const ev = await capture.waitFor((e: CaptureEvent): e is DnsUnreachable => e.type === 'dns_unreachable' && e.dport === port);
  assert.equal(ev.dst, '127.0.0.2');
  assert.equal(ev.reason, 'port');
  assert.equal(ev.proto, 'udp');
  const query = await capture.waitFor((e) => e.type === 'dns' && e.dir === 'query' && e.dport === port);
  assert.equal(ev.sport, query.type === 'dns' ? query.sport : -1, "the error names dig's socket");
  assert.equal(ev.comm, 'dig');
  assert.equal(ev.pid, dig.pid);
});
