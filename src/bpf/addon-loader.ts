// Loads the native capture addon (native/build/Release/egresswatch_capture.node) and describes
// its exports; when it cannot load, one sentence says why and how to fix it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CaptureUnavailableError, oneLine } from '../errors.js';

/** Interfaces the addon's BPF side is told about: framing and whether it is a loopback. */
export interface AddonInterface {
  ifindex: number;
  loopback: boolean;
  /** Link header bytes before the IP header in frames of this interface (14 or 0). */
  l2Len: number;
}

export interface AddonCaptureOptions {
  dnsPorts: number[];
  interfaces: AddonInterface[];
  /** One packet socket per ifindex; empty: one socket for every interface. */
  bindIfindexes: number[];
  /** Ring buffer bytes (a power-of-2 number of pages); default 16 MiB. */
  ringBytes?: number;
}

export interface AddonStats {
  /** Records read from the ring buffer. */
  records: number;
  batches: number;
  /** Records dropped because JavaScript fell behind (batch queue full). */
  queueFull: number;
  /** Kernel-side reservation failures by enum ew_lost_index (summed over CPUs). */
  lost: number[];
}

export interface AddonCapture {
  stats(): AddonStats;
  /**
   * Stops the reader thread (draining the ring), detaches everything and returns the final
   * counters; onBatch(null, 0) follows the last batch.
   */
  close(): AddonStats;
}

/** Called on the JS thread with one batch of records, or (null, 0) once after close(). */
export type AddonBatchCallback = (batch: Uint8Array | null, records: number) => void;

export interface LayoutEntry {
  sizeof: number;
  [field: string]: number;
}

export interface CaptureAddon {
  Capture: new (opts: AddonCaptureOptions, onBatch: AddonBatchCallback) => AddonCapture;
  /** [value, name] of every enum skb_drop_reason value in the running kernel's BTF. */
  dropReasons(): [number, string][];
  /** sizeof/offsetof of every record in events.h, as compiled. */
  layout(): Record<'header' | 'owner' | 'packet' | 'tcp' | 'drop', LayoutEntry> & { constants: Record<string, number> };
  /** prctl(PR_SET_NO_NEW_PRIVS) on the calling thread; throws when the kernel refuses. */
  setNoNewPrivs(): void;
  /** execve(2): replaces the process image; returns only by throwing. */
  reexec(path: string, argv: string[], env: string[]): never;
}

export const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/egresswatch_capture.node', import.meta.url));

let cached: CaptureAddon | undefined;

/** The addon, or a CaptureUnavailableError whose one line lists the likely causes. */
export function loadCaptureAddon(): CaptureAddon {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = require(ADDON_PATH) as CaptureAddon;
    return cached;
  } catch (err) {
    throw new CaptureUnavailableError(
      `the native capture addon could not be loaded (${oneLine(err)}): it is not built (run \`npm run build:native\`, which needs clang, bpftool, libbpf-dev and libelf-dev from scripts/install-system-packages.sh), was built for another Node version (rebuild it), or libbpf is missing at run time`,
    );
  }
}
