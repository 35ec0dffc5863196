// The dispatcher: --help for every command and group, one-line usage errors with exit code 2.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { commands } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, { stdout, stderr }, new AbortController().signal);
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

test('egresswatch --help lists every command', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const c of commands) assert.ok(r.out.includes(c.name), c.name);
});

test('every command answers --help with its usage and exit 0', async () => {
  for (const c of commands) {
    const r = await cli(...c.name.split(' '), '--help');
    assert.equal(r.code, 0, c.name);
    assert.match(r.out, new RegExp(`^Usage: egresswatch ${c.name}`), c.name);
  }
});

test('a command group answers --help with its commands', async () => {
  const r = await cli('dns', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /dns report/);
});

test('bad arguments: one line on stderr, exit 2, no stack trace', async () => {
  for (const argv of [['capture', '--bogus'], ['nosuch'], ['dns'], ['check']]) {
    const r = await cli(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, `${argv.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});
