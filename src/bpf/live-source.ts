// Live capture through the eBPF addon: emits the same events as pcap replay.
//
// DNS: the socket filter copies DNS frames (both directions; one copy on loopback) and they go
// through the same wire decoder as pcap replay. Which process asked is joined in the kernel: when
// a packet to a DNS port leaves a socket, the transmit hook (running in the sending process)
// records the process under the client's local address, port and protocol; the socket filter
// looks that key up for queries (source side) and responses (destination side) and puts the
// process into the packet record. TCP and drop events come as their own records.
import { CaptureUnavailableError, oneLine } from '../errors.js';
import { bump, type CaptureEvent, type CaptureSource, type CaptureSummary, type EventBatchHandler } from '../events.js';
import { loadCaptureAddon, type AddonCapture, type AddonStats } from './addon-loader.js';
import { checkCaptureCapabilities } from './capabilities.js';
import { readConntrackStat } from './conntrack-stat.js';
import { dropReasonNames } from './drop-reasons.js';
import { listInterfaces, resolveInterfaces } from './interfaces.js';
import { LostIndex } from './record-layout.js';
import { RecordPipeline } from './record-pipeline.js';
import { WorkloadNames } from './workloads.js';

export interface LiveCaptureOptions {
  /** UDP/TCP ports treated as DNS (53 plus configured extras). */
  dnsPorts: number[];
  /** Interfaces to capture DNS packets on; empty means every interface. */
  interfaces: string[];
  /** How often to sample /proc/net/stat/nf_conntrack (default 10 s; 0: only at start and stop). */
  conntrackIntervalMs?: number;
  /** Ring buffer bytes, a power-of-2 number of pages (default 16 MiB): smaller loses records sooner. */
  ringBytes?: number;
  /** Called once every program and socket is attached: traffic from then on is seen. */
  ready?: () => void;
  /**
   * Called (about twice a second) whenever records were lost since the last call, with the
   * totals since start by reason (ring buffer full per record kind, delivery queue full).
   */
  onLost?: (lost: Readonly<Record<string, number>>) => void;
  /** "namespace/name" of a pod by UID (from the Kubernetes API), for naming processes in pods. */
  podName?: (uid: string) => string | undefined;
}

export function createLiveSource(opts: LiveCaptureOptions): CaptureSource {
  return {
    description: 'live eBPF',
    run: (handler, signal) => runLive(opts, handler, signal),
  };
}

async function runLive(opts: LiveCaptureOptions, handler: EventBatchHandler, signal?: AbortSignal): Promise<CaptureSummary> {
  checkCaptureCapabilities();
  const addon = loadCaptureAddon();
  const known = listInterfaces();
  const bindIfindexes = resolveInterfaces(opts.interfaces, known);
  const dnsPorts = [...new Set(opts.dnsPorts)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (dnsPorts.length > 16) throw new CaptureUnavailableError(`live capture supports at most 16 DNS ports (${dnsPorts.length} configured)`);

  // Kernel timestamps are CLOCK_MONOTONIC, the clock of process.hrtime.
  const offsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  const nowNs = () => Number(process.hrtime.bigint());

  let out: CaptureEvent[] = [];
  // Processes in containers are named with their pod (or container): from the cgroup tree.
  const workloads = new WorkloadNames({ podName: opts.podName });
  const pipeline = new RecordPipeline({
    dnsPorts,
    dropReasonName: dropReasonNames(addon.dropReasons()),
    toEpochMs: (monoNs) => monoNs / 1e6 + offsetMs,
    emit: (ev) => out.push(ev),
    multiInterface: bindIfindexes.length !== 1,
    workloadLabel: (id) => workloads.label(id),
  });
  const summary = pipeline.summary;

  let failure: unknown;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let ended!: () => void;
  const drained = new Promise<void>((resolve) => (ended = resolve));
  const deliver = () => {
    if (out.length === 0) return;
    const batch = out;
    out = [];
    try {
      handler(batch);
    } catch (err) {
      failure ??= err;
      stop();
    }
  };

  let capture: AddonCapture;
  try {
    capture = new addon.Capture({ dnsPorts, interfaces: known, bindIfindexes, ringBytes: opts.ringBytes }, (buf, n) => {
      if (buf === null) return ended();
      pipeline.addBatch(buf, n);
      deliver();
    });
  } catch (err) {
    throw new CaptureUnavailableError(`live capture could not start: ${oneLine(err)}`);
  }

  const sampleConntrack = async () => {
    const s = await readConntrackStat();
    if (s) {
      bump(summary.events, 'conntrack');
      out.push(s);
    } else {
      bump(summary.counters, 'conntrack_unavailable');
    }
    deliver();
  };
  const interval = opts.conntrackIntervalMs ?? 10_000;
  let lostSoFar = 0;
  const reportLost = () => {
    if (!opts.onLost) return;
    const lost = lostCounts(capture.stats());
    const total = Object.values(lost).reduce((a, b) => a + b, 0);
    if (total === lostSoFar) return;
    lostSoFar = total;
    opts.onLost(lost);
  };
  const timers = [
    setInterval(() => {
      pipeline.expire(nowNs());
      deliver();
      reportLost();
    }, 500),
    setInterval(() => pipeline.expireFlows(Date.now()), 5_000),
  ];
  if (interval > 0) timers.push(setInterval(() => void sampleConntrack(), interval));
  await sampleConntrack();
  opts.ready?.();

  if (signal?.aborted) stop();
  signal?.addEventListener('abort', () => stop(), { once: true });
  await stopped;

  for (const t of timers) clearInterval(t);
  const stats = capture.close();
  // The last batches arrive after close() returned; the end marker follows them.
  await Promise.race([drained, new Promise((r) => setTimeout(r, 2000).unref())]);
  pipeline.flush();
  await sampleConntrack();
  deliver();
  if (failure) throw failure;
  return finish(summary, stats);
}

/** Records lost before user space, by reason. */
function lostCounts(stats: AddonStats): Record<string, number> {
  return {
    ringbuf_packets: stats.lost[LostIndex.PACKET] ?? 0,
    ringbuf_tcp: stats.lost[LostIndex.TCP] ?? 0,
    ringbuf_drops: stats.lost[LostIndex.DROP] ?? 0,
    queue_full: stats.queueFull,
  };
}

function finish(summary: CaptureSummary, stats: AddonStats): CaptureSummary {
  Object.assign(summary.lost, lostCounts(stats));
  // An owner-map failure loses attribution, not a record: reported as a counter.
  summary.counters.owner_map_update_failed = stats.lost[LostIndex.OWNER_MAP] ?? 0;
  summary.counters.batches = stats.batches;
  return summary;
}
