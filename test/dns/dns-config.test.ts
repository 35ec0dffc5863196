// The dns configuration section and resolv.conf reading: defaults, overrides, precise errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { dnsAnalyzerOptions } from '../../src/dns/analyzer-options.js';
import { parseResolvConf } from '../../src/dns/resolv-conf.js';

test('defaults without a dns section', () => {
  const c = parseConfig('{}', 'egresswatch.yaml', '/etc/egresswatch');
  assert.equal(c.dns.timeoutMs, 5_000);
  assert.equal(c.dns.topN, 20);
  assert.equal(c.dns.resolvConf, '/etc/resolv.conf');
});

test('settings and resolv.conf combine into analyzer options', () => {
  const c = parseConfig('dns:\n  timeout: 3s\n  clusterDns: [10.96.0.10]\n  nodeLocal: 169.254.20.10\n  topN: 5\n  resolvConf: ./resolv.conf\n', 'x.yaml', '/cfg');
  assert.equal(c.dns.resolvConf, '/cfg/resolv.conf');
  const rc = parseResolvConf('# comment\nnameserver 169.254.20.10\nnameserver 10.96.0.11\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5 timeout:2 attempts:3 single-request-reopen\n');
  assert.deepEqual(rc, { nameservers: ['169.254.20.10', '10.96.0.11'], search: ['default.svc.cluster.local', 'svc.cluster.local'], ndots: 5, timeoutMs: 2_000, attempts: 3, options: ['single-request-reopen'] });
  const o = dnsAnalyzerOptions(c.dns, rc);
  assert.equal(o.timeoutMs, 3_000);
  assert.equal(o.clientTimeoutMs, 2_000, 'the stall signature follows the stub resolver timeout');
  assert.deepEqual(o.clusterDns, ['10.96.0.10', '10.96.0.11']);
  assert.deepEqual(o.nodeLocal, ['169.254.20.10']);
  assert.deepEqual(o.searchDomains, ['default.svc.cluster.local', 'svc.cluster.local']);
  assert.equal(o.topN, 5);
});

test('bad values are rejected with file, path and problem', () => {
  assert.throws(() => parseConfig('dns:\n  clusterDns: [kube-dns]\n', 'x.yaml', '/'), /x\.yaml: dns\.clusterDns\[0\]: expected an IP address, got "kube-dns"/);
  assert.throws(() => parseConfig('dns:\n  timeout: soon\n', 'x.yaml', '/'), /x\.yaml: dns\.timeout: expected a duration/);
  assert.throws(() => parseConfig('dns:\n  topN: 0\n', 'x.yaml', '/'), /dns\.topN: must be at least 1/);
  assert.throws(() => parseConfig('dns:\n  ttl: 5\n', 'x.yaml', '/'), /dns\.ttl: unknown key/);
});
