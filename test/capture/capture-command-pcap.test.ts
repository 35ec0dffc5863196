// `egresswatch capture --pcap` through the CLI entry point on the committed fixtures: the JSON
// contract, the human lines, the summary with notes, and one-line errors with their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const fixture = (name: string) => join(repoRoot, 'test', 'capture', 'fixtures', name);

/** The CLI's output as lines. */
async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const r = await runCli(args);
  const lines = (text: string) => text.split('\n').filter(Boolean);
  return { code: r.code, out: lines(r.out), err: lines(r.err) };
}

test('--json: one object per event in the contract, then the summary line', async () => {
  const { code, out, err } = await cli(['capture', '--pcap', fixture('dns-over-tcp-split.pcap'), '--json']);
  assert.equal(code, 0);
  assert.deepEqual(err, []);
  const objs = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(objs.map((o) => `${o.type} ${o.event ?? o.dir}`), ['tcp connect', 'tcp established', 'dns query', 'dns response', 'dns response', 'tcp close', 'summary undefined']);
  assert.deepEqual(objs[1], { type: 'tcp', ts: '2026-01-02T03:04:05.000Z', tsMs: Date.UTC(2026, 0, 2, 3, 4, 5) + 0.25, event: 'established', src: '10.202.6.1', sport: 45000, dst: '10.202.6.53', dport: 53, latencyMs: 0.25 });
  assert.deepEqual(objs[3], {
    type: 'dns', ts: '2026-01-02T03:04:05.002Z', tsMs: Date.UTC(2026, 0, 2, 3, 4, 5) + 2, dir: 'response', proto: 'tcp',
    src: '10.202.6.53', sport: 53, dst: '10.202.6.1', dport: 45000, id: 0x0701, opcode: 'QUERY', qname: 'tcp.example', qtype: 'A',
    rcode: 'NOERROR', tc: false, answers: [{ name: 'tcp.example', type: 'A', ttl: 300, data: '192.0.2.7' }],
  });
  const summary = objs.at(-1)!;
  assert.deepEqual([summary.type, summary.events, summary.parseErrors, summary.lostRecords], ['summary', { dns: 3, tcp: 3 }, 0, 0]);
});

test('text: one line per event, the summary and notes on stderr', async () => {
  const { code, out, err } = await cli(['capture', '--pcap', fixture('truncated.pcap')]);
  assert.equal(code, 0);
  assert.deepEqual(out.map((l) => l.slice(13)), [
    'dns  query    udp 10.202.5.1:33000 > 10.202.5.53:53 id=257 A "vlan.example"',
    'dns  response udp 10.202.5.53:53 > 10.202.5.1:33000 id=257 A "vlan.example" NOERROR [A "192.0.2.1"]',
    'dns  query    udp 10.202.5.1:33000 > 10.202.5.53:53 id=258 A "qinq.example"',
  ]);
  assert.equal(err.length, 2);
  assert.match(err[0], /^summary: \{"dns":3\} events, 1 malformed \{"truncated_record":1\}, 0 lost \{\}$/);
  assert.match(err[1], /^note: file ends inside a record at byte \d+ \(\d+ bytes ignored\)$/);
});

test('bad input files: exit 1 with one line naming the file', async () => {
  for (const [file, message] of [
    [fixture('not-a-capture.pcap'), /^egresswatch capture: ".*not-a-capture\.pcap" is not a pcap or pcapng file \(it starts with 0x3c68746d\)$/],
    [fixture('missing.pcap'), /^egresswatch capture: cannot read pcap file ".*missing\.pcap": no such file$/],
  ] as const) {
    const { code, out, err } = await cli(['capture', '--pcap', file, '--json']);
    assert.equal(code, 1);
    assert.deepEqual(out, []);
    assert.equal(err.length, 1);
    assert.match(err[0], message);
  }
});

test('--dns-port adds a port; a bad one is a usage error', async () => {
  const bad = await cli(['capture', '--pcap', fixture('vlan-dns.pcap'), '--dns-port', 'seventy']);
  assert.equal(bad.code, 2);
  assert.equal(bad.err.length, 1);
  const none = await cli(['capture', '--pcap', fixture('vlan-dns.pcap'), '--json', '--dns-port', '5353']);
  assert.equal(none.code, 0);
  assert.equal(none.out.length, 5);
});

test('--pcap - reads standard input, and SIGINT stops a pipe that has gone quiet', async () => {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const bin = join(repoRoot, 'bin', 'egresswatch.js');
  const bytes = readFileSync(fixture('vlan-dns.pcap'));

  const whole = spawn(process.execPath, [bin, 'capture', '--pcap', '-', '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  whole.stdout.on('data', (c: Buffer) => (out += c.toString()));
  whole.stdin.end(bytes);
  const code = await new Promise<number | null>((r) => whole.once('exit', r));
  assert.equal(code, 0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; qname?: string });
  assert.deepEqual(lines.map((l) => l.qname ?? l.type), ['vlan.example', 'vlan.example', 'qinq.example', 'qinq.example', 'summary']);

  // Half a file, then silence: the events so far appear, and SIGINT ends it with a summary.
  const quiet = spawn(process.execPath, [bin, 'capture', '--pcap', '-', '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let qout = '';
  const firstEvent = new Promise<void>((resolve) => quiet.stdout.on('data', (c: Buffer) => {
    qout += c.toString();
    if (qout.includes('"dns"')) resolve();
  }));
  quiet.stdin.write(bytes.subarray(0, 24 + 16 + 80));
  await firstEvent;
  quiet.kill('SIGINT');
  const qcode = await new Promise<number | null>((r) => quiet.once('exit', r));
  quiet.stdin.destroy();
  assert.equal(qcode, 0);
  const qlines = qout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; counters?: Record<string, number> });
  assert.deepEqual(qlines.map((l) => l.type), ['dns', 'summary']);
  assert.equal(qlines[1].counters?.stopped_before_end, 1);
});
