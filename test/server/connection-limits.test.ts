// The status server's connection limits, with real sockets: a client over its per-client cap is
// cut off while others are served, idle connections are closed by the headers timeout, and the
// refusals are counted in /metrics.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { startTestServer } from '../helpers/status-server.js';

/** Opens a connection from `localAddress` and resolves once it is established. */
function open(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

test('status server: one client over its cap is cut off, others are still served, refusals are counted', async (t) => {
  const srv = await startTestServer({ limits: { maxConnections: 64, maxPerClient: 4, headersTimeoutMs: 60_000, requestTimeoutMs: 60_000 } });
  const sockets: Socket[] = [];
  t.after(async () => {
    sockets.forEach((s) => s.destroy());
    await srv.close();
  });
  // A flood of idle connections from one address (127.0.0.2 is loopback too).
  for (let i = 0; i < 10; i++) sockets.push(await open(srv.port, '127.0.0.2'));
  await Promise.all(sockets.slice(4).map(closed));
  assert.equal(sockets.filter((s) => !s.destroyed).length, 4, 'the first four stay, the rest are closed at once');
  const health = await fetch(`${srv.url}/healthz`);
  assert.equal(health.status, 200, 'another client is served during the flood');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /egresswatch_http_connections_refused_total\{limit="per_client",host="test-host"\} 6\n/);
  // Once the flood's connections are closed (the server hears it a moment after the client), the
  // address is served again.
  sockets.slice(0, 4).forEach((s) => s.destroy());
  for (;;) {
    const again = await open(srv.port, '127.0.0.2');
    sockets.push(again);
    again.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    let text = '';
    again.on('data', (d) => (text += String(d)));
    await closed(again);
    if (text === '') continue;
    assert.match(text, /^HTTP\/1\.1 200/);
    break;
  }
});

test('status server: a connection that never sends a request is closed after the headers timeout, with 408', async (t) => {
  const srv = await startTestServer({ limits: { maxConnections: 64, maxPerClient: 8, headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
  t.after(() => srv.close());
  const idle = await open(srv.port, '127.0.0.3');
  let text = '';
  idle.on('data', (d) => (text += String(d)));
  await closed(idle);
  assert.match(text, /^HTTP\/1\.1 408/);
  // Half a request line, never finished: the same.
  const slow = await open(srv.port, '127.0.0.3');
  slow.write('GET /heal');
  let slowText = '';
  slow.on('data', (d) => (slowText += String(d)));
  await closed(slow);
  assert.match(slowText, /^HTTP\/1\.1 408/);
});
