// A check the agent cannot make because it is out of file descriptors (a real EMFILE, in a child
// process that used up its own) is an agent fault, never a verdict on the target; and the run
// keeps such runs away from the providers (AgentFaults).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { AgentFaults } from '../../src/cli/agent-faults.js';
import type { ProbeResult } from '../../src/events.js';
import { repoRoot } from '../helpers/paths.js';
import { tcpCheck } from '../helpers/blackbox-checks.js';

test('a TCP check made with no file descriptor left fails as an agent fault (EMFILE), not as a connect failure', async (t) => {
  const target = createServer((s) => s.end()).listen(0, '127.0.0.1');
  t.after(() => target.close());
  await new Promise((r) => target.once('listening', r));
  const check = tcpCheck('127.0.0.1', (target.address() as AddressInfo).port);
  const runner = pathToFileURL(join(repoRoot, 'dist', 'src', 'blackbox', 'check-runner.js')).href;
  // The child takes every descriptor it may have, then runs the check once.
  const script = `
    const { openSync } = await import('node:fs');
    const { createCheckRunner } = await import(${JSON.stringify(runner)});
    const run = createCheckRunner();
    const held = [];
    try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (err) { if (err.code !== 'EMFILE') throw err; }
    const result = await run(${JSON.stringify(check)}, new AbortController().signal);
    process.stdout.write(JSON.stringify({ held: held.length, ok: result.ok, error: result.error }));
    process.exit(0);`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { held: number; ok: boolean; error?: { kind: string; message: string } };
  assert.ok(out.held > 0);
  assert.equal(out.ok, false);
  assert.equal(out.error?.kind, 'agent');
  assert.match(out.error?.message ?? '', /the agent could not make this run .*EMFILE/);
});

test('AgentFaults: agent faults are kept from the providers, one line per episode, shown until a minute passes without one', () => {
  const faults = new AgentFaults();
  const lines: string[] = [];
  const result = (ok: boolean, kind?: string): ProbeResult => ({ ...({} as ProbeResult), check: 'api', ok, ...(kind ? { error: { kind, message: 'the agent could not make this run (connect EMFILE)' } } : {}) } as ProbeResult);
  assert.equal(faults.record(result(false, 'connect'), 0, (l) => lines.push(l)), false, 'a provider failure goes on to the engine');
  assert.equal(faults.record(result(true), 0, (l) => lines.push(l)), false);
  assert.equal(faults.current(0), undefined);
  assert.equal(faults.record(result(false, 'agent'), 1_000, (l) => lines.push(l)), true);
  assert.equal(faults.record(result(false, 'agent'), 2_000, (l) => lines.push(l)), true);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^check api could not run: .*EMFILE.*count for no provider/);
  assert.match(faults.current(30_000) ?? '', /^2 check runs could not be made by the agent/);
  assert.equal(faults.current(62_000), undefined, 'over a minute after the last one');
  faults.record(result(false, 'agent'), 70_000, (l) => lines.push(l));
  assert.equal(lines.length, 2, 'a new episode is told again');
  assert.match(faults.current(70_000) ?? '', /^1 check run could not/);
});
