// The time slicer lets timers and I/O run during long work, and does not yield while the slice lasts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeSlicer } from '../src/time-slice.js';

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy */ }
}

test('a timer due during sliced work runs before the work ends', async () => {
  const slicer = new TimeSlicer(2);
  let fired = false;
  setTimeout(() => (fired = true), 1);
  let doneBeforeTimer = 0;
  for (let i = 0; i < 50; i++) {
    spin(1);
    await slicer.yieldIfDue();
    if (!fired) doneBeforeTimer++;
  }
  assert.ok(fired, 'the timer ran');
  assert.ok(doneBeforeTimer < 50, 'it ran in the middle of the work, not after it');
});

test('short work does not yield', async () => {
  const slicer = new TimeSlicer(10_000);
  // A yield lets the event loop turn, which runs this immediate.
  let loopTurned = false;
  setImmediate(() => (loopTurned = true));
  for (let i = 0; i < 100; i++) await slicer.yieldIfDue();
  assert.equal(loopTurned, false);
});
