// `egresswatch run` sizes its JavaScript heap from store.memoryLimitMB: node starts again in the
// same process (same PID) with --max-old-space-size, read back from /proc and from V8's own limit
// in the log; a limit the operator gave node is kept.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { heapLimitMB, planHeapLimit } from '../../src/cli/heap-limit.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';

const MB = 1_048_576;

test('the heap limit is 60 % of the memory ceiling, at least 128 MB', () => {
  assert.equal(heapLimitMB(512 * MB), 307);
  assert.equal(heapLimitMB(2048 * MB), 1229);
  assert.equal(heapLimitMB(64 * MB), 128);
});

test('a limit the operator set, or one already applied, is kept', () => {
  assert.deepEqual(planHeapLimit(512 * MB, [], {}), { heapMB: 307 });
  assert.equal(planHeapLimit(512 * MB, ['--max-old-space-size=900'], {}).keep, 'set by the operator with --max-old-space-size');
  assert.equal(planHeapLimit(512 * MB, [], { NODE_OPTIONS: '--enable-source-maps --max_old_space_size=900' }).keep, 'set by the operator with --max-old-space-size');
  assert.equal(planHeapLimit(512 * MB, [], { EGRESSWATCH_HEAP_LIMIT_MB: '307' }).keep, 'already set');
  // Flags that only resemble it do not count.
  assert.deepEqual(planHeapLimit(512 * MB, ['--max-semi-space-size=4'], { NODE_OPTIONS: '' }), { heapMB: 307 });
});

function heapLine(msg: string): number {
  const m = /JS heap limit (\d+) MB/.exec(msg);
  assert.ok(m, msg);
  return Number(m[1]);
}

test('run restarts node in place with the heap sized from store.memoryLimitMB', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-heap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), 'store:\n  memoryLimitMB: 400\nlabels:\n  aws: {enabled: false}\n');
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data')], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  const cmdline = readFileSync(`/proc/${run.child.pid}/cmdline`, 'utf8').split('\0');
  assert.ok(cmdline.includes('--max-old-space-size=240'), cmdline.join(' '));
  const line = await logLine(run, (l) => l.msg.startsWith('memory:'));
  assert.match(line.msg, /^memory: ceiling 400 MB \(store\.memoryLimitMB\), JS heap limit \d+ MB$/);
  // V8's limit adds the young generation to the old one.
  const limit = heapLine(line.msg);
  assert.ok(limit >= 240 && limit < 400, line.msg);
  // One memory line: the process before the restart printed nothing.
  assert.equal(run.lines.filter((l) => l.msg.startsWith('memory:')).length, 1);
  assert.equal(await stop(run), 0);
});

test('run keeps a heap limit given to node by the operator', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-heap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = await startRun(['--data', join(dir, 'data')], { cwd: dir, env: { NODE_OPTIONS: '--max-old-space-size=700' } });
  t.after(() => run.child.kill('SIGKILL'));
  const line = await logLine(run, (l) => l.msg.startsWith('memory:'));
  assert.match(line.msg, /JS heap limit \d+ MB \(set by the operator with --max-old-space-size\)$/);
  assert.ok(heapLine(line.msg) >= 700, line.msg);
  assert.ok(!readFileSync(`/proc/${run.child.pid}/cmdline`, 'utf8').includes('--max-old-space-size'));
  assert.equal(await stop(run), 0);
});
