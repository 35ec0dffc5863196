// The agent's JavaScript heap is sized from its memory ceiling (store.memoryLimitMB). Left to its
// defaults, V8 on a 64-bit host lets the old generation grow to 4× what is live before collecting
// (its limit is 4 GB), so a burst of new domains left 350 MB resident for 110 MB of live data.
// With a limit under 1 GB V8 grows the heap by at most 2× and collects sooner.
//
// The limit can only be set when node starts, so `run` starts node again in the same process
// (execve through the native addon: same PID, parent and descriptors) with --max-old-space-size,
// before it has opened or printed anything. A limit the operator set (NODE_OPTIONS or a node
// flag) is kept as it is.
import v8 from 'node:v8';

/** The share of the memory ceiling the JS heap may use; the rest is node itself, the ring buffer and typed arrays. */
const HEAP_SHARE = 0.6;
const MIN_HEAP_MB = 128;
/** Set in the environment of the restarted process, so it never restarts twice. */
const MARKER = 'EGRESSWATCH_HEAP_LIMIT_MB';

export interface HeapLimitPlan {
  /** What the restarted process is given, MB. */
  heapMB: number;
  /** Why nothing is done, when nothing is. */
  keep?: string;
}

export function heapLimitMB(memoryLimitBytes: number): number {
  return Math.max(MIN_HEAP_MB, Math.round((memoryLimitBytes / 1_048_576) * HEAP_SHARE));
}

/** Whether and how the heap limit is to be set, from the flags and environment node started with. */
export function planHeapLimit(memoryLimitBytes: number, execArgv: readonly string[], env: NodeJS.ProcessEnv): HeapLimitPlan {
  const heapMB = heapLimitMB(memoryLimitBytes);
  if (env[MARKER] !== undefined) return { heapMB, keep: 'already set' };
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.some((f) => /^--max[-_]old[-_]space[-_]size\b/.test(f))) return { heapMB, keep: 'set by the operator with --max-old-space-size' };
  return { heapMB };
}

/** The heap limit node runs with now, MB. */
export function currentHeapLimitMB(): number {
  return Math.round(v8.getHeapStatistics().heap_size_limit / 1_048_576);
}

/**
 * Starts node again with the heap limit unless planHeapLimit says to keep it; returns only when
 * nothing was done, with the reason (the addon is missing, execve failed, or already set).
 */
export async function applyHeapLimit(memoryLimitBytes: number): Promise<string> {
  const plan = planHeapLimit(memoryLimitBytes, process.execArgv, process.env);
  if (plan.keep) return plan.keep;
  let reexec: (path: string, argv: string[], env: string[]) => never;
  try {
    const { loadCaptureAddon } = await import('../bpf/addon-loader.js');
    const addon = loadCaptureAddon();
    reexec = addon.reexec.bind(addon);
  } catch {
    return 'not set: the native addon is not built';
  }
  const env = { ...process.env, [MARKER]: String(plan.heapMB) };
  const argv = [process.execPath, ...process.execArgv, `--max-old-space-size=${plan.heapMB}`, ...process.argv.slice(1)];
  try {
    reexec(process.execPath, argv, Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`));
  } catch (err) {
    return `not set: ${(err as Error).message}`;
  }
  return 'not set';
}
