// HTTP(S) prober against real servers on loopback: statuses, bodies, redirects, TLS certificates
// from a test CA, HTTP/2, a check's own resolver, a CONNECT proxy; phases and error kinds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';
import { probeHttp } from '../../src/blackbox/probers/http.js';
import type { ProbeResult } from '../../src/events.js';
import { httpCheck, phaseGap } from '../helpers/blackbox-checks.js';
import { startDnsTestServer, type DnsTestServer } from '../helpers/dns-test-server.js';
import { createTestCa, hasOpenssl, type TestCa } from '../helpers/test-ca.js';

const never = new AbortController().signal;
const DAY = 86_400_000;

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function assertPhases(r: ProbeResult, expected: (keyof ProbeResult['phases'])[]): void {
  for (const k of expected) assert.equal(typeof r.phases[k], 'number', `${k} present in ${JSON.stringify(r.phases)}`);
  const { sum, gap, tolerance } = phaseGap(r.phases);
  assert.ok(gap <= tolerance, `phases sum ${sum.toFixed(3)} vs total ${r.phases.totalMs} (gap ${gap.toFixed(3)} > ${tolerance.toFixed(3)})`);
}

function app(): Server {
  return createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const delay = Number(url.searchParams.get('delay') ?? 0);
    setTimeout(() => {
      switch (url.pathname) {
        case '/ok': res.setHeader('x-ew', 'yes'); res.end('service ok'); break;
        case '/json': res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ status: { state: 'up' }, items: [{ id: 7 }] })); break;
        case '/fail': res.statusCode = 503; res.end('down'); break;
        case '/redirect': res.writeHead(302, { location: '/ok' }); res.end(); break;
        case '/loop': res.writeHead(302, { location: '/loop' }); res.end(); break;
        case '/ftp': res.writeHead(301, { location: 'ftp://files.blackbox.test/x' }); res.end(); break;
        case '/echo': { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => res.end(`${req.method} ${req.headers['x-token'] ?? ''} ${b}`)); break; }
        default: res.statusCode = 404; res.end('nope');
      }
    }, delay);
  });
}

