// The labeler: the precedence list (config > aws > dns > catalogue > ip-ranges > asn), internal
// addresses, and cache invalidation when DNS or AWS data change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AsnDatabase } from '../../src/external/feeds/asn-database.js';
import { Catalogue } from '../../src/external/feeds/catalogue.js';
import { readCatalogueFile } from '../../src/external/feeds/catalogue-file.js';
import type { EndpointLabel, LabelQuery } from '../../src/external/endpoint-label.js';
import { createLabeler, type AwsLikeSource } from '../../src/external/labeler.js';
import type { PassiveDns } from '../../src/external/sources/passive-dns.js';
import { parseCidr } from '../../src/external/ip/ip-address.js';
import type { RangeInfo } from '../../src/external/feeds/ip-range-feeds.js';
import { PrefixTrie } from '../../src/external/ip/prefix-trie.js';
import type { DnsPacket } from '../../src/events.js';
import { dnsResponse, learnResponse, type AnswerRecord } from './pcap-fixture.js';

const T0 = Date.UTC(2026, 0, 1);
const catalogue = new Catalogue(readCatalogueFile());

/** Each response teaches passive DNS, in order. */
function learn(pdns: PassiveDns, packets: DnsPacket[]): void {
  for (const p of packets) learnResponse(pdns, p);
}

function response(ts: number, qname: string, answers: AnswerRecord[]): DnsPacket {
  return { type: 'dns', ts, dir: 'response', proto: 'udp', src: '10.204.0.53', sport: 53, dst: '10.204.0.2', dport: 40000, payload: dnsResponse(qname, answers) };
}

function ranges(): PrefixTrie<RangeInfo> {
  const trie = new PrefixTrie<RangeInfo>();
  trie.insert(parseCidr('52.218.0.0/17')!, { provider: 'aws', service: 's3', region: 'eu-west-1' });
  trie.insert(parseCidr('198.51.100.0/24')!, { provider: 'aws', region: 'us-east-1' });
  return trie;
}

const asn: AsnDatabase = {
  description: 'test',
  lookup: (ip) => (ip.startsWith('198.51.100.') || ip.startsWith('52.218.') ? { asn: 16509, org: 'Amazon.com, Inc.' } : ip.startsWith('192.0.2.') ? { asn: 64500, org: 'Example Transit' } : undefined),
};

function fakeAws(map: Record<string, Partial<EndpointLabel>>): AwsLikeSource {
  return { name: 'aws', lookup: (q: LabelQuery) => (map[q.ip] ? { ip: q.ip, provider: 'aws', source: 'aws', confidence: 0.95, ...map[q.ip] } : undefined) };
}

test('each source answers in precedence order; ASN fields are added to whatever wins', () => {
  const labeler = createLabeler({
    catalogue,
    ranges: ranges(),
    asn,
    endpoints: [{ provider: 'acme', service: 'orders-db', cidrs: ['198.51.100.7/32'], hostnames: [] }, { provider: 'acme', service: 'billing', cidrs: [], hostnames: ['billing.acme.example'] }],
    aws: fakeAws({ '10.204.1.10': { service: 'rds', region: 'eu-west-1' }, '198.51.100.7': { service: 'ec2' } }),
  });
  learn(labeler.passiveDns, [
    response(T0, 'uploads.acme.example', [{ name: 'uploads.acme.example', type: 'CNAME', ttl: 60, data: 'my-bucket.s3.eu-west-1.amazonaws.com' }, { name: 'my-bucket.s3.eu-west-1.amazonaws.com', type: 'A', ttl: 60, data: '52.218.1.1' }]),
    response(T0, 'www.example.org', [{ name: 'www.example.org', type: 'A', ttl: 60, data: '192.0.2.80' }]),
    response(T0, 'billing.acme.example', [{ name: 'billing.acme.example', type: 'A', ttl: 60, data: '192.0.2.90' }]),
  ]);
  // config by CIDR beats AWS metadata for the same address
  // (and the published ranges add where it runs)
  assert.deepEqual(labeler.label('198.51.100.7'), { ip: '198.51.100.7', provider: 'acme', service: 'orders-db', source: 'config', confidence: 1, network: { provider: 'aws', region: 'us-east-1' }, asn: 16509, asOrg: 'Amazon.com, Inc.' });
  // config by hostname learned from DNS
  assert.equal(labeler.label('192.0.2.90').service, 'billing');
  assert.equal(labeler.label('192.0.2.90').source, 'config');
  // aws metadata names a private address better than "internal"
  assert.deepEqual(labeler.label('10.204.1.10'), { ip: '10.204.1.10', provider: 'aws', service: 'rds', region: 'eu-west-1', source: 'aws', confidence: 0.95 });
  // dns: the CNAME target is in the catalogue; the asked name is the hostname
  const s3 = labeler.label('52.218.1.1');
  assert.deepEqual([s3.provider, s3.service, s3.region, s3.resource, s3.hostname, s3.source], ['aws', 's3', 'eu-west-1', 'my-bucket', 'uploads.acme.example', 'dns']);
  assert.equal(s3.network, undefined, 'the published ranges say the same: nothing to add');
  // a name served from a cloud's address block says so
  learn(labeler.passiveDns, [response(T0, 'shop.example.net', [{ name: 'shop.example.net', type: 'A', ttl: 60, data: '52.218.7.7' }])]);
  const shop = labeler.label('52.218.7.7');
  assert.deepEqual([shop.provider, shop.source, shop.network], ['example.net', 'dns', { provider: 'aws', service: 's3', region: 'eu-west-1' }]);
  // dns without a catalogue entry: the registrable domain
  const www = labeler.label('192.0.2.80');
  assert.deepEqual([www.provider, www.hostname, www.source, www.asOrg], ['example.org', 'www.example.org', 'dns', 'Example Transit']);
  // catalogue from the caller's hostname
  assert.deepEqual([labeler.label('203.0.113.9', 'api.openai.com').provider, labeler.label('203.0.113.9', 'api.openai.com').source], ['openai', 'catalogue']);
  // ip-ranges, with and without a service
  assert.deepEqual([labeler.label('52.218.99.1').service, labeler.label('52.218.99.1').source, labeler.label('52.218.99.1').confidence], ['s3', 'ip-ranges', 0.7]);
  assert.deepEqual([labeler.label('198.51.100.8').provider, labeler.label('198.51.100.8').service], ['aws', undefined]);
  // asn only: no provider, grouped by organisation
  const transit = labeler.label('192.0.2.200');
  assert.deepEqual(transit, { ip: '192.0.2.200', source: 'asn', confidence: 0.2, asn: 64500, asOrg: 'Example Transit' });
  // nothing at all
  assert.deepEqual(labeler.label('203.0.113.250'), { ip: '203.0.113.250', source: 'none', confidence: 0 });
});

