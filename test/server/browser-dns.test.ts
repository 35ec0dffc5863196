// The browser the tests start looks no name up: pages are served on loopback, and its own
// services (sign-in, updates) would otherwise ask the host's resolver for Google's names. Watched
// by live capture: every DNS query from the browser's start until a marker query this test sends
// afterwards (test files run one at a time, so nothing else is asking).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { parseDnsSummary } from '../../src/dns/message.js';
import type { CaptureEvent, DnsPacket } from '../../src/events.js';
import { launchChromium } from '../helpers/chromium.js';
import { startLiveCapture } from '../helpers/live-capture.js';
import { isRoot } from '../helpers/paths.js';

const isLoopback = (addr: string) => addr.startsWith('127.') || addr === '::1';

function queryName(ev: CaptureEvent): string | undefined {
  if (ev.type !== 'dns' || ev.dir !== 'query') return undefined;
  const s = parseDnsSummary(ev.payload);
  return s.ok ? s.summary.qname : '(unreadable)';
}

test('pages on loopback load, and no DNS query leaves loopback while the browser runs', { skip: !isRoot && 'live capture needs root' }, async (t) => {
  const capture = await startLiveCapture({ dnsPorts: [53] });
  t.after(() => capture.stop());
  const server = createServer((_req, res) => res.end('<!doctype html><title>page</title><p>served</p>')).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;

  const context = await launchChromium(t);
  const page = await context.newPage();
  for (const host of ['127.0.0.1', 'localhost']) {
    await page.goto(`http://${host}:${port}/`);
    assert.equal(await page.textContent('p'), 'served', host);
  }
  await page.close();

  // The marker: once capture has seen it, it has seen every query sent before it.
  const marker = `marker-${process.pid}.browser-dns.test`;
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: marker }] }), 53, '127.0.0.1');
  await capture.waitFor((e): e is DnsPacket => queryName(e) === marker);

  const leaked = capture.events
    .filter((e): e is DnsPacket => e.type === 'dns' && e.dir === 'query' && !isLoopback(e.dst))
    .map((e) => `${e.comm ?? '?'}[${e.pid ?? '?'}] asked ${e.dst} for ${queryName(e)}`);
  assert.deepEqual(leaked, []);
});
