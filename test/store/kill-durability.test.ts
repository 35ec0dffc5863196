// The lowdb store survives kill -9 at random moments: every reopen finds well-formed files and every committed write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { ROLLUP_LEVELS } from '../../src/health/rollups/bucket.js';

const writer = join(dirname(fileURLToPath(import.meta.url)), 'durability-writer.js');

/** Runs the writer until it is killed with SIGKILL `delayMs` after it is ready; returns the last count it reported. */
function runAndKill(dir: string, delayMs: number): Promise<{ committed: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code}: ${stderr}`));
      const lines = out.split('\n').filter((l) => /^\d+$/.test(l));
      resolve({ committed: lines.length ? Number(lines.at(-1)) : 0, stderr });
    });
  });
}

test('kill -9 at random points never leaves a torn or lost shard', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ew-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Per level: the total the previous round left (each round's writer counts from 1 again).
  const before = new Map(ROLLUP_LEVELS.map((l) => [l, 0]));
  let writes = 0;
  const rounds = 12;
  for (let round = 0; round < rounds; round++) {
    // Random kill points, from right after start-up to a few hundred writes in.
    const delay = Math.floor(Math.random() * 250);
    const r = await runAndKill(dir, delay);
    writes += r.committed;
    assert.equal(r.stderr, '', `round ${round}: the writer found nothing to move aside`);
    const store = new LowdbStore({ dir });
    const report = await store.open();
    assert.deepEqual(report.notices, [], `round ${round}: no corrupt file after kill -9 (delay ${delay} ms)`);
    for (const level of ROLLUP_LEVELS) {
      const total = (await store.queryBuckets({ level, from: 0, to: Number.MAX_SAFE_INTEGER })).reduce((s, b) => s + (b.counters.tcpAttempts ?? 0), 0);
      const prev = before.get(level) ?? 0;
      // Everything reported as committed is there; at most the one write in flight at the kill also landed.
      assert.ok(total >= prev + r.committed && total <= prev + r.committed + 1, `round ${round} ${level}: ${total} vs ${prev} + ${r.committed}`);
      before.set(level, total);
    }
    const incidents = await store.listIncidents();
    assert.ok(incidents.length >= Math.floor(r.committed / 7));
    await store.close();
  }
  assert.ok(writes > 0, 'the writers committed something');
  const leftovers = readdirSync(join(dir, 'rollups', 'minute')).filter((f) => f.includes('.corrupt-'));
  assert.deepEqual(leftovers, []);
});
