// Follows TCP connections seen on the wire: derives connect/established/failed/reset/retransmit/
// close events from handshakes, and routes DNS-over-TCP payload into per-direction reassembly.
// The table is bounded; lookups hash the tuple bytes in place so a packet allocates nothing.
import type { CaptureSummary, TcpEvent, TcpFailReason, DnsPacket } from '../events.js';
import { bump } from '../events.js';
import { DnsTcpStream, type ReassemblyBudget } from './dns-tcp-stream.js';
import { ipv4Text, ipv6Text } from '../ip-text.js';

/** One TCP segment as the wire decoder found it; the object is reused for every packet. */
export interface TcpSegment {
  data: Uint8Array;
  ts: number;
  /** 4 or 16: address length, which is also the family. */
  addrLen: number;
  srcOff: number;
  dstOff: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  payloadOff: number;
  /** Payload bytes present in data (may be fewer than the IP header claims when snapped). */
  payloadLen: number;
  /** Payload bytes the packet carried on the wire. */
  wireLen: number;
  ifindex: number | undefined;
}

/** An ICMP destination-unreachable error quoting a segment: what the kernel would report. */
export interface TcpUnreachable {
  reason: TcpFailReason;
  errno: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

const enum FlowState {
  /** Seen mid-stream (no SYN): kept only to reassemble DNS, never produces connection events. */
  Unknown,
  SynSent,
  Established,
}

/** One direction's sequence tracking and, on DNS flows, its reassembly. */
class FlowSide {
  /** End of the contiguous bytes seen so far, and the highest end seen (beyond a hole); valid when hasHigh. */
  next = 0;
  high = 0;
  hasHigh = false;
  fin = false;
  dns: DnsTcpStream | undefined;
}

class TcpFlow {
  next: TcpFlow | undefined;
  state = FlowState.Unknown;
  /** Which key endpoint (0 = the lower one) opened the connection; 0 for unknown flows. */
  clientSide = 0;
  synTs = 0;
  synSeq = 0;
  /** SYNs sent by the client for this connect (1 + retries). */
  synCount = 0;
  lastSeen = 0;
  readonly sides: [FlowSide, FlowSide] = [new FlowSide(), new FlowSide()];
  constructor(
    readonly key: Uint8Array,
    readonly hash: number,
    /** Text addresses and ports of the two key endpoints, lower first. */
    readonly addr: [string, string],
    readonly port: [number, number],
    readonly isDns: boolean,
  ) {}
}

export interface TcpFlowTableOptions {
  dnsPortSet: Uint8Array;
  emit: (ev: TcpEvent | DnsPacket) => void;
  summary: CaptureSummary;
  maxFlows: number;
  /** A connect whose first SYN is older than this without an answer has timed out. */
  synTimeoutMs: number;
  /** Flows with no packet for this long are forgotten. */
  idleTimeoutMs: number;
  reassemblyBudgetBytes: number;
  /** false: only reassemble DNS over TCP, emit no connection events and track no other flows. */
  connectionEvents: boolean;
}

const KEY_MAX = 1 + 16 + 16 + 4;

export class TcpFlowTable {
  private readonly buckets = new Map<number, TcpFlow>();
  private size = 0;
  private readonly scratch = new Uint8Array(KEY_MAX);
  private scratchLen = 0;
  private lastSweep = -Infinity;
  private readonly budget: ReassemblyBudget;

  constructor(private readonly opts: TcpFlowTableOptions) {
    this.budget = { used: 0, limit: opts.reassemblyBudgetBytes };
  }

