// A probe's deadline: its own timeout, and the caller's cancellation passed on to every probe in
// flight through one listener on the caller's signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDeadline } from '../../src/blackbox/deadline.js';
import { DeadlineReached } from '../../src/blackbox/probe-errors.js';

test('the deadline aborts with DeadlineReached after its timeout', async () => {
  const d = startDeadline(20, new AbortController().signal);
  await new Promise((r) => d.signal.addEventListener('abort', r, { once: true }));
  assert.ok(d.signal.reason instanceof DeadlineReached);
  assert.equal((d.signal.reason as DeadlineReached).timeoutMs, 20);
  d.clear();
});

test('the caller cancelling aborts every deadline in flight, cleared ones excepted, without a listener warning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const outer = new AbortController();
    const deadlines = Array.from({ length: 50 }, () => startDeadline(60_000, outer.signal));
    deadlines[0].clear();
    outer.abort(new Error('stopping'));
    assert.equal(deadlines[0].signal.aborted, false, 'a cleared deadline no longer follows the caller');
    for (const d of deadlines.slice(1)) {
      assert.equal(d.signal.aborted, true);
      assert.equal((d.signal.reason as Error).message, 'stopping');
      d.clear();
    }
    const late = startDeadline(60_000, outer.signal);
    assert.equal(late.signal.aborted, true, 'a deadline started after the caller cancelled is aborted at once');
    late.clear();
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map((w) => w.message), []);
});
