// A namespace address whose TCP traffic is dropped by iptables: probes report connect_timeout,
// while a port that is not dropped is refused at once. Needs root, ip and iptables.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { probeHttp } from '../../src/blackbox/probers/http.js';
import { probeTcp } from '../../src/blackbox/probers/tcp.js';
import { probeTls } from '../../src/blackbox/probers/tls.js';
import { httpCheck, tcpCheck, tlsCheck } from '../helpers/blackbox-checks.js';
import { isRoot } from '../helpers/paths.js';

const never = new AbortController().signal;

function available(tool: string): boolean {
  try {
    execFileSync(tool, ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = !isRoot ? 'needs root (network namespaces)' : !available('ip') || !available('iptables') ? 'needs ip and iptables' : false;

describe('connect timeouts to a namespace that drops traffic', { skip }, () => {
  const id = randomInt(0x1000, 0xffff).toString(16);
  const ns = `ewbb${id}`;
  const hostVeth = `ewbb${id}h`;
  const third = randomInt(0, 256);
  const nsAddr = `10.205.${third}.2`;
  const sh = (...args: string[]) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });

  before(() => {
    sh('ip', 'netns', 'add', ns);
    sh('ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', `ewbb${id}n`);
    sh('ip', 'link', 'set', `ewbb${id}n`, 'netns', ns);
    sh('ip', 'addr', 'add', `10.205.${third}.1/30`, 'dev', hostVeth);
    sh('ip', 'link', 'set', hostVeth, 'up');
    sh('ip', '-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', `ewbb${id}n`);
    sh('ip', '-n', ns, 'link', 'set', `ewbb${id}n`, 'up');
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    // The rule lives in the namespace only; the host's firewall is untouched.
    sh('ip', 'netns', 'exec', ns, 'iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '443', '-j', 'DROP');
  });
  after(() => {
    try { sh('ip', 'netns', 'del', ns); } catch { /* already gone */ }
    try { sh('ip', 'link', 'del', hostVeth); } catch { /* removed with the namespace */ }
  });

  test('tcp: dropped SYNs are connect_timeout', async () => {
    const r = await probeTcp(tcpCheck(nsAddr, 443, { timeoutMs: 400 }), never);
    assert.deepEqual(r.error, { kind: 'connect_timeout', message: 'connect timed out after 400ms' });
    assert.ok(r.phases.connectMs! >= 399, JSON.stringify(r.phases));
  });

  test('http and tls: connect_timeout too', async () => {
    const h = await probeHttp(httpCheck(`https://${nsAddr}/`, { timeoutMs: 400 }), never);
    assert.equal(h.error?.kind, 'connect_timeout');
    assert.equal(h.ip, nsAddr);
    const t = await probeTls(tlsCheck(nsAddr, 443, { timeoutMs: 400 }), never);
    assert.equal(t.error?.kind, 'connect_timeout');
  });

  test('a port that is not dropped is refused at once', async () => {
    const r = await probeTcp(tcpCheck(nsAddr, 80, { timeoutMs: 2000 }), never);
    assert.equal(r.error?.kind, 'connect_refused');
  });
});