  segment(s: TcpSegment): void {
    if (s.ts - this.lastSweep >= 1000) this.sweep(s.ts);
    if (!this.opts.connectionEvents && !this.isDnsSegment(s)) return;
    // Order the endpoints so both directions of a connection share one key.
    const srcFirst = this.compareEndpoints(s) <= 0;
    const from = srcFirst ? 0 : 1;
    const hash = this.buildKey(s, srcFirst);
    let flow = this.find(hash);
    const syn = (s.flags & TCP_SYN) !== 0;
    const ack = (s.flags & TCP_ACK) !== 0;
    const rst = (s.flags & TCP_RST) !== 0;

    if (syn && !ack && !rst) {
      if (flow && flow.state === FlowState.SynSent && flow.clientSide === from) {
        flow.lastSeen = s.ts;
        flow.synCount++;
        this.tcpEvent(flow, s.ts, 'retransmit', { syn: true });
        return;
      }
      if (flow && flow.clientSide === from && flow.state !== FlowState.Unknown && s.seq === flow.synSeq) {
        // A late copy of the SYN of a connection already answered: not a new connect.
        flow.lastSeen = s.ts;
        bump(this.opts.summary.counters, 'tcp_syn_duplicates');
        return;
      }
      if (flow) this.remove(flow); // port reuse: a new connection on the same tuple
      flow = this.create(s, srcFirst, hash);
      if (!flow) return;
      flow.state = FlowState.SynSent;
      flow.clientSide = from;
      flow.synTs = s.ts;
      flow.synSeq = s.seq;
      flow.synCount = 1;
      flow.sides[from].dns?.start(s.seq);
      this.startSide(flow.sides[from], s.seq);
      this.tcpEvent(flow, s.ts, 'connect');
      // TCP Fast Open carries data (a DNS query, RFC 7766 §6.2.2) in the SYN, after the ISN.
      if (s.payloadLen > 0) flow.sides[from].dns?.push(s.data, s.payloadOff, s.payloadLen, (s.seq + 1) >>> 0, s.ts);
      return;
    }

    if (!flow) {
      if (rst || !this.isDnsSegment(s)) {
        bump(this.opts.summary.counters, 'tcp_packets_untracked');
        return;
      }
      flow = this.create(s, srcFirst, hash);
      if (!flow) return;
    }
    flow.lastSeen = s.ts;
    const side = flow.sides[from];

    if (rst) {
      if (flow.state === FlowState.SynSent) {
        if (from !== flow.clientSide) this.tcpEvent(flow, s.ts, 'failed', { reason: 'refused', errno: 111 });
        else this.tcpEvent(flow, s.ts, 'failed', { reason: 'other' });
      } else if (flow.state === FlowState.Established) {
        this.tcpEvent(flow, s.ts, 'reset');
      }
      this.remove(flow);
      return;
    }

    if (syn) {
      // SYN-ACK: the server answered.
      if (flow.state === FlowState.SynSent && from !== flow.clientSide) {
        flow.state = FlowState.Established;
        side.dns?.start(s.seq);
        this.startSide(side, s.seq);
        // Capture times have microsecond resolution at best; more digits would be float noise.
        this.tcpEvent(flow, s.ts, 'established', { latencyMs: Math.max(0, Math.round((s.ts - flow.synTs) * 1000) / 1000) });
      } else {
        bump(this.opts.summary.counters, 'tcp_synack_repeated');
      }
      return;
    }

    if (s.wireLen > 0) this.data(flow, from, side, s);
    if (s.flags & TCP_FIN) {
      side.fin = true;
      const other = flow.sides[from ^ 1];
      if (other.fin) {
        if (flow.state === FlowState.Established) this.tcpEvent(flow, s.ts, 'close');
        this.remove(flow);
      }
    }
  }

  /**
   * An ICMP destination-unreachable quoting segment s (as the client sent it): if s is the SYN
   * of a pending connect, the connect has failed.
   */
  unreachable(s: TcpSegment, reason: TcpFailReason, errno: number): void {
    const srcFirst = this.compareEndpoints(s) <= 0;
    const flow = this.find(this.buildKey(s, srcFirst));
    if (!flow || flow.state !== FlowState.SynSent || flow.clientSide !== (srcFirst ? 0 : 1)) {
      bump(this.opts.summary.counters, 'icmp_unreachable_untracked');
      return;
    }
    this.tcpEvent(flow, s.ts, 'failed', { reason, errno });
    this.remove(flow);
  }

