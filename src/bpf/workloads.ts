// Which container and pod a process runs in, from the cgroup v2 id the kernel gives every
// captured record: the id is the inode of the cgroup's directory, and the directory's path is
// named by the container runtime and the kubelet (containerd, CRI-O, Docker, Podman; systemd and
// cgroupfs drivers). Pod names come from whoever watches the Kubernetes API (podName).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Workload {
  runtime: 'containerd' | 'cri-o' | 'docker' | 'podman' | 'kubernetes';
  /** The full container id (64 hex digits). */
  containerId: string;
  /** The pod's UID, when the kubelet made the cgroup. */
  podUid?: string;
}

const ID = '([0-9a-f]{64})';
/** Container scopes as runtimes name them under the systemd driver, and bare ids under cgroupfs. */
const CONTAINER_PATTERNS: Array<[RegExp, Workload['runtime']]> = [
  [new RegExp(`^cri-containerd-${ID}\\.scope$`), 'containerd'],
  [new RegExp(`^crio-${ID}\\.scope$`), 'cri-o'],
  [new RegExp(`^docker-${ID}\\.scope$`), 'docker'],
  [new RegExp(`^libpod-${ID}\\.scope$`), 'podman'],
  [new RegExp(`^${ID}$`), 'kubernetes'],
];
/**
 * kubepods-burstable-pod<uid with _ for ->.slice (systemd driver; kind's nested kubelet prefixes
 * "kubelet-") or pod<uid> (cgroupfs).
 */
const POD = /^(?:(?:[a-z]+-)?kubepods(?:-[a-z]+)?-pod([0-9a-f_]{36})\.slice|pod([0-9a-f-]{36}))$/;

/** The workload a cgroup path names, or undefined for a host process (system slices, the root). */
export function parseCgroupPath(path: string): Workload | undefined {
  const parts = path.split('/').filter(Boolean);
  let podUid: string | undefined;
  let found: Workload | undefined;
  for (let i = 0; i < parts.length; i++) {
    const pod = POD.exec(parts[i]);
    if (pod) podUid = (pod[1] ?? pod[2]).replace(/_/g, '-');
    for (const [re, runtime] of CONTAINER_PATTERNS) {
      const m = re.exec(parts[i]);
      if (!m) continue;
      // A bare id is a container only under a pod (cgroupfs driver) or under /docker/.
      if (runtime === 'kubernetes' && !podUid && parts[i - 1] !== 'docker') continue;
      found = { runtime: runtime === 'kubernetes' && !podUid ? 'docker' : runtime, containerId: m[1] };
    }
  }
  if (!found) return undefined;
  return podUid ? { ...found, podUid } : found;
}

/** The mount point of the cgroup v2 hierarchy (/sys/fs/cgroup, or …/unified on hybrid hosts). */
export function cgroup2Root(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.startsWith('cgroup2 ')) return left.split(' ')[4];
  }
  return undefined;
}

/** Directories the index holds at most (a busy node has a few thousand cgroups). */
const MAX_INDEXED = 50_000;
/** An id not in the index triggers a new scan at most this often. */
const RESCAN_MS = 5_000;

export interface WorkloadNamesOptions {
  /** cgroup v2 mount point; absent: found from /proc/self/mountinfo. */
  root?: string;
  /** "namespace/name" of a pod by UID, when the Kubernetes API is watched. */
  podName?: (uid: string) => string | undefined;
  now?: () => number;
}

export class WorkloadNames {
  private readonly root: string | undefined;
  private index = new Map<string, Workload | null>();
  private scannedAt = -Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: WorkloadNamesOptions = {}) {
    this.root = opts.root ?? cgroup2Root();
    this.now = opts.now ?? Date.now;
  }

  /** What a process in this cgroup is named after besides its comm: its pod, else its container. */
  label(cgroupId: string): string | undefined {
    const w = this.lookup(cgroupId);
    if (!w) return undefined;
    if (w.podUid) return this.opts.podName?.(w.podUid) ?? `pod ${w.podUid.slice(0, 8)}`;
    return `container ${w.containerId.slice(0, 12)}`;
  }

  lookup(cgroupId: string): Workload | undefined {
    let w = this.index.get(cgroupId);
    if (w === undefined && this.now() - this.scannedAt >= RESCAN_MS) {
      this.scan();
      w = this.index.get(cgroupId);
    }
    return w ?? undefined;
  }

  /** Indexes every cgroup directory by inode: workloads by what their path names, the rest as none. */
  private scan(): void {
    this.scannedAt = this.now();
    if (!this.root) return;
    const index = new Map<string, Workload | null>();
    const walk = (dir: string, rel: string) => {
      if (index.size >= MAX_INDEXED) return;
      let ino: string;
      try {
        ino = statSync(dir, { bigint: true }).ino.toString();
      } catch {
        return; // removed while walking
      }
      index.set(ino, parseCgroupPath(rel) ?? null);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), `${rel}/${e.name}`);
    };
    walk(this.root, '');
    this.index = index;
  }
}
