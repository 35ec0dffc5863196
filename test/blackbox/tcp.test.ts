// TCP prober against loopback listeners: connect, send/expect, closed port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { probeTcp } from '../../src/blackbox/probers/tcp.js';
import { phaseGap, tcpCheck } from '../helpers/blackbox-checks.js';

const never = new AbortController().signal;

describe('tcp prober', () => {
  let server: Server;
  let port: number;
  before(async () => {
    // A line protocol: greets, then answers PING with PONG.
    server = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.write('220 ready\r\n');
      sock.on('data', (d) => {
        if (d.toString().startsWith('PING')) setTimeout(() => sock.write('+PONG\r\n'), 30);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  test('a plain connect passes', async () => {
    const r = await probeTcp(tcpCheck('127.0.0.1', port), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.target, `127.0.0.1:${port}`);
    assert.equal(typeof r.phases.connectMs, 'number');
  });

  test('send and expect', async () => {
    const r = await probeTcp(tcpCheck('127.0.0.1', port, { send: 'PING\r\n', expectContains: '+PONG' }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.ok(r.phases.firstByteMs !== undefined && r.phases.transferMs !== undefined);
    const { gap, tolerance } = phaseGap(r.phases);
    assert.ok(gap <= tolerance, JSON.stringify(r.phases));
    const greeting = await probeTcp(tcpCheck('127.0.0.1', port, { expectMatches: /^220 / }), never);
    assert.equal(greeting.ok, true);
  });

  test('an expectation never met times out', async () => {
    const r = await probeTcp(tcpCheck('127.0.0.1', port, { send: 'HELLO\r\n', expectContains: '+PONG', timeoutMs: 300 }), never);
    assert.equal(r.error?.kind, 'timeout');
  });

  test('a closed port is connect_refused', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await probeTcp(tcpCheck('127.0.0.1', closedPort), never);
    assert.equal(r.error?.kind, 'connect_refused');
  });
});
