// The `labels:` configuration section: defaults, every key read into typed settings, relative
// paths resolved against the configuration file's directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';

test('labels: defaults when the section is absent', () => {
  const c = parseConfig('checks: []\n', 'config.yaml', '/etc/egresswatch');
  assert.deepEqual(c.labels.endpoints, []);
  assert.equal(c.labels.aws.enabled, 'auto');
  assert.equal(c.labels.passiveDns.maxEntries, 200_000);
  assert.equal(c.labels.asnDatabase, undefined);
});

test('labels: every key is read', () => {
  const c = parseConfig(`
labels:
  endpoints:
    - provider: acme
      service: orders-db
      region: eu-west-1
      resource: orders
      cidrs: [10.204.1.0/24, "2001:db8::/32"]
      hostnames: ["orders.*.acme.example"]
  catalogue:
    - provider: acme-pay
      service: api
      patterns: ["api.acmepay.example"]
      examples: ["api.acmepay.example"]
      counterExamples: ["acmepay.example"]
  dataDir: ranges
  ipRanges: [extra/ServiceTags_Public.json]
  asn: {database: GeoLite2-ASN.mmdb}
  passiveDns: {maxEntries: 5000, maxAddressesPerName: 8, grace: 2m}
  aws: {enabled: true, region: eu-west-1, endpoint: "http://127.0.0.1:9999", refreshInterval: 1m}
`, 'config.yaml', '/etc/egresswatch');
  const l = c.labels;
  assert.deepEqual(l.endpoints[0], { provider: 'acme', service: 'orders-db', region: 'eu-west-1', resource: 'orders', cidrs: ['10.204.1.0/24', '2001:db8::/32'], hostnames: ['orders.*.acme.example'] });
  assert.equal(l.catalogue[0].provider, 'acme-pay');
  assert.equal(l.dataDir, '/etc/egresswatch/ranges');
  assert.deepEqual(l.ipRangeFiles, ['/etc/egresswatch/extra/ServiceTags_Public.json']);
  assert.equal(l.asnDatabase, '/etc/egresswatch/GeoLite2-ASN.mmdb');
  assert.deepEqual(l.passiveDns, { maxEntries: 5000, maxAddressesPerName: 8, graceMs: 120_000 });
  assert.deepEqual(l.aws, { enabled: true, region: 'eu-west-1', endpoint: 'http://127.0.0.1:9999/', refreshIntervalMs: 60_000 });
  const none = parseConfig('labels: {asn: {database: none}}\n', 'config.yaml', '/etc');
  assert.equal(none.labels.asnDatabase, 'none');
});
