// `egresswatch label`: addresses from arguments, and every remote address of a capture file
// labelled with the DNS answers of the same capture; unknown addresses grouped by ASN
// organisation; untrusted names escaped in the text output.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCidr } from '../../src/external/ip/ip-address.js';
import { testOutputDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { buildAsnMmdb } from './mmdb-writer.js';
import { dnsResponse, tcpSynFrame, udpFrame, writePcap } from './pcap-fixture.js';

const dir = testOutputDir('external');
const T0 = Date.UTC(2026, 0, 1);

const run = (args: string[]) => runCli(args);

function asnDb(): string {
  const file = join(dir, 'label-asn.mmdb');
  writeFileSync(file, buildAsnMmdb([
    { cidr: parseCidr('192.0.2.0/24')!, asn: 64500, org: 'Example Transit' },
    { cidr: parseCidr('198.51.100.0/24')!, asn: 64501, org: 'Example Hosting' },
    { cidr: parseCidr('203.0.113.0/24')!, asn: 64502, org: 'Edge\u001b[31m Networks' },
  ]));
  return file;
}

test('label --json IP… prints one label per address', async () => {
  const r = await run(['label', '--json', '--asn-db', asnDb(), '--hostname', 'api.stripe.com', '192.0.2.10', '10.204.0.9']);
  assert.equal(r.code, 0, r.err);
  const [a, b] = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(a, { ip: '192.0.2.10', provider: 'stripe', hostname: 'api.stripe.com', source: 'catalogue', confidence: 0.85, service: 'api', asn: 64500, asOrg: 'Example Transit' });
  // The caller's name wins over "internal" (a private endpoint of the provider, say).
  assert.deepEqual(b, { ip: '10.204.0.9', provider: 'stripe', hostname: 'api.stripe.com', source: 'catalogue', confidence: 0.85, service: 'api' });
  const plain = await run(['label', '--json', '--asn-db', 'none', '10.204.0.9']);
  assert.deepEqual(JSON.parse(plain.out), { ip: '10.204.0.9', provider: 'internal', service: 'private', source: 'ip-ranges', confidence: 0.9 });
  const bad = await run(['label', '192.0.2.300']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not an IP address: "192\.0\.2\.300"/);
});

test('label --pcap labels every remote address with passive DNS from the capture', async () => {
  const file = join(dir, 'label-command.pcap');
  const client = '10.204.0.2';
  const resolver = '10.204.0.53';
  writePcap(file, [
    udpFrame(T0, client, 40001, resolver, 53, dnsResponse('api.stripe.com', []).fill(0, 2, 3)),
    udpFrame(T0 + 1, resolver, 53, client, 40001, dnsResponse('api.stripe.com', [
      { name: 'api.stripe.com', type: 'CNAME', ttl: 300, data: 'edge.stripe-cdn.example' },
      { name: 'edge.stripe-cdn.example', type: 'A', ttl: 300, data: '192.0.2.20' },
    ])),
    tcpSynFrame(T0 + 2, client, 50000, '192.0.2.20', 443),
    tcpSynFrame(T0 + 3, client, 50001, '192.0.2.20', 443),
    udpFrame(T0 + 4, resolver, 53, client, 40002, dnsResponse('evil.example', [{ name: 'evil\u0007.example', type: 'A', ttl: 300, data: '198.51.100.30' }])),
    tcpSynFrame(T0 + 5, client, 50002, '198.51.100.30', 443),
    tcpSynFrame(T0 + 6, client, 50003, '198.51.100.31', 5432),
    tcpSynFrame(T0 + 7, client, 50004, '203.0.113.40', 443),
  ]);
  const r = await run(['label', '--json', '--pcap', file, '--asn-db', asnDb()]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const by = new Map(lines.filter((l) => l.ip).map((l) => [l.ip, l]));
  assert.deepEqual(by.get('192.0.2.20'), { ip: '192.0.2.20', provider: 'stripe', hostname: 'api.stripe.com', source: 'dns', confidence: 0.9, service: 'api', asn: 64500, asOrg: 'Example Transit', connections: 2 });
  assert.equal(by.get('10.204.0.53')?.provider, 'internal');
  assert.equal(by.get('10.204.0.53')?.dnsQueries, 1);
  assert.deepEqual([by.get('198.51.100.31')?.source, by.get('198.51.100.31')?.asOrg], ['asn', 'Example Hosting']);
  const summary = lines.at(-1) as { type: string; addresses: number; unknownByAsOrg: Record<string, number>; bySource: Record<string, number> };
  assert.equal(summary.type, 'summary');
  assert.equal(summary.addresses, 5);
  assert.deepEqual(summary.unknownByAsOrg, { 'Example Hosting': 1, 'Edge\u001b[31m Networks': 1 });
  // Text output escapes control bytes from the network.
  const text = await run(['label', '--pcap', file, '--asn-db', asnDb()]);
  assert.equal(text.code, 0, text.err);
  assert.ok(!/[\x00-\x08\x1b]/.test(text.out + text.err), 'no raw control bytes');
  // Names read off the wire are in presentation format (a control byte is \DDD), as on the DNS page.
  assert.match(text.out, /198\.51\.100\.30 +evil\\007\.example/);
  assert.match(text.err, /unknown by ASN organisation: .*Edge\\x1b\[31m Networks: 1/);
});
