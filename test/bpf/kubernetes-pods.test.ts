// Pod names from the Kubernetes API through @kubernetes/client-node, against an API-compatible
// server on loopback: the pods of this node only (field selector in the list and the watch), the
// kubeconfig's token, pods added and deleted through the watch; an API that fails is said once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubernetesPods } from '../../src/bpf/kubernetes-pods.js';
import { pod, startKubernetesApi } from '../helpers/kubernetes-api.js';
import { until } from '../helpers/until.js';

const UID1 = '11111111-1111-4111-8111-111111111111';
const UID2 = '22222222-2222-4222-8222-222222222222';

test("this node's pods by UID: listed, then added and deleted through the watch", async (t) => {
  const api = await startKubernetesApi(t, [pod('shop', 'web-1', UID1)]);
  const lines: string[] = [];
  const pods = new KubernetesPods({ nodeName: 'node-1', kubeconfig: api.kubeconfig, log: (l) => lines.push(l) });
  t.after(() => pods.stop());
  await pods.start();
  assert.equal(pods.name(UID1), 'shop/web-1');
  await until(async () => api.watchers.length, (n) => n > 0);
  api.send('ADDED', pod('shop', 'worker-7', UID2));
  await until(async () => pods.name(UID2), (name) => name !== undefined);
  assert.equal(pods.name(UID2), 'shop/worker-7');
  api.send('DELETED', pod('shop', 'web-1', UID1));
  await until(async () => pods.name(UID1), (name) => name === undefined);
  for (const r of api.requests) {
    assert.equal(r.url.searchParams.get('fieldSelector'), 'spec.nodeName=node-1', `${r.url}: this node's pods only`);
    assert.equal(r.authorization, 'Bearer test-token');
  }
  assert.deepEqual(lines, []);
});

test('an API that fails: one line, no pod names, and the agent goes on', async (t) => {
  const api = await startKubernetesApi(t, [], { failList: true });
  const lines: string[] = [];
  const pods = new KubernetesPods({ nodeName: 'node-1', kubeconfig: api.kubeconfig, log: (l) => lines.push(l) });
  t.after(() => pods.stop());
  await pods.start();
  assert.equal(pods.size, 0);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^kubernetes: watching this node's pods failed \(.+\); processes in pods are named by pod UID until it works again$/);
});
