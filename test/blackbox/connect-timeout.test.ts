// A namespace address whose TCP traffic is dropped by iptables: probes report connect_timeout,
// while a port that is not dropped is refused at once. Needs root, ip and iptables.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { probeHttp } from '../../src/blackbox/probers/http.js';
import { probeTcp } from '../../src/blackbox/probers/tcp.js';
import { probeTls } from '../../src/blackbox/probers/tls.js';
import { httpCheck, tcpCheck, tlsCheck } from '../helpers/blackbox-checks.js';
import { isRoot } from '../helpers/paths.js';
import { createVethNamespace, type VethNamespace } from '../helpers/veth-namespace.js';

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
  let ns: VethNamespace;
  let nsAddr = '';

  before(() => {
    ns = createVethNamespace('ewbb', '10.205');
    nsAddr = ns.address;
    ns.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '443', '-j', 'DROP');
  });
  after(() => ns?.remove());

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
