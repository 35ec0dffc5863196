// Turns batches of ring-buffer records into capture events: packet records through the shared
// wire decoder (with the process the kernel joined to them), TCP records through the connect
// joiner, drop records with the kernel's reason names. No kernel needed: tests and benchmarks
// feed it batches directly.
import { addCounts, bump, emptySummary, type CaptureEvent, type CaptureSummary, type DropEvent, type ProcessRef } from '../events.js';
import { createWireDecoder, LinkType, type WireDecoder } from '../capture/wire-decoder.js';
import type { DropReasonNames } from './drop-reasons.js';
import { InterfaceCopyFilter } from './interface-copies.js';
import { RecordDecoder, type RecordSink } from './record-decoder.js';
import { TcpEventAssembler } from './tcp-events.js';

const IPPROTO_TCP = 6;

export interface RecordPipelineOptions {
  dnsPorts: readonly number[];
  dropReasonName: DropReasonNames;
  /** Kernel CLOCK_MONOTONIC nanoseconds to ms since the epoch. */
  toEpochMs: (monoNs: number) => number;
  /** Receives every event, in record order. */
  emit: (ev: CaptureEvent) => void;
  /** Capturing on more than one interface: drop the copies of a packet seen on each it crosses. */
  multiInterface?: boolean;
  /** Names the pod or container of a cgroup id (appended to the process's name). */
  workloadLabel?: (cgroupId: string) => string | undefined;
}

export class RecordPipeline {
  /** Events by type, malformed records and frames by reason, counters; losses are the caller's. */
  readonly summary: CaptureSummary = emptySummary();
  private readonly wireSummary = emptySummary();
  private readonly wire: WireDecoder;
  private readonly tcp: TcpEventAssembler;
  private readonly records: RecordDecoder;
  private readonly sink: RecordSink;
  private owner: ProcessRef | undefined;
  // DNS packets are counted in a plain field: a Record update per packet costs on the hot path.
  private dnsEvents = 0;
  private recordCount = 0;
  private interfaceCopies = 0;
  private readonly copies: InterfaceCopyFilter | undefined;
  private readonly push: (ev: CaptureEvent) => void;

  constructor(private readonly opts: RecordPipelineOptions) {
    this.records = new RecordDecoder(opts.workloadLabel);
    this.copies = opts.multiInterface ? new InterfaceCopyFilter() : undefined;
    this.push = (ev) => {
      if (ev.type === 'dns') this.dnsEvents++;
      else bump(this.summary.events, ev.type);
      opts.emit(ev);
    };
    this.wire = createWireDecoder({
      dnsPorts: opts.dnsPorts,
      summary: this.wireSummary,
      emit: (ev) => {
        // TCP events come from the kernel's own hooks; the decoder's view of DNS flows would repeat them.
        if (ev.type !== 'dns' && ev.type !== 'dns_unreachable') return bump(this.summary.counters, 'wire_tcp_events_ignored');
        const o = this.owner;
        if (o) {
          ev.pid = o.pid;
          ev.comm = o.comm;
          ev.cgroupId = o.cgroupId;
        }
        if (ev.type === 'dns' && this.copies?.isCopy(ev)) return void this.interfaceCopies++;
        this.push(ev);
      },
    });
    this.tcp = new TcpEventAssembler(opts.toEpochMs);
    const { toEpochMs, dropReasonName } = opts;
    this.sink = {
      packet: (p) => {
        this.owner = p.owner;
        this.wire.decode({ linkType: p.l2Len === 0 ? LinkType.RAW : LinkType.ETHERNET, ts: toEpochMs(p.tsNs), data: p.data, origLen: p.origLen, ifindex: p.ifindex });
        this.owner = undefined;
      },
      tcp: (r) => this.tcp.add(r, this.push),
      drop: (d) => {
        const ev: DropEvent = {
          type: 'drop', ts: toEpochMs(d.tsNs), reason: dropReasonName(d.reason), proto: d.proto === IPPROTO_TCP ? 'tcp' : 'udp',
          src: d.src, sport: d.sport, dst: d.dst, dport: d.dport,
        };
        this.push(ev);
      },
      malformed: (reason) => bump(this.summary.malformed, reason),
    };
  }

  /** One batch as the addon delivers it (records 8-byte aligned). */
  addBatch(buf: Uint8Array, records: number): void {
    this.recordCount += records;
    this.records.decodeBatch(buf, this.sink);
  }

  /** Emits connects held past their hold time and forgets idle DNS-over-TCP flows. */
  expire(nowMonoNs: number): void {
    this.tcp.expire(nowMonoNs, this.push);
  }

  expireFlows(nowMs: number): void {
    this.wire.expire(nowMs);
  }

  /** End of input: pending connects and TCP messages, then the counters into the summary. */
  flush(): CaptureSummary {
    this.wire.flush();
    this.tcp.flush(this.push);
    const s = this.summary;
    const w = this.wireSummary;
    addCounts(s.malformed, w.malformed);
    addCounts(s.counters, w.counters);
    addCounts(s.lost, w.lost);
    w.malformed = {};
    w.counters = {};
    w.lost = {};
    if (this.dnsEvents) bump(s.events, 'dns', this.dnsEvents);
    if (this.recordCount) bump(s.counters, 'records', this.recordCount);
    if (this.interfaceCopies) bump(s.counters, 'dns_copies_on_other_interfaces', this.interfaceCopies);
    this.interfaceCopies = 0;
    this.dnsEvents = 0;
    this.recordCount = 0;
    return s;
  }
}
