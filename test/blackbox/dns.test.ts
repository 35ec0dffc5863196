// DNS prober against a loopback DNS server: answers, NXDOMAIN, SERVFAIL, silence, UDP and TCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { probeDns } from '../../src/blackbox/probers/dns.js';
import { dnsCheck, phaseGap } from '../helpers/blackbox-checks.js';
import { startDnsTestServer, type DnsTestServer } from '../helpers/dns-test-server.js';

const never = new AbortController().signal;

describe('dns prober', () => {
  let dns: DnsTestServer;
  let server: { host: string; port: number };
  before(async () => {
    dns = await startDnsTestServer({
      'api.blackbox.test': { answers: [{ type: 'A', name: 'api.blackbox.test', ttl: 30, data: '192.0.2.10' }, { type: 'A', name: 'api.blackbox.test', ttl: 30, data: '192.0.2.11' }] },
      'mail.blackbox.test': { answers: [{ type: 'MX', name: 'mail.blackbox.test', ttl: 30, data: { preference: 10, exchange: 'mx1.blackbox.test' } }] },
      'txt.blackbox.test': { answers: [{ type: 'TXT', name: 'txt.blackbox.test', ttl: 30, data: ['v=spf1 ', '-all'] }] },
      'broken.blackbox.test': { rcode: 'SERVFAIL' },
      'silent.blackbox.test': { drop: true },
      'overstated.blackbox.test': { overstatedCounts: true },
    });
    server = { host: dns.host, port: dns.port };
  });
  after(() => dns.close());

  test('an answered query passes, with answers and a consistent latency', async () => {
    const r = await probeDns(dnsCheck(server, 'api.blackbox.test', { expect: { answers: ['192.0.2.11'], minAnswers: 2 } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.answers, 2);
    assert.equal(r.ip, '127.0.0.1');
    assert.equal(typeof r.phases.firstByteMs, 'number');
    const { gap, tolerance } = phaseGap(r.phases);
    assert.ok(gap <= tolerance, JSON.stringify(r.phases));
  });

  test('MX and TXT answers compare as text', async () => {
    const mx = await probeDns(dnsCheck(server, 'mail.blackbox.test', { query: { name: 'mail.blackbox.test', type: 'MX' }, expect: { answers: ['10 MX1.blackbox.test.'] } }), never);
    assert.equal(mx.ok, true, JSON.stringify(mx.error));
    const txt = await probeDns(dnsCheck(server, 'txt.blackbox.test', { query: { name: 'txt.blackbox.test', type: 'TXT' }, expect: { answers: ['v=spf1 -all'] } }), never);
    assert.equal(txt.ok, true, JSON.stringify(txt.error));
  });

  test('a missing expected answer is an assertion failure', async () => {
    const r = await probeDns(dnsCheck(server, 'api.blackbox.test', { expect: { answers: ['192.0.2.99'] } }), never);
    assert.equal(r.error?.kind, 'assertion');
    assert.match(r.error!.message, /no answer "192\.0\.2\.99" \(got "192\.0\.2\.10", "192\.0\.2\.11"\)/);
  });

  test('NXDOMAIN and SERVFAIL are dns_rcode failures unless accepted', async () => {
    const nx = await probeDns(dnsCheck(server, 'missing.blackbox.test'), never);
    assert.deepEqual(nx.error, { kind: 'dns_rcode', message: 'rcode NXDOMAIN, expected NOERROR' });
    assert.equal(nx.rcode, 'NXDOMAIN');
    const sf = await probeDns(dnsCheck(server, 'broken.blackbox.test'), never);
    assert.equal(sf.rcode, 'SERVFAIL');
    assert.equal(sf.error?.kind, 'dns_rcode');
    const accepted = await probeDns(dnsCheck(server, 'missing.blackbox.test', { expect: { rcodes: ['NXDOMAIN'] } }), never);
    assert.equal(accepted.ok, true);
  });

  test('a reply whose counts claim more records than it holds is a protocol failure', async () => {
    const r = await probeDns(dnsCheck(server, 'overstated.blackbox.test'), never);
    assert.deepEqual(r.error, { kind: 'protocol', message: 'malformed DNS reply: its counts claim more records than it holds' });
  });

  test('no answer is a timeout', async () => {
    const r = await probeDns(dnsCheck(server, 'silent.blackbox.test', { timeoutMs: 300 }), never);
    assert.equal(r.error?.kind, 'timeout');
    assert.ok(r.phases.totalMs >= 299, String(r.phases.totalMs));
  });

  test('a closed UDP port is connect_refused', async () => {
    const r = await probeDns(dnsCheck({ host: '127.0.0.1', port: 9 }, 'api.blackbox.test', { timeoutMs: 1000 }), never);
    assert.equal(r.error?.kind, 'connect_refused');
  });

  test('over TCP', async (t) => {
    if (!dns.tcpAvailable) return t.skip('TCP port taken by another process');
    const r = await probeDns(dnsCheck(server, 'api.blackbox.test', { transport: 'tcp', expect: { answers: ['192.0.2.10'] } }), never);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(typeof r.phases.connectMs, 'number');
    assert.match(r.target, /\/tcp$/);
  });
});
