// A Kubernetes API server for tests, on loopback: HTTPS with a test CA (the client refuses plain
// HTTP), a pod list, and a watch stream the test writes events into; plus a kubeconfig for it.
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from './test-ca.js';

export const pod = (namespace: string, name: string, uid: string, nodeName = 'node-1') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, uid, resourceVersion: '100' }, spec: { nodeName } });

export interface TestKubernetesApi {
  requests: Array<{ url: URL; authorization?: string }>;
  /** Open watch streams. */
  watchers: ServerResponse[];
  kubeconfig: string;
  send(type: 'ADDED' | 'DELETED', object: object): void;
}

/** Lists `pods`, then streams the watch events the test sends; every request fails with 500 when failList. */
export async function startKubernetesApi(t: { after: (fn: () => unknown) => void }, pods: object[], opts: { failList?: boolean } = {}): Promise<TestKubernetesApi> {
  const requests: TestKubernetesApi['requests'] = [];
  const watchers: ServerResponse[] = [];
  const ca = createTestCa();
  t.after(() => ca.remove());
  const server = createServer(ca.issue({ names: ['127.0.0.1'] }), (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ url, authorization: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (opts.failList) {
      res.statusCode = 500;
      return res.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'etcd unavailable', code: 500 }));
    }
    if (url.pathname !== '/api/v1/pods') {
      res.statusCode = 404;
      return res.end('{}');
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      return void watchers.push(res);
    }
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '100' }, items: pods }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const w of watchers) w.destroy();
    server.close();
  });
  const dir = mkdtempSync(join(tmpdir(), 'ew-kube-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster: {server: "https://127.0.0.1:${(server.address() as AddressInfo).port}", certificate-authority: "${ca.caFile}"}\nusers:\n- name: agent\n  user: {token: test-token}\ncontexts:\n- name: test\n  context: {cluster: test, user: agent}\ncurrent-context: test\n`);
  const send = (type: 'ADDED' | 'DELETED', object: object) => {
    for (const w of watchers) w.write(`${JSON.stringify({ type, object })}\n`);
  };
  return { requests, watchers, kubeconfig, send };
}
