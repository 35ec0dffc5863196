// `egresswatch check --once --json` in-process against loopback servers: one JSON result per
// line, exit code 0 when all pass and 3 when any fails, one-line configuration errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { checkCommand } from '../../src/cli/check-command.js';
import { ConfigError } from '../../src/errors.js';
import type { ProbeResult } from '../../src/events.js';
import { startDnsTestServer } from '../helpers/dns-test-server.js';
import { testOutputDir } from '../helpers/paths.js';

let server: Server;
let port: number;
const dir = testOutputDir('check-command');

before(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/down' ? 500 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function runCheck(config: string, extra: Record<string, unknown> = {}): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, config);
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await checkCommand.run({ values: { config: file, once: true, json: true, ...extra }, positionals: [], io: { stdout, stderr: new PassThrough() }, signal: new AbortController().signal });
  return { code, lines: Buffer.concat(chunks).toString().trim().split('\n').filter(Boolean) };
}

test('all checks pass: exit 0, one JSON result per check', async () => {
  const { code, lines } = await runCheck(`checks:\n  - name: up\n    type: http\n    url: http://127.0.0.1:${port}/\n    expect: { bodyContains: ok }\n  - name: port\n    type: tcp\n    target: 127.0.0.1:${port}\n`);
  assert.equal(code, 0);
  const results = lines.map((l) => JSON.parse(l) as ProbeResult);
  assert.deepEqual(results.map((r) => r.check).sort(), ['port', 'up']);
  assert.ok(results.every((r) => r.type === 'probe' && r.ok && typeof r.phases.totalMs === 'number'));
});

test('a failing check: exit 3 and its error kind', async () => {
  const { code, lines } = await runCheck(`checks:\n  - name: down\n    type: http\n    url: http://127.0.0.1:${port}/down\n    retries: 1\n    retryBackoff: 10ms\n`);
  assert.equal(code, 3);
  const [r] = lines.map((l) => JSON.parse(l) as ProbeResult);
  assert.equal(r.error?.kind, 'http_status');
  assert.equal(r.attempts, 2);
});

test('--check selects checks; text output is one line each', async () => {
  const { code, lines } = await runCheck(`checks:\n  - name: up\n    type: http\n    url: http://127.0.0.1:${port}/\n  - name: down\n    type: http\n    url: http://127.0.0.1:${port}/down\n`, { check: ['up'], json: false });
  assert.equal(code, 0);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^ok {3}up http:\/\/127\.0\.0\.1:\d+\/ [\d.]+ms \[dns=0\.0 connect=[\d.]+ firstByte=[\d.]+ transfer=[\d.]+\] status=200 ip=127\.0\.0\.1 provider=internal$/);
});

test('an invalid configuration is a one-line ConfigError', async () => {
  await assert.rejects(runCheck('checks:\n  - name: x\n    type: tcp\n    target: nohost\n'), (err: unknown) => err instanceof ConfigError && /checks\[0\]\.target: expected host:port/.test(err.message));
});

test('results carry the provider named by the catalogue for the check\'s host', async () => {
  // api.stripe.com resolves to this loopback server through the test's own DNS server.
  const dns = await startDnsTestServer({ 'api.stripe.com': { answers: [{ name: 'api.stripe.com', type: 'A', ttl: 60, data: '127.0.0.1' }] } });
  try {
    const { code, lines } = await runCheck(`checks:\n  - name: stripe\n    type: http\n    url: http://api.stripe.com:${port}/\n    resolver: ${dns.host}:${dns.port}\n`);
    assert.equal(code, 0);
    const [r] = lines.map((l) => JSON.parse(l) as ProbeResult);
    assert.equal(r.ip, '127.0.0.1');
    assert.equal(r.provider, 'stripe');
    assert.equal(r.service, 'api');
  } finally {
    await dns.close();
  }
});
