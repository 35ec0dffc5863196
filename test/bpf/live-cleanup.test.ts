// Stopping a live capture detaches and frees everything it loaded: no program of ours is left in
// the kernel afterwards, and a second capture starts cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { startLiveCapture } from '../helpers/live-capture.js';

const OUR_PROGRAMS = ['dns_frames', 'dns_owner_tx', 'tcp_state', 'tcp_retransmit', 'tcp_reset', 'dns_drop'];

function loadedPrograms(): string[] {
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }) || '[]') as { name?: string }[];
  return progs.map((p) => p.name ?? '').filter((n) => OUR_PROGRAMS.includes(n)).sort();
}

const count = (names: string[], name: string) => names.filter((n) => n === name).length;

/** The kernel frees programs after an RCU grace period: poll briefly for the expected set. */
async function settledPrograms(expected: string[]): Promise<string[]> {
  let now = loadedPrograms();
  for (let i = 0; i < 50 && JSON.stringify(now) !== JSON.stringify(expected); i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = loadedPrograms();
  }
  return now;
}

test('capture loads its six programs and close() removes them all', async () => {
  const before = loadedPrograms();
  const capture = await startLiveCapture();
  const during = loadedPrograms();
  for (const name of OUR_PROGRAMS) assert.equal(count(during, name), count(before, name) + 1, `${name} loaded once`);
  const summary = await capture.stop();
  assert.equal(summary.type, 'summary');
  assert.deepEqual(await settledPrograms(before), before);

  const again = await startLiveCapture();
  await again.stop();
  assert.deepEqual(await settledPrograms(before), before);
});

test('stopping while batches are still on their way to JavaScript frees nothing in use', async () => {
  // A burst of DNS-port datagrams keeps the ring reader queueing batches; each capture is closed
  // in the middle of it. Memory corruption here aborts the whole process, failing this file.
  const sender = createSocket('udp4');
  await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
  const query = Buffer.from('abcd01000001000000000000076578616d706c6503636f6d0000010001', 'hex');
  const port = 5391;
  try {
    for (let round = 0; round < 25; round++) {
      const capture = await startLiveCapture({ dnsPorts: [port] });
      for (let i = 0; i < 4000; i++) sender.send(query, port, '127.0.0.1');
      await capture.waitFor((ev) => ev.type === 'dns');
      const summary = await capture.stop();
      assert.equal(summary.type, 'summary');
    }
  } finally {
    sender.close();
  }
});