test('private and loopback addresses are internal unless metadata or the catalogue say more', () => {
  const labeler = createLabeler({ catalogue });
  assert.deepEqual(labeler.label('10.204.3.3'), { ip: '10.204.3.3', provider: 'internal', service: 'private', source: 'ip-ranges', confidence: 0.9 });
  assert.equal(labeler.label('::1').service, 'loopback');
  learn(labeler.passiveDns, [
    response(T0, 'orders.c9akciq32xyz.eu-west-1.rds.amazonaws.com', [{ name: 'orders.c9akciq32xyz.eu-west-1.rds.amazonaws.com', type: 'A', ttl: 5, data: '10.204.3.4' }]),
    response(T0, 'wiki.corp.example', [{ name: 'wiki.corp.example', type: 'A', ttl: 5, data: '10.204.3.5' }]),
  ]);
  assert.deepEqual([labeler.label('10.204.3.4').service, labeler.label('10.204.3.4').resource, labeler.label('10.204.3.4').source], ['rds', 'orders', 'dns']);
  const wiki = labeler.label('10.204.3.5');
  assert.deepEqual([wiki.provider, wiki.hostname], ['internal', 'wiki.corp.example'], 'an unknown name on a private address stays internal, with its name');
});

test('cached labels follow new DNS answers, DNS expiry and AWS refreshes', () => {
  const map: Record<string, Partial<EndpointLabel>> = {};
  const aws = fakeAws(map);
  const labeler = createLabeler({ catalogue, aws, passiveDns: { graceMs: 0 } });
  learn(labeler.passiveDns, [response(T0, 'api.stripe.com', [{ name: 'api.stripe.com', type: 'A', ttl: 30, data: '192.0.2.50' }])]);
  const first = labeler.label('192.0.2.50');
  assert.equal(first.provider, 'stripe');
  assert.equal(labeler.label('192.0.2.50'), first, 'the second lookup is answered from the cache');
  // The address now answers for another name.
  learn(labeler.passiveDns, [response(T0 + 1000, 'api.openai.com', [{ name: 'api.openai.com', type: 'A', ttl: 30, data: '192.0.2.50' }])]);
  assert.equal(labeler.label('192.0.2.50').provider, 'openai');
  // Time passes beyond the TTL (on the capture clock): the DNS-based label lapses.
  learn(labeler.passiveDns, [response(T0 + 120_000, 'other.example', [{ name: 'other.example', type: 'A', ttl: 30, data: '192.0.2.51' }])]);
  assert.equal(labeler.label('192.0.2.50').source, 'none');
  // An AWS refresh clears the cache.
  map['192.0.2.50'] = { service: 'nat-gateway' };
  assert.equal(labeler.label('192.0.2.50').source, 'none', 'still cached');
  aws.onChange?.();
  assert.equal(labeler.label('192.0.2.50').service, 'nat-gateway');
});

test('a faulty source does not break labelling; cached labels are shared and frozen', () => {
  const broken: AwsLikeSource = { name: 'aws', lookup: () => { throw new Error('boom'); } };
  const labeler = createLabeler({ catalogue, aws: broken });
  assert.deepEqual(labeler.label('192.0.2.1'), { ip: '192.0.2.1', source: 'none', confidence: 0 });
  const ok = createLabeler({ catalogue });
  assert.deepEqual(ok.label('203.0.113.1', 'api.twilio.com'), { ip: '203.0.113.1', provider: 'twilio', hostname: 'api.twilio.com', source: 'catalogue', confidence: 0.85 });
  assert.ok(Object.isFrozen(ok.label('203.0.113.1')), 'cached labels are shared: frozen');
});

test('the provider that owns a looked-up name: the configured hostname patterns first, then the catalogue', () => {
  const labeler = createLabeler({ catalogue, endpoints: [{ provider: 'billing', cidrs: [], hostnames: ['*.billing.internal', 'api.stripe.com'] }] });
  assert.equal(labeler.nameProvider('db.billing.internal'), 'billing');
  assert.equal(labeler.nameProvider('DB.Billing.Internal.'), 'billing');
  assert.equal(labeler.nameProvider('api.stripe.com'), 'billing', 'the operator wins over the catalogue');
  assert.equal(labeler.nameProvider('api.twilio.com'), 'twilio');
  assert.equal(labeler.nameProvider('nothing.example'), undefined);
});
