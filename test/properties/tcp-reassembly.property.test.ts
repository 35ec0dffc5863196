// Properties of DNS-over-TCP reassembly (fast-check): a stream of length-prefixed messages cut into
// segments anywhere, delivered in order, duplicated or with a few segments swapped, gives back
// exactly the messages; any bytes at any sequence numbers never throw and never exceed the budget.
// Generated from a fixed seed: every run checks the same cases (change the seed to explore more).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DnsTcpStream, type ReassemblyBudget } from '../../src/capture/dns-tcp-stream.js';

const RUNS = 1_000;

function collect(budgetLimit = 1 << 20) {
  const messages: string[] = [];
  const problems: string[] = [];
  const budget: ReassemblyBudget = { used: 0, limit: budgetLimit };
  const stream = new DnsTcpStream({ message: (p) => messages.push(Buffer.from(p).toString('hex')), problem: (r) => problems.push(r), note: () => undefined }, budget);
  return { messages, problems, budget, stream };
}

const messages = fc.array(fc.uint8Array({ minLength: 12, maxLength: 300 }), { minLength: 1, maxLength: 8 });

/** The wire bytes of `msgs` and cut points inside them. */
const streamAndCuts = messages.chain((msgs) => {
  const wire = Buffer.concat(msgs.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), Buffer.from(m)]));
  return fc.tuple(fc.constant(msgs), fc.constant(wire), fc.uniqueArray(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 20 }).map((c) => c.sort((a, b) => a - b)));
});

function segments(wire: Buffer, cuts: number[]): Array<{ seq: number; data: Buffer }> {
  const out: Array<{ seq: number; data: Buffer }> = [];
  let at = 0;
  for (const c of [...cuts, wire.length]) {
    out.push({ seq: 1000 + at, data: wire.subarray(at, c) });
    at = c;
  }
  return out;
}

test('messages cut anywhere, in order, some segments sent twice: exactly the messages', () => {
  fc.assert(fc.property(streamAndCuts, fc.array(fc.nat(), { maxLength: 4 }), ([msgs, wire, cuts], dups) => {
    const { messages: got, stream } = collect();
    stream.start(999);
    const segs = segments(wire, cuts);
    for (const [i, s] of segs.entries()) {
      stream.push(s.data, 0, s.data.length, s.seq, i);
      if (dups.includes(i)) stream.push(s.data, 0, s.data.length, s.seq, i);
    }
    assert.deepEqual(got, msgs.map((m) => Buffer.from(m).toString('hex')));
  }), { numRuns: RUNS, seed: 20261204 });
});

test('two neighbouring segments swapped: still exactly the messages', () => {
  fc.assert(fc.property(streamAndCuts, fc.nat(), ([msgs, wire, cuts], k) => {
    const segs = segments(wire, cuts);
    if (segs.length >= 2) {
      const i = k % (segs.length - 1);
      [segs[i], segs[i + 1]] = [segs[i + 1], segs[i]];
    }
    const { messages: got, stream } = collect();
    stream.start(999);
    for (const s of segs) stream.push(s.data, 0, s.data.length, s.seq, 0);
    assert.deepEqual(got, msgs.map((m) => Buffer.from(m).toString('hex')));
  }), { numRuns: RUNS, seed: 20261204 });
});

test('any bytes at any sequence numbers: nothing throws, the budget holds', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 30 }), (pushes) => {
    const { stream, budget } = collect(4096);
    for (const [data, seq] of pushes) {
      stream.push(data, 0, data.length, seq, 0);
      assert.ok(budget.used <= budget.limit, `budget ${budget.used} > ${budget.limit}`);
    }
    stream.close();
  }), { numRuns: RUNS, seed: 20261204 });
});