  /** End of input: unanswered connects whose SYN was retried time out; partial DNS is counted. */
  flush(): void {
    for (const flow of this.all()) {
      if (flow.state === FlowState.SynSent) {
        if (flow.synCount > 1) this.tcpEvent(flow, flow.lastSeen, 'failed', { reason: 'timeout', errno: 110 });
        else bump(this.opts.summary.counters, 'tcp_connect_unanswered_at_end');
      }
      this.remove(flow);
    }
  }

  /** Applies timeouts as capture time advances (also callable from a live clock). */
  sweep(now: number): void {
    this.lastSweep = now;
    if (this.size === 0) return;
    for (const flow of this.all()) {
      if (flow.state === FlowState.SynSent && now - flow.synTs >= this.opts.synTimeoutMs) {
        this.tcpEvent(flow, now, 'failed', { reason: 'timeout', errno: 110 });
        this.remove(flow);
      } else if (now - flow.lastSeen >= this.opts.idleTimeoutMs) {
        bump(this.opts.summary.counters, 'tcp_flows_expired');
        this.remove(flow);
      }
    }
  }

  private data(flow: TcpFlow, from: number, side: FlowSide, s: TcpSegment): void {
    const end = (s.seq + s.wireLen) >>> 0;
    if (!side.hasHigh) {
      side.next = side.high = end;
      side.hasHigh = true;
    } else if (((end - side.next) | 0) <= 0) {
      // Nothing new: a retransmission, unless it is a one-byte keepalive probe below the window.
      if (s.wireLen <= 1 && ((side.next - 1 - s.seq) | 0) === 0) {
        bump(this.opts.summary.counters, 'tcp_keepalives');
      } else if (flow.state === FlowState.Established) {
        if (from === flow.clientSide) this.tcpEvent(flow, s.ts, 'retransmit');
        else bump(this.opts.summary.counters, 'tcp_retransmits_from_server');
      }
    } else if (((s.seq - side.next) | 0) <= 0) {
      // New bytes at the front; if they fill a hole left by reordering, assume it was the only one.
      side.next = ((end - side.high) | 0) < 0 ? side.high : end;
      if (((end - side.high) | 0) > 0) side.high = end;
    } else {
      bump(this.opts.summary.counters, 'tcp_out_of_order_segments');
      if (((end - side.high) | 0) > 0) side.high = end;
    }
    if (!side.dns) return;
    if (s.payloadLen < s.wireLen) {
      // The capture cut this segment short (snap length): its bytes are a hole in the stream.
      bump(this.opts.summary.malformed, 'dns_tcp_snapped_segment');
    }
    side.dns.push(s.data, s.payloadOff, s.payloadLen, s.seq, s.ts);
  }

  /** The SYN takes one sequence number: data starts at isn + 1. */
  private startSide(side: FlowSide, isn: number): void {
    side.next = side.high = (isn + 1) >>> 0;
    side.hasHigh = true;
  }

  private isDnsSegment(s: TcpSegment): boolean {
    return this.opts.dnsPortSet[s.sport] === 1 || this.opts.dnsPortSet[s.dport] === 1;
  }

  private tcpEvent(flow: TcpFlow, ts: number, event: TcpEvent['event'], extra?: Partial<TcpEvent>): void {
    if (!this.opts.connectionEvents) return;
    const c = flow.clientSide;
    const ev: TcpEvent = { type: 'tcp', ts, event, src: flow.addr[c], sport: flow.port[c], dst: flow.addr[c ^ 1], dport: flow.port[c ^ 1] };
    if (extra) Object.assign(ev, extra);
    this.opts.emit(ev);
  }

