// The matcher's fingerprint-keyed history table: lookups, inserts and deletes agree with a plain
// Map under crowded probe runs (keys sharing their home slot, wrapping around the table end),
// growth, and generation rotation; and question fingerprints tell tuples apart field by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QuestionKeyMap } from '../../src/dns/question-key-map.js';
import { QuestionKeys } from '../../src/dns/question-keys.js';

interface Tx {
  n: number;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s;
  };
}

test('inserts, deletes and lookups agree with a Map when many keys share home slots and the table grows', () => {
  const next = prng(7);
  const map = new QuestionKeyMap<Tx>(Infinity);
  const ref = new Map<string, Tx | number>();
  const keys: [number, number][] = [];
  for (let i = 0; i < 5_000; i++) {
    // Few distinct low bits: long probe runs that wrap around the end of the table.
    const a = ((next() & ~0x3f) | (next() % 8) | (i % 2 ? 0x3f : 0)) | 0;
    const b = (next() | 1) | 0;
    keys.push([a, b]);
  }
  for (let step = 0; step < 60_000; step++) {
    const [a, b] = keys[next() % keys.length];
    const id = `${a}/${b}`;
    const op = next() % 3;
    if (op === 0) {
      const v = next() % 2 ? { n: step } : step + 0.5;
      map.set(a, b, v);
      ref.set(id, v);
    } else if (op === 1) {
      map.delete(a, b);
      ref.delete(id);
    } else {
      assert.equal(map.get(a, b), ref.get(id), `step ${step}`);
    }
  }
  for (const [a, b] of keys) assert.equal(map.get(a, b), ref.get(`${a}/${b}`));
  assert.equal(map.size, ref.size);
});

test('an entry lives one to two generations; setting a number replaces an object value', () => {
  const map = new QuestionKeyMap<Tx>(1_000);
  const tx = { n: 1 };
  map.rotate(0);
  map.set(1, 3, tx);
  assert.equal(map.getObject(1, 3), tx);
  map.set(1, 3, 42.5);
  assert.equal(map.get(1, 3), 42.5);
  assert.equal(map.getObject(1, 3), undefined);
  map.rotate(999);
  assert.equal(map.get(1, 3), 42.5, 'still in the current generation');
  map.rotate(1_000);
  assert.equal(map.get(1, 3), 42.5, 'in the previous generation');
  map.rotate(2_000);
  assert.equal(map.get(1, 3), undefined, 'dropped with its generation');
  assert.equal(map.size, 0);
});

test('question fingerprints differ when any field differs, also with swapped fields, and the second lane is never 0', () => {
  const k = new QuestionKeys();
  const base = ['udp', '10.203.1.2', 40000, '10.203.0.10', 53, 'a.example.com', 'A', 7] as const;
  const fp = (t: readonly [string, string, number, string, number, string, string, number]) => {
    k.of(...t);
    return [k.idA, k.idB, k.questionA, k.questionB, k.clientA, k.clientB, k.socketA, k.socketB];
  };
  const [idA, idB, qA, qB, cA, cB, sA, sB] = fp(base);
  for (const lane of [idB, qB, cB, sB]) assert.equal(lane & 1, 1);
  // Socket and question keys ignore the id; the client key ignores ports, protocol and server.
  const otherId = fp(['udp', '10.203.1.2', 40000, '10.203.0.10', 53, 'a.example.com', 'A', 8]);
  assert.notDeepEqual(otherId.slice(0, 2), [idA, idB]);
  assert.deepEqual(otherId.slice(2), [qA, qB, cA, cB, sA, sB]);
  const otherPort = fp(['udp', '10.203.1.2', 40001, '10.203.0.10', 53, 'a.example.com', 'A', 7]);
  assert.notDeepEqual(otherPort.slice(2, 4), [qA, qB]);
  assert.deepEqual(otherPort.slice(4, 6), [cA, cB]);
  assert.notDeepEqual(otherPort.slice(6), [sA, sB]);
  const otherType = fp(['udp', '10.203.1.2', 40000, '10.203.0.10', 53, 'a.example.com', 'AAAA', 7]);
  assert.notDeepEqual(otherType.slice(2, 4), [qA, qB]);
  assert.deepEqual(otherType.slice(6), [sA, sB], 'the socket key leaves the question out');
  // Client and server swapped (a response's direction) is another socket.
  const swapped = fp(['udp', '10.203.0.10', 53, '10.203.1.2', 40000, 'a.example.com', 'A', 7]);
  assert.notDeepEqual(swapped.slice(6), [sA, sB]);
  // Same text split differently between name and type.
  const split = fp(['udp', '10.203.1.2', 40000, '10.203.0.10', 53, 'a.example.comA', '', 7]);
  assert.notDeepEqual(split.slice(2, 4), [qA, qB]);
  assert.deepEqual(fp(base), [idA, idB, qA, qB, cA, cB, sA, sB], 'the same tuple, the same fingerprints');
});
