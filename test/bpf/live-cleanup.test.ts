// Stopping a live capture detaches and frees everything it loaded: no program of ours is left in
// the kernel afterwards, and a second capture starts cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
