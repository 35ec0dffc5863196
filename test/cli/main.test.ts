// The dispatcher: --help for every command and group, one-line usage errors with exit code 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../helpers/run-cli.js';

const cli = (...argv: string[]) => runCli(argv);

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