describe('http prober, plain HTTP', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = app();
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a healthy endpoint passes with consistent phases', async () => {
    const r = await probeHttp(httpCheck(`${base}/ok`, { expect: { bodyContains: ['ok'], headers: [{ name: 'X-EW', equals: 'yes' }] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.status, 200);
    assert.equal(r.httpVersion, '1.1');
    assert.equal(r.ip, '127.0.0.1');
    assert.equal(r.phases.dnsMs, 0, 'an IP literal needs no DNS');
    assert.equal(r.phases.tlsMs, undefined);
    assertPhases(r, ['connectMs', 'firstByteMs', 'transferMs', 'totalMs']);
  });

  test('a slow response shows in time to first byte', async () => {
    const r = await probeHttp(httpCheck(`${base}/ok?delay=150`), never);
    assert.equal(r.ok, true);
    assert.ok(r.phases.firstByteMs! >= 149, `firstByte ${r.phases.firstByteMs}`);
    assertPhases(r, ['firstByteMs']);
  });

  test('a response slower than the timeout is a timeout', async () => {
    const r = await probeHttp(httpCheck(`${base}/ok?delay=1500`, { timeoutMs: 300 }), never);
    assert.equal(r.ok, false);
    assert.equal(r.error?.kind, 'timeout');
    assert.ok(r.phases.totalMs >= 299 && r.phases.totalMs < 1500, `total ${r.phases.totalMs}`);
    assertPhases(r, ['firstByteMs']);
  });

  test('maxMs turns a slow success into an assertion failure', async () => {
    const r = await probeHttp(httpCheck(`${base}/ok?delay=100`, { maxMs: 20 }), never);
    assert.equal(r.error?.kind, 'assertion');
    assert.match(r.error!.message, /more than maxMs 20/);
  });

  test('an unexpected status is http_status', async () => {
    const r = await probeHttp(httpCheck(`${base}/fail`), never);
    assert.equal(r.status, 503);
    assert.deepEqual(r.error, { kind: 'http_status', message: 'status 503, expected 200-299' });
    const accepted = await probeHttp(httpCheck(`${base}/fail`, { expect: { status: [503] } }), never);
    assert.equal(accepted.ok, true);
  });

  test('body, regex, JSON path and header assertions', async () => {
    const wrongBody = await probeHttp(httpCheck(`${base}/ok`, { expect: { bodyContains: ['healthy'] } }), never);
    assert.deepEqual(wrongBody.error, { kind: 'assertion', message: 'body does not contain "healthy"' });
    const notContains = await probeHttp(httpCheck(`${base}/ok`, { expect: { bodyNotContains: ['ok'] } }), never);
    assert.equal(notContains.error?.kind, 'assertion');
    const regex = await probeHttp(httpCheck(`${base}/ok`, { expect: { bodyMatches: [/^service \w+$/] } }), never);
    assert.equal(regex.ok, true);
    const json = await probeHttp(httpCheck(`${base}/json`, { expect: { json: [{ path: 'status.state', equals: 'up' }, { path: '$.items[0].id', equals: 7 }] } }), never);
    assert.equal(json.ok, true, JSON.stringify(json.error));
    const jsonWrong = await probeHttp(httpCheck(`${base}/json`, { expect: { json: [{ path: 'status.state', equals: 'down' }] } }), never);
    assert.deepEqual(jsonWrong.error, { kind: 'assertion', message: 'JSON status.state is "\\"up\\"", expected "\\"down\\""' });
    const notJson = await probeHttp(httpCheck(`${base}/ok`, { expect: { json: [{ path: 'a', equals: 1 }] } }), never);
    assert.match(notJson.error!.message, /^body is not JSON/);
    const header = await probeHttp(httpCheck(`${base}/ok`, { expect: { headers: [{ name: 'x-ew', matches: /^no$/ }] } }), never);
    assert.equal(header.error?.kind, 'assertion');
    const absent = await probeHttp(httpCheck(`${base}/ok`, { expect: { headers: [{ name: 'x-missing' }] } }), never);
    assert.deepEqual(absent.error, { kind: 'assertion', message: 'header x-missing missing' });
  });

  test('method, headers and body are sent', async () => {
    const r = await probeHttp(httpCheck(`${base}/echo`, { method: 'POST', headers: { 'x-token': 't1' }, body: 'ping', expect: { bodyContains: ['POST t1 ping'] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
  });

  test('redirects are followed, or not, as configured', async () => {
    const followed = await probeHttp(httpCheck(`${base}/redirect`, { expect: { bodyContains: ['ok'] } }), never);
    assert.equal(followed.ok, true);
    assert.equal(followed.status, 200);
    const kept = await probeHttp(httpCheck(`${base}/redirect`, { followRedirects: false }), never);
    assert.equal(kept.status, 302);
    assert.equal(kept.error?.kind, 'http_status');
    const loop = await probeHttp(httpCheck(`${base}/loop`, { maxRedirects: 3 }), never);
    assert.deepEqual(loop.error, { kind: 'protocol', message: 'more than 3 redirects' });
    const ftp = await probeHttp(httpCheck(`${base}/ftp`), never);
    assert.deepEqual(ftp.error, { kind: 'protocol', message: 'redirect to unsupported scheme "ftp:"' });
    // Phases add up over the hops.
    assertPhases(followed, ['connectMs', 'firstByteMs', 'transferMs']);
  });

  test('every run of a check opens and times its own connection, also runs side by side and after a timeout', async () => {
    let stall = false;
    // The connections that carried a request: a reused one would count once for several runs.
    const connections = new Set<Socket>();
    const own = createHttpServer((req, res) => {
      connections.add(req.socket);
      setTimeout(() => res.end('ok'), stall ? 1500 : 0);
    });
    const port = await listen(own);
    try {
      const check = httpCheck(`http://127.0.0.1:${port}/`, { timeoutMs: 300, expect: { bodyContains: ['ok'] } });
      for (let i = 0; i < 3; i++) {
        const r = await probeHttp(check, never);
        assert.equal(r.ok, true, JSON.stringify(r.error));
        assert.equal(typeof r.phases.connectMs, 'number');
      }
      const both = await Promise.all([probeHttp(check, never), probeHttp(check, never)]);
      for (const r of both) assert.equal(r.ok, true, JSON.stringify(r.error));
      stall = true;
      assert.equal((await probeHttp(check, never)).error?.kind, 'timeout');
      stall = false;
      const again = await probeHttp(check, never);
      assert.equal(again.ok, true, JSON.stringify(again.error));
      assert.equal(connections.size, 7, 'one connection per run');
    } finally {
      own.closeAllConnections();
      own.close();
    }
  });

  test('a closed port is connect_refused', async () => {
    const probe = createTcpServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const r = await probeHttp(httpCheck(`http://127.0.0.1:${port}/`), never);
    assert.equal(r.error?.kind, 'connect_refused');
    assert.equal(r.ip, '127.0.0.1');
    assertPhases(r, ['connectMs']);
  });
});

describe('http prober, HTTPS with a test CA', { skip: hasOpenssl() ? false : 'openssl not installed' }, () => {
  let ca: TestCa;
  const servers: { close(): void; closeAllConnections?: () => void }[] = [];
  const ports: Record<string, number> = {};
  let dns: DnsTestServer;

  before(async () => {
    ca = createTestCa();
    const certs = {
      valid: ca.issue({ names: ['web.blackbox.test', '127.0.0.1'] }),
      expired: ca.issue({ names: ['127.0.0.1'], notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) }),
      wrongName: ca.issue({ names: ['other.blackbox.test'] }),
      selfSigned: ca.selfSigned(['127.0.0.1']),
    };
    for (const [name, c] of Object.entries(certs)) {
      const s = createHttpsServer({ key: c.key, cert: c.cert }, (_req, res) => res.end('secure ok'));
      servers.push(s);
      ports[name] = await listen(s);
    }
    const h2 = createSecureServer({ key: certs.valid.key, cert: certs.valid.cert, allowHTTP1: true }, (_req, res) => res.end('h2 ok'));
    servers.push(h2);
    ports.h2 = await listen(h2);
    dns = await startDnsTestServer({ 'web.blackbox.test': { answers: [{ type: 'A', name: 'web.blackbox.test', ttl: 60, data: '127.0.0.1' }] } });
  });
  after(async () => {
    for (const s of servers) {
      s.closeAllConnections?.();
      s.close();
    }
    await dns?.close();
    ca?.remove();
  });

  const tls = () => ({ ca: ca.caCert, insecureSkipVerify: false });

  test('a valid certificate passes, with TLS phase, version and expiry', async () => {
    const r = await probeHttp(httpCheck(`https://127.0.0.1:${ports.valid}/`, { tls: tls(), expect: { bodyContains: ['secure ok'] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.match(r.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.ok(r.certExpiryDays! >= 88 && r.certExpiryDays! <= 90, `expiry ${r.certExpiryDays}`);
    assertPhases(r, ['connectMs', 'tlsMs', 'firstByteMs', 'transferMs']);
  });

  test('expired, wrong-hostname and self-signed certificates are tls errors', async () => {
    const expired = await probeHttp(httpCheck(`https://127.0.0.1:${ports.expired}/`, { tls: tls() }), never);
    assert.equal(expired.error?.kind, 'tls');
    assert.match(expired.error!.message, /CERT_HAS_EXPIRED|expired/i);
    const wrong = await probeHttp(httpCheck(`https://127.0.0.1:${ports.wrongName}/`, { tls: tls() }), never);
    assert.equal(wrong.error?.kind, 'tls');
    assert.match(wrong.error!.message, /ERR_TLS_CERT_ALTNAME_INVALID|does not match|altnames/i);
    const self = await probeHttp(httpCheck(`https://127.0.0.1:${ports.selfSigned}/`, { tls: tls() }), never);
    assert.equal(self.error?.kind, 'tls');
    assert.match(self.error!.message, /self.signed|DEPTH_ZERO/i);
    assertPhases(self, ['connectMs', 'tlsMs']);
    const skipped = await probeHttp(httpCheck(`https://127.0.0.1:${ports.selfSigned}/`, { tls: { insecureSkipVerify: true } }), never);
    assert.equal(skipped.ok, true, JSON.stringify(skipped.error));
  });

  test('a name is resolved through the check\'s own resolver and matched against the certificate', async () => {
    const r = await probeHttp(httpCheck(`https://web.blackbox.test:${ports.valid}/`, { tls: tls(), resolver: { host: dns.host, port: dns.port } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.ip, '127.0.0.1');
    assert.ok(dns.queries.includes('web.blackbox.test A'));
    assert.ok(r.phases.dnsMs! > 0);
    assertPhases(r, ['dnsMs', 'connectMs', 'tlsMs', 'firstByteMs']);
    const missing = await probeHttp(httpCheck(`https://nowhere.blackbox.test:${ports.valid}/`, { tls: tls(), resolver: { host: dns.host, port: dns.port } }), never);
    assert.equal(missing.error?.kind, 'dns');
    assert.match(missing.error!.message, /NXDOMAIN/);
  });

  test('HTTP/2 is negotiated when offered', async () => {
    const r = await probeHttp(httpCheck(`https://127.0.0.1:${ports.h2}/`, { tls: tls(), http2: true, expect: { httpVersion: '2', bodyContains: ['h2 ok'] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.httpVersion, '2');
    // The request write is seen on HTTP/2 too: time to first byte is present and phases add up.
    assertPhases(r, ['tlsMs', 'firstByteMs', 'totalMs']);
    const h1 = await probeHttp(httpCheck(`https://127.0.0.1:${ports.h2}/`, { tls: tls() }), never);
    assert.equal(h1.httpVersion, '1.1');
  });

  test('through a CONNECT proxy', async () => {
    const tunnels: string[] = [];
    const proxy = createTcpServer((client: Socket) => {
      client.once('data', (head: Buffer) => {
        const m = /^CONNECT (127\.0\.0\.1):(\d+) HTTP\/1\.1\r\n/.exec(head.toString('latin1'));
        // Only loopback targets: the test proxy never reaches anything else.
        if (!m || Number(m[2]) === ports.expired) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        tunnels.push(`${m[1]}:${m[2]}`);
        const upstream = connect(Number(m[2]), m[1], () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
    const proxyPort = await listen(proxy);
    try {
      const r = await probeHttp(httpCheck(`https://127.0.0.1:${ports.valid}/`, { tls: tls(), proxy: `http://127.0.0.1:${proxyPort}` }), never);
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.deepEqual(tunnels, [`127.0.0.1:${ports.valid}`]);
      assert.equal(r.ip, undefined, 'behind a proxy the endpoint address is unknown');
      assertPhases(r, ['connectMs', 'tlsMs', 'firstByteMs']);
      const refused = await probeHttp(httpCheck(`https://127.0.0.1:${ports.expired}/`, { tls: tls(), proxy: `http://127.0.0.1:${proxyPort}` }), never);
      assert.equal(refused.error?.kind, 'proxy');
      assert.match(refused.error!.message, /403/);
    } finally {
      proxy.close();
    }
  });
});

test('IPv6 literal URLs: bracketed host, plain address in the result', async (t) => {
  const server = app();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (!ok) return t.skip('no IPv6 loopback');
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await probeHttp(httpCheck(`http://[::1]:${port}/ok`, { expect: { bodyContains: ['ok'] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.ip, '::1');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
