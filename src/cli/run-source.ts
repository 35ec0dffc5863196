// What `capture`, `dns report` and `label` share: the capture source the options name (a pcap or
// pcapng file, or live eBPF capture), run until the file ends, Ctrl-C, or --duration passes.
import { createLiveSource } from '../bpf/live-source.js';
import { createPcapSource } from '../capture/pcap-source.js';
import type { CaptureSource, CaptureSummary, EventBatchHandler } from '../events.js';

export interface SourceOptions {
  /** A pcap/pcapng file ("-": standard input); live capture when undefined. */
  pcap?: string | undefined;
  dnsPorts: number[];
  /** Live: interfaces to capture DNS on (default all). */
  interfaces?: string[];
  /** Live: called once capture is running. */
  ready?: () => void;
}

export function openSource(opts: SourceOptions): CaptureSource {
  return opts.pcap !== undefined
    ? createPcapSource(opts.pcap, { dnsPorts: opts.dnsPorts })
    : createLiveSource({ dnsPorts: opts.dnsPorts, interfaces: opts.interfaces ?? [], ...(opts.ready ? { ready: opts.ready } : {}) });
}

/** Runs the source until it ends, `signal` aborts (Ctrl-C), or `durationMs` passes. */
export async function runSource(source: CaptureSource, handler: EventBatchHandler, signal: AbortSignal, durationMs?: number): Promise<CaptureSummary> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = durationMs !== undefined ? setTimeout(onAbort, durationMs) : undefined;
  try {
    return await source.run(handler, stop.signal);
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
