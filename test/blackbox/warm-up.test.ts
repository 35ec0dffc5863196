// The warm-up before the first real checks: HTTP and TCP probes through the real runner against a
// throwaway loopback server, which is gone afterwards; nothing when no check needs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createCheckRunner, type CheckRunner } from '../../src/blackbox/check-runner.js';
import { warmUpProbers } from '../../src/blackbox/warm-up.js';
import type { Check } from '../../src/blackbox/types.js';
import type { ProbeResult } from '../../src/events.js';
import { dnsCheck, httpCheck, tcpCheck } from '../helpers/blackbox-checks.js';

function recording(): { run: CheckRunner; seen: { check: Check; result: ProbeResult }[] } {
  const real = createCheckRunner();
  const seen: { check: Check; result: ProbeResult }[] = [];
  return { seen, run: async (check, signal) => {
    const result = await real(check, signal);
    seen.push({ check, result });
    return result;
  } };
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

test('HTTP and TCP checks: a few successful loopback probes of each through the runner, then the server is gone', async () => {
  const { run, seen } = recording();
  await warmUpProbers([httpCheck('https://api.example.test/'), tcpCheck('db.example.test', 5432)], run, new AbortController().signal);
  assert.deepEqual(seen.map((s) => s.check.type), ['http', 'tcp', 'http', 'tcp', 'http', 'tcp']);
  for (const { result } of seen) {
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.ip, '127.0.0.1');
  }
  const http = seen[0].result;
  assert.equal(http.status, 200);
  const port = Number(new URL(http.target).port);
  assert.equal(await refused(port), true, 'the warm-up server is closed');
});

test('no HTTP or TCP check, or a cancelled start: no probe at all', async () => {
  const { run, seen } = recording();
  await warmUpProbers([dnsCheck({ host: '127.0.0.1', port: 53 }, 'example.test')], run, new AbortController().signal);
  const stopped = new AbortController();
  stopped.abort();
  await warmUpProbers([httpCheck('http://127.0.0.1:1/')], run, stopped.signal);
  assert.deepEqual(seen, []);
});
