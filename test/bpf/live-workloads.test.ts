// Processes in containers and pods are named with them: real cgroups made as the kubelet and the
// runtimes name them (containerd and the systemd driver, cgroupfs, Docker, a host service), dig
// run inside each, and live capture's process name for its DNS query carries the pod (by name
// when the Kubernetes API knows it), the pod's UID, the container, or nothing on the host.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { cgroup2Root, parseCgroupPath } from '../../src/bpf/workloads.js';
import type { CaptureEvent, DnsPacket } from '../../src/events.js';
import { startDnsTestServer, type DnsTestServer } from '../helpers/dns-test-server.js';
import { startLiveCapture, type LiveCaptureRun } from '../helpers/live-capture.js';
import { isRoot } from '../helpers/paths.js';

const root = cgroup2Root();
const skip = !isRoot ? 'needs root (cgroups, eBPF)' : !root ? 'no cgroup v2 hierarchy' : false;
const top = `ewtest-${randomBytes(4).toString('hex')}.slice`;
const hex64 = () => randomBytes(32).toString('hex');
const podA = randomUUID();
const podB = randomUUID();
const ctr = { a: hex64(), b: hex64(), c: hex64() };
/** cgroup directories as the kubelet (systemd and cgroupfs drivers), Docker and systemd name them. */
const cgroups = {
  containerdPod: `${top}/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${podA.replace(/-/g, '_')}.slice/cri-containerd-${ctr.a}.scope`,
  cgroupfsPod: `${top}/kubepods/besteffort/pod${podB}/${ctr.b}`,
  docker: `${top}/system.slice/docker-${ctr.c}.scope`,
  hostService: `${top}/system.slice/cron.service`,
};

let server: DnsTestServer;
let capture: LiveCaptureRun;

before(async () => {
  if (skip) return;
  for (const dir of Object.values(cgroups)) mkdirSync(join(root!, dir), { recursive: true });
  server = await startDnsTestServer({}, { resolve: (name) => ({ answers: [{ type: 'A', name, ttl: 60, data: '192.0.2.1' }] }) });
  capture = await startLiveCapture({ dnsPorts: [53, server.port], podName: (uid) => (uid === podA ? 'shop/web-1' : undefined) });
});

after(async () => {
  if (skip) return;
  await capture?.stop();
  await server?.close();
  // Leaves first: a cgroup with children cannot be removed.
  const remove = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) remove(join(dir, e.name));
    rmdirSync(dir);
  };
  remove(join(root!, top));
});

/** Runs dig inside a cgroup (the shell moves itself there, then becomes dig). */
function digIn(cgroup: string, name: string): Promise<void> {
  const procs = join(root!, cgroup, 'cgroup.procs');
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', `echo $$ > '${procs}' && exec dig +tries=1 +time=2 -p ${server.port} @127.0.0.1 ${name} A`], (err) => (err ? reject(err) : resolve()));
  });
}

const queryFor = (name: string) => (ev: CaptureEvent): ev is DnsPacket => ev.type === 'dns' && ev.dir === 'query' && dnsPacket.decode(Buffer.from(ev.payload)).questions?.[0]?.name === name;

test('a query from a pod, a container or a host service is named with where it ran', { skip }, async () => {
  const cases: Array<[keyof typeof cgroups, string]> = [
    ['containerdPod', 'dig · shop/web-1'],
    ['cgroupfsPod', `dig · pod ${podB.slice(0, 8)}`],
    ['docker', `dig · container ${ctr.c.slice(0, 12)}`],
    ['hostService', 'dig'],
  ];
  for (const [cgroup, expected] of cases) {
    const name = `${cgroup.toLowerCase()}.workloads.test`;
    await digIn(cgroups[cgroup], name);
    const ev = await capture.waitFor(queryFor(name));
    assert.equal(ev.comm, expected, cgroup);
  }
});

test('cgroup paths of each runtime and driver, and host paths that are no workload', () => {
  const id = 'ab'.repeat(32);
  const uid = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
  assert.deepEqual(parseCgroupPath(`/kubepods.slice/kubepods-pod${uid.replace(/-/g, '_')}.slice/crio-${id}.scope`), { runtime: 'cri-o', containerId: id, podUid: uid });
  assert.deepEqual(parseCgroupPath(`/kubepods/pod${uid}/${id}`), { runtime: 'kubernetes', containerId: id, podUid: uid });
  assert.deepEqual(parseCgroupPath(`/docker/${id}`), { runtime: 'docker', containerId: id });
  assert.deepEqual(parseCgroupPath(`/machine.slice/libpod-${id}.scope`), { runtime: 'podman', containerId: id });
  // kind and other nested clusters: the kubelet's tree under a node container's own cgroup.
  assert.deepEqual(parseCgroupPath(`/system.slice/docker-${'cd'.repeat(32)}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-${id}.scope`), { runtime: 'containerd', containerId: id, podUid: uid });
  for (const host of ['/', '/system.slice/cron.service', '/user.slice/user-0.slice/session-1.scope', `/kubepods.slice/kubepods-pod${uid.replace(/-/g, '_')}.slice`, `/${id}`]) assert.equal(parseCgroupPath(host), undefined, host);
});
