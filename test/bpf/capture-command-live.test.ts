// `egresswatch capture --json` over live eBPF capture, as a user runs it: one JSON object per
// DNS and TCP event with the asking process, a summary line, and a one-line error without root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDnsTestServer } from '../helpers/dns-test-server.js';
import { repoRoot } from '../helpers/paths.js';

const cli = join(repoRoot, 'bin', 'egresswatch.js');

test('capture --json --dns-port --interface lo prints DNS events with pid and comm, then the summary', async (t) => {
  const server = await startDnsTestServer({ 'cli.example.test': { answers: [{ type: 'A', name: 'cli.example.test', ttl: 30, data: '192.0.2.99' }] } });
  t.after(() => server.close());
  const child = spawn(process.execPath, [cli, 'capture', '--json', '--duration', '4', '--dns-port', String(server.port), '--interface', 'lo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  // The first conntrack sample (or any line) means the programs are attached; else wait briefly.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2500);
    child.stdout.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const digPid = await new Promise<number>((resolve, reject) => {
    const d = execFile('dig', ['@127.0.0.1', '-p', String(server.port), '+time=2', '+tries=1', 'cli.example.test', 'A'], (err) => (err ? reject(err) : resolve(d.pid ?? -1)));
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const query = lines.find((l) => l.type === 'dns' && l.dir === 'query' && l.qname === 'cli.example.test');
  assert.ok(query, stdout);
  assert.equal(query.pid, digPid);
  assert.equal(query.comm, 'dig');
  assert.equal(query.qtype, 'A');
  assert.match(String(query.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const response = lines.find((l) => l.type === 'dns' && l.dir === 'response' && l.id === query.id);
  assert.ok(response);
  assert.equal(response.rcode, 'NOERROR');
  assert.deepEqual(response.answers, [{ name: 'cli.example.test', type: 'A', ttl: 30, data: '192.0.2.99' }]);
  if (existsSync('/proc/net/stat/nf_conntrack')) {
    const ct = lines.find((l) => l.type === 'conntrack');
    assert.ok(ct && typeof ct.insertFailed === 'number' && typeof ct.clashResolve === 'number', 'conntrack counters sampled');
  }
  const summary = lines.at(-1);
  assert.equal(summary?.type, 'summary');
  assert.equal(summary.lostRecords, 0);
  assert.ok(((summary.events as Record<string, number>).dns ?? 0) >= 2);
});

test('without capabilities: exit non-zero with one line saying what is missing', async () => {
  // Root's uid but an empty capability set, as an unprivileged user would have.
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = execFile('setpriv', ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', process.execPath, cli, 'capture', '--json', '--duration', '1'], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : c.exitCode, stdout, stderr }));
  });
  assert.notEqual(code, 0);
  assert.equal(stdout, '');
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /live capture needs root: this process lacks CAP_BPF, CAP_PERFMON, CAP_NET_RAW/);
});
