// `egresswatch run` with a kernel ring buffer made tiny on purpose (4 KiB) under a DNS flood: the
// records lost are counted on the page, in /healthz and in /metrics, and capture goes on: a
// lookup after the flood is seen.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { isRoot } from '../helpers/paths.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

const lostIn = (metrics: string) => [...metrics.matchAll(/^egresswatch_capture_lost_records_total\{reason="[^"]+",host="[^"]+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);

test('a tiny ring buffer overflows under a DNS flood: the loss is counted and shown, and capture recovers', { skip: !isRoot && 'live capture needs root', timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-ring-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'config.yml'), `capture:\n  dnsPorts: [${port}]\n  ringBufferKB: 4\nstore:\n  flushInterval: 1s\nlabels:\n  aws: {enabled: false}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  assert.match((await logLine(run, (l) => l.msg.startsWith('capture'))).msg, /^capture: live/);

  const sock = createSocket('udp4');
  t.after(() => sock.close());
  const metrics = async () => (await fetch(`${run.url}metrics`)).text();
  // Bursts of queries until the agent reports a loss.
  let id = 0;
  await until(async () => {
    for (let i = 0; i < 2_000; i++) sock.send(dnsPacket.encode({ type: 'query', id: id++ & 0xffff, questions: [{ type: 'A', name: `n${id}.flood.example` }] }), port, '127.0.0.1');
    return lostIn(await metrics());
  }, (lost) => lost > 0, 100);
  const health = (await (await fetch(`${run.url}healthz`)).json()) as { checks: Record<string, Array<{ status: string; output: string }>> };
  assert.equal(health.checks.capture[0].status, 'warn');
  assert.match(health.checks.capture[0].output, /\d+ capture records lost before user space since start \(ringbuf_packets \d+/);
  assert.match(await (await fetch(run.url)).text(), /Agent \(capture\):<\/strong> live eBPF capture .*capture records lost before user space/);
  await logLine(run, (l) => /^capture: \d+ capture records lost/.test(l.msg));

  // After the flood, capture still sees a single lookup to another resolver address.
  const resolvers = async () => ((await (await fetch(`${run.url}api/v1/dns/resolvers`)).json()) as { resolvers: Array<{ server: string }> }).resolvers;
  await until(async () => {
    sock.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'after.flood.example' }] }), port, '127.0.0.9');
    return resolvers();
  }, (list) => list.some((r) => r.server === '127.0.0.9'));
  assert.equal(await stop(run), 0);
  assert.ok(run.lines.some((l) => l.msg.startsWith('capture lost')), 'the summary at stop counts the loss too');
});
