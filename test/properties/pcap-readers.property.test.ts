// Properties of the pcap and pcapng readers (fast-check): the hand-made fixtures with bytes
// replaced or cut anywhere, read in chunks of any size, always end with a summary or a one-line
// input error, never another exception.
// Generated from a fixed seed: every run checks the same cases (change the seed to explore more).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { replayEverything } from '../capture/replay-robustness.js';
import { repoRoot } from '../helpers/paths.js';

const FIXTURES = ['bsd-loopback-dns.pcap', 'dns-over-tcp-split.pcap', 'garbage-frames.pcap', 'ipv6-hop-by-hop-dns.pcapng', 'vlan-dns.pcap'].map((n) => readFileSync(join(repoRoot, 'test', 'capture', 'fixtures', n)));

const mutated = fc.tuple(fc.constantFrom(...FIXTURES), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.option(fc.nat()))
  .map(([src, flips, cut]) => {
    const b = Buffer.from(src);
    for (const [at, v] of flips) b[at % b.length] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

test('mutated pcap and pcapng files, any chunk size: a summary or a one-line input error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-prop-pcap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'capture.pcap');
  await fc.assert(fc.asyncProperty(mutated, fc.integer({ min: 16, max: 4096 }), async (bytes, chunk) => {
    writeFileSync(file, bytes);
    const out = await replayEverything(file, chunk);
    if (out.ended === 'input_error') assert.doesNotMatch(out.message, /\n/);
  }), { numRuns: 400, seed: 20261204 });
});
