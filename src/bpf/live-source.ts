// Live capture through the eBPF addon: emits the same events as pcap replay.
//
// DNS: the socket filter copies DNS frames (both directions; one copy on loopback) and they go
// through the same wire decoder as pcap replay. Which process asked is joined in the kernel: when
// a packet to a DNS port leaves a socket, the transmit hook (running in the sending process)
// records the process under the client's local address, port and protocol; the socket filter
// looks that key up for queries (source side) and responses (destination side) and puts the
// process into the packet record. TCP and drop events come as their own records.
import { CaptureUnavailableError, oneLine } from '../errors.js';
import { bump, emptySummary, type CaptureEvent, type CaptureSource, type CaptureSummary, type DropEvent, type EventBatchHandler, type ProcessRef } from '../events.js';
import { createWireDecoder, LinkType } from '../capture/wire-decoder.js';
import { loadCaptureAddon, type AddonStats } from './addon-loader.js';
import { checkCaptureCapabilities } from './capabilities.js';
import { readConntrackStat } from './conntrack-stat.js';
import { dropReasonNames } from './drop-reasons.js';
import { listInterfaces, resolveInterfaces } from './interfaces.js';
import { RecordDecoder, type RecordSink } from './record-decoder.js';
import { LostIndex } from './record-layout.js';
import { TcpEventAssembler } from './tcp-events.js';

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
}

const IPPROTO_TCP = 6;

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

  const summary = emptySummary();
  const wireSummary = emptySummary();
  // Kernel timestamps are CLOCK_MONOTONIC, the clock of process.hrtime.
  const offsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  const toEpochMs = (monoNs: number) => monoNs / 1e6 + offsetMs;
  const nowNs = () => Number(process.hrtime.bigint());

  let out: CaptureEvent[] = [];
  // DNS packets are counted in a plain variable: a Record update per packet costs on the hot path.
  let dnsEvents = 0;
  const push = (ev: CaptureEvent) => {
    if (ev.type === 'dns') dnsEvents++;
    else bump(summary.events, ev.type);
    out.push(ev);
  };
  let owner: ProcessRef | undefined;
  const wire = createWireDecoder({
    dnsPorts,
    summary: wireSummary,
    emit: (ev) => {
      // TCP events come from the kernel's own hooks; the decoder's view of DNS flows would repeat them.
      if (ev.type !== 'dns') return bump(summary.counters, 'wire_tcp_events_ignored');
      if (owner) {
        ev.pid = owner.pid;
        ev.comm = owner.comm;
        ev.cgroupId = owner.cgroupId;
      }
      push(ev);
    },
  });
  const tcp = new TcpEventAssembler(toEpochMs);
  const reasonName = dropReasonNames(addon.dropReasons());
  const records = new RecordDecoder();
  const sink: RecordSink = {
    packet(p) {
      owner = p.owner;
      wire.decode({ linkType: p.l2Len === 0 ? LinkType.RAW : LinkType.ETHERNET, ts: toEpochMs(p.tsNs), data: p.data, origLen: p.origLen, ifindex: p.ifindex });
      owner = undefined;
    },
    tcp: (r) => tcp.add(r, push),
    drop(d) {
      const ev: DropEvent = {
        type: 'drop', ts: toEpochMs(d.tsNs), reason: reasonName(d.reason), proto: d.proto === IPPROTO_TCP ? 'tcp' : 'udp',
        src: d.src, sport: d.sport, dst: d.dst, dport: d.dport,
      };
      push(ev);
    },
    malformed: (reason) => bump(summary.malformed, reason),
  };

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

  let capture;
  try {
    capture = new addon.Capture({ dnsPorts, interfaces: known, bindIfindexes, ringBytes: opts.ringBytes }, (buf, n) => {
      if (buf === null) return ended();
      bump(summary.counters, 'records', n);
      records.decodeBatch(buf, sink);
      deliver();
    });
  } catch (err) {
    throw new CaptureUnavailableError(`live capture could not start: ${oneLine(err)}`);
  }

  const sampleConntrack = async () => {
    const s = await readConntrackStat();
    if (s) push(s);
    else bump(summary.counters, 'conntrack_unavailable');
    deliver();
  };
  const interval = opts.conntrackIntervalMs ?? 10_000;
  const timers = [
    setInterval(() => {
      tcp.expire(nowNs(), push);
      deliver();
    }, 500),
    setInterval(() => wire.expire(Date.now()), 5_000),
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
  wire.flush();
  tcp.flush(push);
  await sampleConntrack();
  deliver();
  if (failure) throw failure;
  if (dnsEvents) bump(summary.events, 'dns', dnsEvents);
  return finish(summary, wireSummary, stats);
}

function finish(summary: CaptureSummary, wire: CaptureSummary, stats: AddonStats): CaptureSummary {
  for (const [k, v] of Object.entries(wire.malformed)) bump(summary.malformed, k, v);
  for (const [k, v] of Object.entries(wire.counters)) bump(summary.counters, k, v);
  for (const [k, v] of Object.entries(wire.lost)) bump(summary.lost, k, v);
  summary.lost.ringbuf_packets = stats.lost[LostIndex.PACKET] ?? 0;
  summary.lost.ringbuf_tcp = stats.lost[LostIndex.TCP] ?? 0;
  summary.lost.ringbuf_drops = stats.lost[LostIndex.DROP] ?? 0;
  summary.lost.queue_full = stats.queueFull;
  // An owner-map failure loses attribution, not a record: reported as a counter.
  summary.counters.owner_map_update_failed = stats.lost[LostIndex.OWNER_MAP] ?? 0;
  summary.counters.batches = stats.batches;
  return summary;
}
