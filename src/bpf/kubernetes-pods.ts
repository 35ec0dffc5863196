// The names of the pods on this node, by UID, from the Kubernetes API (@kubernetes/client-node):
// a list-and-watch of the pods whose spec.nodeName is this node, so that processes in pods are
// named "namespace/name" rather than by a UID. Read-only; needs get, list and watch on pods.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { oneLine } from '../errors.js';

export interface KubernetesPodsOptions {
  /** This node's name (the DaemonSet passes spec.nodeName). */
  nodeName: string;
  /** A kubeconfig file; absent: the pod's service account (in-cluster configuration). */
  kubeconfig?: string;
  /** One line when the watch fails (it retries on its own) and when it works again. */
  log: (line: string) => void;
}

/** Pods kept at most: a node runs a few hundred. */
const MAX_PODS = 5_000;
const RETRY_MS = 5_000;

export class KubernetesPods {
  private readonly names = new Map<string, string>();
  private stopInformer: (() => Promise<void>) | undefined;
  private failing = false;
  private stopped = false;

  constructor(private readonly options: KubernetesPodsOptions) {}

  /** "namespace/name" of a pod of this node, when the API has listed it. */
  name(uid: string): string | undefined {
    return this.names.get(uid);
  }

  get size(): number {
    return this.names.size;
  }

  /** Lists this node's pods and watches them; resolves after the first list (or its failure). */
  async start(): Promise<void> {
    // The client is large: it loads only where there is a cluster to ask.
    const k8s = await import('@kubernetes/client-node');
    const kc: KubeConfig = new k8s.KubeConfig();
    if (this.options.kubeconfig) kc.loadFromFile(this.options.kubeconfig);
    else kc.loadFromCluster();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const fieldSelector = `spec.nodeName=${this.options.nodeName}`;
    // Only this node's pods, in the list and in the watch (makeInformer cannot pass a field selector).
    const informer = new k8s.ListWatch<V1Pod>('/api/v1/pods', new k8s.Watch(kc), () => api.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector);
    const keep = (pod: V1Pod) => {
      const uid = pod.metadata?.uid;
      if (!uid || (!this.names.has(uid) && this.names.size >= MAX_PODS)) return;
      this.names.set(uid, `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? uid}`);
      this.healthy();
    };
    informer.on('add', keep);
    informer.on('update', keep);
    informer.on('delete', (pod) => {
      if (pod.metadata?.uid) this.names.delete(pod.metadata.uid);
    });
    informer.on('connect', () => this.healthy());
    let retry: NodeJS.Timeout | undefined;
    const onError = (err: unknown) => {
      if (!this.failing) this.options.log(`kubernetes: watching this node's pods failed (${oneLine(err)}); processes in pods are named by pod UID until it works again`);
      this.failing = true;
      // The informer stops on an error: start it again after a pause (once, however many errors).
      if (this.stopped || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        if (!this.stopped) informer.start().catch(onError);
      }, RETRY_MS);
      retry.unref();
    };
    informer.on('error', onError);
    this.stopInformer = async () => {
      clearTimeout(retry);
      await informer.stop();
    };
    await informer.start().catch(onError);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopInformer?.().catch(() => undefined);
  }

  private healthy(): void {
    if (this.failing) this.options.log("kubernetes: watching this node's pods again");
    this.failing = false;
  }
}
