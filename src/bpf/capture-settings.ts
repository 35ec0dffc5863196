// Settings of live capture (the `capture:` section): DNS ports, interfaces, conntrack sampling,
// and the user the agent continues as once attached.

export interface CaptureSettings {
  /** 53 first, then the configured extras, without repeats. */
  dnsPorts: number[];
  interfaces: string[];
  conntrackIntervalMs: number;
  /** The user the agent continues as once capture is attached ("root": it stays root). */
  user: string;
  /** Bytes of the kernel ring buffer (a power of two, at least a page): smaller loses records sooner under bursts. */
  ringBytes: number;
  /**
   * Pod names from the Kubernetes API: "auto" asks it when running in a cluster (a service
   * account is mounted) or when a kubeconfig is set; "off" never does.
   */
  kubernetes: 'auto' | 'on' | 'off';
  /** A kubeconfig file; absent: the in-cluster service account. */
  kubeconfig: string | null;
}

export function defaultCaptureSettings(): CaptureSettings {
  return { dnsPorts: [53], interfaces: [], conntrackIntervalMs: 10_000, user: 'egresswatch', ringBytes: 16 * 1024 * 1024, kubernetes: 'auto', kubeconfig: null };
}
