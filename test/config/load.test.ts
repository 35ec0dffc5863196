// The configuration loader: every invalid-*.yml fixture is rejected with its expected one-line
// message (first line "# expect: <prefix>"), and the documented example loads with defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configProblems, loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { repoRoot, testOutputDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const dir = join(repoRoot, 'test', 'config');
const fixtures = readdirSync(dir).filter((f) => /^invalid-.*\.yml$/.test(f)).sort();

test('there are invalid-config fixtures', () => {
  assert.ok(fixtures.length >= 20, `found ${fixtures.length}`);
});

for (const file of fixtures) {
  test(`rejects ${file}`, () => {
    const text = readFileSync(join(dir, file), 'utf8');
    const m = /^# expect: (.+)$/m.exec(text.split('\n')[0]);
    assert.ok(m, `${file} must start with "# expect: <message prefix>"`);
    assert.throws(
      () => parseConfig(text, 'config.yaml', dir),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        assert.ok(!err.message.includes('\n'), 'message is one line');
        assert.ok(err.message.startsWith(m[1]), `message ${JSON.stringify(err.message)} should start with ${JSON.stringify(m[1])}`);
        return true;
      },
    );
  });
}

test('loads the documented example with defaults applied', () => {
  const config = loadConfig(join(dir, 'valid-issue-example.yml'));
  assert.equal(config.checks.length, 4);
  const [http, dns, tcp, tls] = config.checks;
  assert.equal(http.type, 'http');
  if (http.type !== 'http') return;
  assert.deepEqual(http.schedule, { cron: '*/1 * * * *' });
  assert.equal(http.timeoutMs, 5000);
  assert.equal(http.provider, 'stripe');
  assert.equal(http.tls.insecureSkipVerify, true);
  assert.equal(http.maxMs, 800);
  assert.deepEqual(http.expect.bodyContains, ['ok']);
  assert.ok(http.expect.status.includes(200) && http.expect.status.includes(301) && !http.expect.status.includes(201));
  assert.equal(http.method, 'GET');
  assert.equal(http.followRedirects, true);
  assert.equal(dns.type === 'dns' && dns.transport, 'udp');
  assert.deepEqual(dns.type === 'dns' && dns.resolver, { host: '10.96.0.10', port: 53 });
  assert.deepEqual(dns.type === 'dns' && dns.expect.rcodes, ['NOERROR']);
  assert.deepEqual(dns.schedule, { intervalMs: 60_000 });
  assert.deepEqual(tcp.type === 'tcp' && tcp.target, { host: 'orders.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 });
  assert.equal(tls.type === 'tls' && tls.warnDays, 21);
  assert.equal(tls.type === 'tls' && tls.failDays, 7);
});

test('an absent checks section defaults to no checks', () => {
  assert.deepEqual(parseConfig('', 'empty.yaml', dir).checks, []);
  assert.deepEqual(parseConfig('# nothing\n', 'empty.yaml', dir).checks, []);
});

test('a missing file is a one-line ConfigError naming it', () => {
  assert.throws(() => loadConfig(join(dir, 'does-not-exist.yml')), /does-not-exist\.yml: cannot read the configuration file \(no such file\)/);
});

test('a caFile is read relative to the configuration file', () => {
  const out = testOutputDir('config-ca');
  writeFileSync(join(out, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(join(out, 'config.yaml'), 'checks:\n  - name: web\n    type: http\n    url: https://127.0.0.1/\n    tls: { caFile: ca.pem }\n');
  const [check] = loadConfig(join(out, 'config.yaml')).checks;
  assert.ok(check.type === 'http' && check.tls.ca?.includes('BEGIN CERTIFICATE'));
});

test('every invalid fixture gives the same first problem through configProblems as through the loader', () => {
  for (const file of fixtures) {
    const text = readFileSync(join(dir, file), 'utf8');
    const expected = /^# expect: (.+)$/m.exec(text.split('\n')[0])![1];
    const problems = configProblems(text, 'config.yaml', dir);
    assert.ok(problems.some((p) => p.startsWith(expected)), `${file}: ${JSON.stringify(problems)}`);
  }
});

test('egresswatch validate prints every problem of a file, one line each, and exits 1; a valid file exits 0', async () => {
  const out = testOutputDir('config');
  const bad = join(out, 'many-problems.yml');
  writeFileSync(bad, [
    'checks:',
    '  - name: a',
    '    type: http',
    '    url: ftp://example.test/',
    '  - name: b',
    '    type: tcp',
    '    target: no-port',
    '  - name: a',
    '    type: tcp',
    '    target: 127.0.0.1:5',
    '    failureThreshold: 0',
    '  - name: c',
    '    type: tcp',
    '    target: 127.0.0.1:6',
    'store:',
    '  flushInterval: soon',
    'colour: blue',
    '',
  ].join('\n'));
  const r = await runCli(['validate', '--config', bad]);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/^.*many-problems\.yml: /, '').split(':')[0]), ['colour', 'checks[0].url', 'checks[1].target', 'checks[2].failureThreshold', 'store.flushInterval', '5 problems']);
  assert.ok(lines.every((l) => l.startsWith(bad)), 'every line names the file');
  const good = await runCli(['validate', '--config', join(dir, 'valid-issue-example.yml')]);
  assert.deepEqual([good.code, good.err], [0, '']);
  assert.match(good.out, /valid-issue-example\.yml: valid/);
  const missing = await runCli(['validate', '--config', join(out, 'absent.yml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /absent\.yml: cannot read the configuration file \(no such file\)/);
});
