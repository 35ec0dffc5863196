// The latency sketch: quantiles within its relative accuracy, and merging equals one big sketch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencySketch } from '../../src/sketch/latency-sketch.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** A deterministic pseudo-random stream (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('quantiles of a long-tailed latency distribution are within the relative accuracy', () => {
  const r = rng(1);
  const values = Array.from({ length: 50_000 }, () => Math.exp(r() * 9) * 0.05); // 0.05 ms … 400 ms
  const s = new LatencySketch(0.01);
  for (const v of values) s.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.99, 0.999]) {
    const exact = exactQuantile(sorted, q);
    const got = s.quantile(q)!;
    assert.ok(Math.abs(got - exact) <= exact * 0.01 + 1e-9, `q${q}: ${got} vs ${exact}`);
  }
  assert.equal(s.count, values.length);
});

test('merging windows and hosts gives the same quantiles as one sketch of all samples, within alpha', () => {
  const r = rng(7);
  const parts = [new LatencySketch(0.02), new LatencySketch(0.02), new LatencySketch(0.02)];
  const all: number[] = [];
  for (let i = 0; i < 30_000; i++) {
    // Three hosts with different latency profiles: the merged quantiles must reflect all three.
    const host = i % 3;
    const v = host === 0 ? 1 + r() * 4 : host === 1 ? 20 + r() * 30 : 5000 * r() + 1;
    parts[host].add(v);
    all.push(v);
  }
  const viaJson = parts.map((p) => LatencySketch.from(JSON.parse(JSON.stringify(p.toData()))));
  const merged = viaJson.reduce((a, b) => (a.merge(b), a), new LatencySketch(0.02));
  const sorted = all.sort((a, b) => a - b);
  for (const q of [0.1, 0.5, 0.9, 0.99]) {
    const exact = exactQuantile(sorted, q);
    const got = merged.quantile(q)!;
    assert.ok(Math.abs(got - exact) <= exact * 0.02 + 1e-9, `q${q}: ${got} vs ${exact}`);
  }
  assert.equal(merged.count, all.length);
  assert.equal(merged.max, sorted[sorted.length - 1]);
});

test('zero latencies, empty sketches and merging a coarser sketch', () => {
  const s = new LatencySketch();
  assert.equal(s.quantile(0.5), null);
  s.add(0);
  s.add(0);
  s.add(10);
  assert.equal(s.quantile(0.5), 0);
  assert.ok(Math.abs(s.quantile(1)! - 10) <= 0.1);
  s.add(Number.NaN);
  s.add(-1);
  assert.equal(s.count, 3, 'NaN and negative values are ignored');
  // A sketch of another accuracy is re-binned, not refused: counts and extremes carry over.
  const coarse = new LatencySketch(0.05);
  coarse.add(100);
  s.merge(coarse);
  assert.equal(s.count, 4);
  assert.ok(Math.abs(s.quantile(1)! - 100) <= 100 * 0.05);
});
