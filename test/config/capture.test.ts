// The capture section: defaults when absent, extra DNS ports after 53 without repeats, interfaces
// as one name or a list, the user the agent continues as, pod names from the Kubernetes API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';

test('capture settings: defaults, then configured ports, interfaces and interval', () => {
  assert.deepEqual(parseConfig('{}\n', 'config.yaml', '.').capture, { dnsPorts: [53], interfaces: [], conntrackIntervalMs: 10_000, user: 'egresswatch', ringBytes: 16 * 1024 * 1024, kubernetes: 'auto', kubeconfig: null });
  const c = parseConfig('capture:\n  dnsPorts: [5353, 53, 5353]\n  interfaces: lo\n  conntrackInterval: 30s\n  user: monitor\n  ringBufferKB: 64\n  kubernetes: on\n  kubeconfig: kube/config\n', 'config.yaml', '/etc/egresswatch').capture;
  assert.deepEqual(c, { dnsPorts: [53, 5353], interfaces: ['lo'], conntrackIntervalMs: 30_000, user: 'monitor', ringBytes: 65536, kubernetes: 'on', kubeconfig: '/etc/egresswatch/kube/config' });
  assert.equal(parseConfig('capture:\n  kubernetes: false\n', 'config.yaml', '.').capture.kubernetes, 'off');
  assert.throws(() => parseConfig('capture:\n  kubernetes: maybe\n', 'config.yaml', '.'), /capture\.kubernetes/);
  assert.throws(() => parseConfig('capture:\n  ringBufferKB: 100\n', 'config.yaml', '.'), /capture\.ringBufferKB.*power of two/);
  assert.throws(() => parseConfig('capture:\n  user: "a b"\n', 'config.yaml', '.'), /capture\.user.*not a user name/);
});
