// The committed corpus of mutated captures (fixtures/mutated, made by make-mutations.ts) replayed
// as regression tests: every file ends with a summary or a one-line input error, never a crash.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { replayEverything } from './replay-robustness.js';

const dir = join(repoRoot, 'test', 'capture', 'fixtures', 'mutated');
const files = readdirSync(dir).sort();

test('the corpus is there: 60 mutated captures', () => {
  assert.equal(files.length, 60);
});

for (const name of files) {
  test(`mutated capture ${name}: a summary or a one-line input error`, async () => {
    // Small read chunks: records cross chunk boundaries as in a large file.
    const out = await replayEverything(join(dir, name), 64);
    if (out.ended === 'input_error') {
      assert.doesNotMatch(out.message, /\n/);
      assert.match(out.message, /pcap|capture|record|file/i);
    } else assert.ok(out.events >= 0);
  });
}
