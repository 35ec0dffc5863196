// Output to a pipe, as a shell user pipes it: a reader that reads everything slowly gets every
// line (the command waits for it, nothing is dropped or buffered without bound), and a reader
// that goes away after one line (`| head -1`) ends the command quietly: exit 0, no stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { dnsQuery, udpFrame, writePcap } from '../external/pcap-fixture.js';
import { repoRoot, testOutputDir } from '../helpers/paths.js';

const QUERIES = 40_000;
const T0 = Date.UTC(2026, 0, 1);
const bin = join(repoRoot, 'bin', 'egresswatch.js');

function bigCapture(): string {
  const file = join(testOutputDir('cli'), 'pipe-output.pcap');
  writePcap(file, Array.from({ length: QUERIES }, (_, i) => udpFrame(T0 + i, '10.207.0.2', 20000 + (i % 40000), '10.207.0.53', 53, dnsQuery(`n${i}.example`, i % 65536))));
  return file;
}

/** Runs the CLI with stdout to a pipe this test reads; `firstLineOnly` closes the pipe after one line. */
async function piped(args: string[], firstLineOnly: boolean): Promise<{ code: number | null; lines: number; stderr: string; ids: number[] }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let lines = 0;
  const ids: number[] = [];
  const rl = createInterface({ input: child.stdout });
  for await (const line of rl) {
    lines++;
    const id = /"id":(\d+)/.exec(line)?.[1];
    if (id !== undefined) ids.push(Number(id));
    if (firstLineOnly) {
      rl.close();
      child.stdout.destroy();
      break;
    }
    // A slow reader: every 1000 lines it lets the event loop turn before reading on.
    if (lines % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
  return { code: await exited, lines, stderr, ids };
}

test('capture --json to a pipe: a slow reader gets every line; a reader that leaves after one line ends it quietly', { timeout: 60_000 }, async () => {
  const file = bigCapture();
  const all = await piped(['capture', '--json', '--pcap', file], false);
  assert.deepEqual([all.code, all.lines, all.stderr], [0, QUERIES + 1, ''], 'every event and the summary line');
  const head = await piped(['capture', '--json', '--pcap', file], true);
  assert.equal(head.code, 0);
  assert.equal(head.stderr, '', 'no EPIPE, no stack trace');
  assert.equal(head.lines, 1);
});

test('capture --json --threads 2 to a pipe: every line in file order to a slow reader; quiet after one line', { timeout: 60_000 }, async () => {
  const file = bigCapture();
  const all = await piped(['capture', '--json', '--threads', '2', '--pcap', file], false);
  assert.deepEqual([all.code, all.lines, all.stderr], [0, QUERIES + 1, ''], 'every event and the summary line');
  assert.deepEqual(all.ids.slice(0, 3), [0, 1, 2]);
  assert.ok(all.ids.every((id, i) => id === i % 65536), 'in file order');
  const head = await piped(['capture', '--json', '--threads', '2', '--pcap', file], true);
  assert.deepEqual([head.code, head.stderr, head.lines], [0, '', 1]);
});

test('label to a pipe that closes after one line ends quietly', { timeout: 60_000 }, async () => {
  const addresses = Array.from({ length: 3000 }, (_, i) => `192.0.2.${i % 250}`).map((a, i) => (i < 250 ? a : `198.51.100.${i % 250}`));
  const head = await piped(['label', '--json', ...addresses], true);
  assert.equal(head.code, 0);
  assert.equal(head.stderr.includes('EPIPE') || head.stderr.includes('    at '), false, head.stderr);
  assert.equal(head.lines, 1);
});
