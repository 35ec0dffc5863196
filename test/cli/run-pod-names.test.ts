// `egresswatch run` in a (simulated) cluster: with a kubeconfig for an API server on loopback, a
// process in a pod's cgroup (named as the kubelet names it) shows on the DNS page under its pod's
// name, and the log says how many pods of this node the API listed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cgroup2Root } from '../../src/bpf/workloads.js';
import { startDnsTestServer } from '../helpers/dns-test-server.js';
import { pod, startKubernetesApi } from '../helpers/kubernetes-api.js';
import { isRoot } from '../helpers/paths.js';
import { logLine, startRun, stop } from '../helpers/run-process.js';
import { until } from '../helpers/until.js';

const root = cgroup2Root();

test('a process in a pod is named with the pod the Kubernetes API calls it', { skip: !isRoot ? 'needs root (cgroups, eBPF)' : !root ? 'no cgroup v2 hierarchy' : false }, async (t) => {
  const uid = randomUUID();
  const api = await startKubernetesApi(t, [pod('checkout', 'payments-7f9c', uid, 'node-7')]);
  const cgroup = join(root!, `ewtest-${randomBytes(4).toString('hex')}.slice`);
  const leaf = join(cgroup, `kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice`, `cri-containerd-${randomBytes(32).toString('hex')}.scope`);
  mkdirSync(leaf, { recursive: true });
  t.after(() => {
    rmdirSync(leaf);
    rmdirSync(join(leaf, '..'));
    rmdirSync(cgroup);
  });
  const dns = await startDnsTestServer({}, { resolve: (name) => ({ answers: [{ type: 'A', name, ttl: 60, data: '192.0.2.7' }] }) });
  t.after(() => dns.close());
  const dir = mkdtempSync(join(tmpdir(), 'ewsrv-pods-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yml'), `capture:\n  dnsPorts: [${dns.port}]\n  kubeconfig: ${api.kubeconfig}\nlabels:\n  aws: {enabled: false}\n`);
  const run = await startRun(['--config', join(dir, 'config.yml'), '--data', join(dir, 'data'), '--host', 'node-7'], { cwd: dir });
  t.after(() => run.child.kill('SIGKILL'));
  assert.match((await logLine(run, (l) => l.msg.startsWith('kubernetes:'))).msg, /^kubernetes: 1 pods on node node-7$/);
  await logLine(run, (l) => l.msg.startsWith('capture: live'));
  // dig from inside the pod's cgroup, until the DNS page lists it (the analysis publishes every few seconds).
  const dig = () => new Promise<void>((resolve) => execFile('sh', ['-c', `echo $$ > '${join(leaf, 'cgroup.procs')}' && exec dig +tries=1 +time=2 -p ${dns.port} @127.0.0.1 cart.checkout.test A`], () => resolve()));
  const page = await until(async () => {
    await dig();
    return (await fetch(`${run.url}dns`)).text();
  }, (html) => html.includes('cart.checkout.test'));
  assert.match(page, /dig · checkout\/payments-7f9c/);
  assert.ok(api.requests.every((r) => r.url.searchParams.get('fieldSelector') === 'spec.nodeName=node-7'), 'the pods of this node only');
  assert.equal(await stop(run), 0);
});
