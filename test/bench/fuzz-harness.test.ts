// The coverage-guided fuzz benchmark works on this machine: Jazzer.js's prebuilt fuzzer loads
// (its newer glibc and libstdc++ versions made weak, the three symbols supplied), instruments the
// DNS decoder and finds coverage from the seeds. A short, seeded run; the long runs are bench/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

test('fuzz-decoders: a seeded 3,000-input run of the DNS target gives coverage and no finding', () => {
  const out = execFileSync(process.execPath, [join(repoRoot, 'dist', 'bench', 'fuzz-decoders.js'), '--target', 'dns-message', '--runs', '3000', '--seed', '7', '--seconds', '120'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const report = JSON.parse(out) as { results: Array<{ target: string; runs: number; coverage: { edges: number }; finding?: unknown }> };
  const [dns] = report.results;
  assert.equal(dns.target, 'dns-message');
  assert.equal(dns.runs, 3000);
  // The seeds alone reach the question parser, the answer reader, dns-packet and the JSON.
  assert.ok(dns.coverage.edges > 150, `${dns.coverage.edges} edges`);
  assert.equal(dns.finding, undefined);
});