  private create(s: TcpSegment, srcFirst: boolean, hash: number): TcpFlow | undefined {
    if (this.size >= this.opts.maxFlows) {
      bump(this.opts.summary.lost, 'tcp_flow_table_full');
      return undefined;
    }
    const fmt = s.addrLen === 4 ? ipv4Text : ipv6Text;
    const src = fmt(s.data, s.srcOff);
    const dst = fmt(s.data, s.dstOff);
    const flow = new TcpFlow(
      this.scratch.slice(0, this.scratchLen),
      hash,
      srcFirst ? [src, dst] : [dst, src],
      srcFirst ? [s.sport, s.dport] : [s.dport, s.sport],
      this.isDnsSegment(s),
    );
    if (flow.isDns) {
      for (let i = 0; i < 2; i++) flow.sides[i].dns = new DnsTcpStream(this.dnsSink(flow, i, s.ifindex), this.budget);
    }
    flow.lastSeen = s.ts;
    flow.next = this.buckets.get(hash);
    this.buckets.set(hash, flow);
    this.size++;
    return flow;
  }

  private dnsSink(flow: TcpFlow, from: number, ifindex: number | undefined) {
    const summary = this.opts.summary;
    return {
      message: (payload: Uint8Array, ts: number) => {
        if (payload.length < 12) {
          bump(summary.malformed, 'dns_short_message');
          return;
        }
        const ev: DnsPacket = {
          type: 'dns', ts, dir: (payload[2] & 0x80) !== 0 ? 'response' : 'query', proto: 'tcp',
          src: flow.addr[from], sport: flow.port[from], dst: flow.addr[from ^ 1], dport: flow.port[from ^ 1], payload,
        };
        if (ifindex !== undefined) ev.ifindex = ifindex;
        this.opts.emit(ev);
      },
      problem: (reason: string) => bump(summary.malformed, reason),
      note: (what: string) => bump(summary.counters, what),
    };
  }

  private remove(flow: TcpFlow): void {
    for (const side of flow.sides) side.dns?.close();
    let cur = this.buckets.get(flow.hash);
    if (cur === flow) {
      if (flow.next) this.buckets.set(flow.hash, flow.next);
      else this.buckets.delete(flow.hash);
    } else {
      while (cur && cur.next !== flow) cur = cur.next;
      if (!cur) return;
      cur.next = flow.next;
    }
    flow.next = undefined;
    this.size--;
  }

  private *all(): Generator<TcpFlow> {
    const heads = [...this.buckets.values()];
    for (const head of heads) {
      for (let f: TcpFlow | undefined = head; f; ) {
        const next: TcpFlow | undefined = f.next;
        yield f;
        f = next;
      }
    }
  }

  private find(hash: number): TcpFlow | undefined {
    const k = this.scratch;
    const n = this.scratchLen;
    for (let f = this.buckets.get(hash); f; f = f.next) {
      const fk = f.key;
      if (fk.length !== n) continue;
      let i = 0;
      while (i < n && fk[i] === k[i]) i++;
      if (i === n) return f;
    }
    return undefined;
  }

  /** Negative when (src, sport) sorts before (dst, dport). */
  private compareEndpoints(s: TcpSegment): number {
    const d = s.data;
    for (let i = 0; i < s.addrLen; i++) {
      const c = d[s.srcOff + i] - d[s.dstOff + i];
      if (c !== 0) return c;
    }
    return s.sport - s.dport;
  }

  /** Writes family, lower endpoint, higher endpoint into the scratch key; returns its FNV-1a hash. */
  private buildKey(s: TcpSegment, srcFirst: boolean): number {
    const k = this.scratch;
    const d = s.data;
    const n = s.addrLen;
    const aOff = srcFirst ? s.srcOff : s.dstOff;
    const bOff = srcFirst ? s.dstOff : s.srcOff;
    const aPort = srcFirst ? s.sport : s.dport;
    const bPort = srcFirst ? s.dport : s.sport;
    k[0] = n;
    for (let i = 0; i < n; i++) {
      k[1 + i] = d[aOff + i];
      k[1 + n + i] = d[bOff + i];
    }
    let p = 1 + 2 * n;
    k[p++] = aPort >> 8;
    k[p++] = aPort & 0xff;
    k[p++] = bPort >> 8;
    k[p++] = bPort & 0xff;
    this.scratchLen = p;
    let h = 0x811c9dc5;
    for (let i = 0; i < p; i++) h = Math.imul(h ^ k[i], 0x01000193);
    return h >>> 0;
  }
}
