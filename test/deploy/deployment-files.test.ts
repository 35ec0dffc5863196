// The deployment files in deploy/: the systemd unit passes `systemd-analyze verify`; the
// Kubernetes manifests have the structure capture needs (host network and PID namespaces,
// tracefs and BTF from the host, the capabilities it uses and no more, never privileged), a
// configuration that the agent accepts with the cluster-DNS role on the kube-dns address, and a
// Service Prometheus can discover; unit and DaemonSet grant the same capabilities.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/paths.js';

const unitFile = join(repoRoot, 'deploy', 'systemd', 'egresswatch.service');
const manifestFile = join(repoRoot, 'deploy', 'kubernetes', 'egresswatch.yaml');
/** What capture uses before the agent gives up every capability (see the files' comments). */
const CAPTURE_CAPABILITIES = ['BPF', 'PERFMON', 'NET_RAW', 'NET_ADMIN', 'CHOWN', 'FOWNER', 'SETUID', 'SETGID'];

type Doc = any;

function manifests(): Doc[] {
  return parseAllDocuments(readFileSync(manifestFile, 'utf8')).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Doc;
  });
}

test('systemd-analyze verify accepts the unit; it reloads on SIGHUP and bounds the capabilities', () => {
  const r = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze: ${r.error.message} (scripts/install-system-packages.sh test installs systemd)`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warning');
  const unit = readFileSync(unitFile, 'utf8');
  const caps = /^CapabilityBoundingSet=(.+)$/m.exec(unit)![1].split(/\s+/).map((c) => c.replace(/^CAP_/, ''));
  // Mounting tracefs (SYS_ADMIN) is the unit's alone: in Kubernetes the host's tracefs is mounted in.
  assert.deepEqual(caps.filter((c) => c !== 'SYS_ADMIN').sort(), [...CAPTURE_CAPABILITIES].sort());
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  assert.match(unit, /^ExecStart=\S*node \S+\/bin\/egresswatch\.js run /m);
});

test('the DaemonSet: host network and PID, tracefs, BTF and cgroups from the host, the capture capabilities only, never privileged', () => {
  const docs = manifests();
  assert.deepEqual(docs.map((d) => d.kind), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'Service']);
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const pod = ds.spec.template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.hostPID, true);
  assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet', 'host network pods still resolve cluster names');
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.securityContext.privileged, false);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.deepEqual(c.securityContext.seccompProfile, { type: 'Unconfined' });
  assert.deepEqual([...c.securityContext.capabilities.add].sort(), [...CAPTURE_CAPABILITIES].sort());
  const mounts = Object.fromEntries(c.volumeMounts.map((m: Doc) => [m.mountPath, m]));
  const hostPaths = Object.fromEntries(pod.volumes.filter((v: Doc) => v.hostPath).map((v: Doc) => [v.name, v.hostPath.path]));
  for (const path of ['/sys/kernel/tracing', '/sys/kernel/btf', '/sys/fs/cgroup']) {
    assert.equal(mounts[path]?.readOnly, true, `${path} mounted read-only`);
    assert.equal(hostPaths[mounts[path].name], path, `${path} from the host`);
  }
  // The node's name is the host label of every series.
  assert.deepEqual(c.args.slice(c.args.indexOf('--host'), c.args.indexOf('--host') + 2), ['--host', '$(NODE_NAME)']);
  assert.deepEqual(c.env.find((e: Doc) => e.name === 'NODE_NAME').valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
  assert.equal(c.readinessProbe.httpGet.path, '/healthz');
  assert.equal(ds.spec.template.metadata.annotations['prometheus.io/scrape'], 'true');
  assert.equal(ds.spec.template.metadata.annotations['prometheus.io/port'], String(c.ports[0].containerPort));
  const role = docs.find((d) => d.kind === 'ClusterRole');
  assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }], 'reads pods, nothing else');
});

test('the ConfigMap holds a configuration the agent accepts, with the cluster-DNS role on the kube-dns address; the Service finds every agent', () => {
  const docs = manifests();
  const cm = docs.find((d) => d.kind === 'ConfigMap');
  const dir = mkdtempSync(join(tmpdir(), 'ew-k8s-config-'));
  try {
    writeFileSync(join(dir, 'egresswatch.yml'), cm.data['egresswatch.yml']);
    const config = loadConfig(join(dir, 'egresswatch.yml'));
    assert.deepEqual(config.dns.clusterDns, ['10.96.0.10']);
    assert.equal(config.identity.cluster, 'prod-eu');
    assert.deepEqual(config.server.listen, { host: '0.0.0.0', port: 9797 });
    assert.equal(config.checks[0].type, 'dns');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const svc = docs.find((d) => d.kind === 'Service');
  assert.equal(svc.spec.clusterIP, 'None', 'headless: one endpoint per agent');
  assert.deepEqual(svc.spec.selector, ds.spec.selector.matchLabels);
  assert.equal(svc.spec.ports[0].port, 9797);
  assert.equal(svc.metadata.annotations['prometheus.io/scrape'], 'true');
});
