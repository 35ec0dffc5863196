// Decodes captured frames (link layer → IPv4/IPv6 → UDP/TCP) into DnsPacket and TcpEvent events;
// shared by pcap replay and live packet capture so both emit identical events.
//
// Every read is bounds-checked against the captured bytes: malformed or truncated frames are
// counted in the summary by reason and skipped, never thrown. The hot path reads bytes by offset
// and allocates nothing but the event, its address strings and the payload view.
import type { CaptureEvent, CaptureSummary, DnsPacket, DnsUnreachable } from '../events.js';
import { bump } from '../events.js';
import { ipv4Text, ipv6Text } from '../ip-text.js';
import { TcpFlowTable, type TcpSegment, type TcpUnreachable } from './tcp-flow-table.js';

/** Link-layer header types (tcpdump.org/linktypes.html) the decoder understands. */
export const LinkType = {
  /** BSD loopback: 4-byte address family in the writer's byte order. */
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as most systems number it (12) and as OpenBSD does (14). */
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family, network byte order. */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** One captured frame. data must stay unchanged while emitted events are alive (payloads view it). */
export interface WireFrame {
  linkType: number;
  /** Capture time, ms since the Unix epoch (fractional). */
  ts: number;
  /** The captured bytes (possibly fewer than origLen when the capture was snapped). */
  data: Uint8Array;
  /** The frame's length on the wire. */
  origLen: number;
  ifindex?: number;
}

export interface WireDecoderOptions {
  /** UDP/TCP ports whose traffic is DNS (53 plus configured extras). */
  dnsPorts: readonly number[];
  /** Called once per event, in capture order. */
  emit: (ev: CaptureEvent) => void;
  /**
   * Receives counts: events by type, malformed frames by reason, counters of what was seen.
   * Malformed reasons are added at once; the per-packet counters and event counts are added on
   * flush() and expire(), to keep map updates off the per-packet path.
   */
  summary: CaptureSummary;
  /** Bound on tracked TCP connections (default 65536); beyond it new flows are counted as lost. */
  maxFlows?: number;
  /** An unanswered connect fails with reason timeout after this long (default 130 s, Linux's default with tcp_syn_retries=6). */
  synTimeoutMs?: number;
  /** Flows silent for this long are forgotten (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Bytes all DNS-over-TCP reassembly may hold at once (default 32 MiB). */
  reassemblyBudgetBytes?: number;
  /**
   * Derive TcpEvents from every TCP flow (default true). Live capture, which gets connection
   * events from kernel hooks, turns this off: then only DNS-over-TCP flows are tracked.
   */
  tcpEvents?: boolean;
  /**
   * Where TCP segments (and ICMP errors quoting one) go instead of this decoder's flow table.
   * Connection state is sequential, so a replay that decodes frames on several threads forwards
   * them to the one thread that keeps the flows (its decoder's segment()). The segment object
   * is reused after the call.
   */
  forwardTcp?: (seg: Readonly<TcpSegment>, unreachable?: TcpUnreachable) => void;
}

export interface WireDecoder {
  decode(frame: WireFrame): void;
  /**
   * The same for a frame at data[start, end) of a larger buffer (file readers), which saves
   * creating a view per frame; payloads are views of data.
   */
  decodeRange(linkType: number, ts: number, data: Uint8Array, start: number, end: number, origLen: number, ifindex?: number): void;
  /** End of input: finishes pending connects (timeouts), counts incomplete messages, syncs counters. */
  flush(): void;
  /** Applies connection timeouts up to now (ms since the epoch) and syncs counters; for live sources with idle wires. */
  expire(now: number): void;
  /** A TCP segment another decoder forwarded (see forwardTcp), into this decoder's flow table. */
  segment(seg: TcpSegment, unreachable?: TcpUnreachable): void;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ARPHRD_LOOPBACK = 772;
const PACKET_OUTGOING = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
/** errno a socket gets per destination-unreachable code (Linux icmp_err_convert, icmpv6_err_convert). */
const ICMP_UNREACH_ERRNO = [101, 113, 92, 111, 90, 95, 101, 112, 64, 101, 113, 101, 113, 113, 113, 113];
const ICMPV6_UNREACH_ERRNO = [101, 13, 113, 113, 111, 13, 13];
const DNS_HEADER_LEN = 12;

export function createWireDecoder(opts: WireDecoderOptions): WireDecoder {
  return new WireDecoderImpl(opts);
}

class WireDecoderImpl implements WireDecoder {
  private readonly dnsPortSet = new Uint8Array(65536);
  private readonly summary: CaptureSummary;
  private readonly tcp: TcpFlowTable;
  private readonly seg: TcpSegment = {
    data: new Uint8Array(0), ts: 0, addrLen: 4, srcOff: 0, dstOff: 0, sport: 0, dport: 0,
    seq: 0, ack: 0, flags: 0, payloadOff: 0, payloadLen: 0, wireLen: 0, ifindex: undefined,
  };
  // Hot counters live in fields and reach the summary on flush (a Record update per packet costs).
  private frames = 0;
  private bytes = 0;
  private dnsUdp = 0;
  private dnsEvents = 0;
  private tcpEvents = 0;
  private udpOther = 0;
  private tcpPackets = 0;
  private synced = { frames: 0, bytes: 0, dnsUdp: 0, dnsEvents: 0, tcpEvents: 0, udpOther: 0, tcpPackets: 0 };
  // Per-frame state, set by decode() so the layer functions need not pass it around.
  private ts = 0;
  private ifindex: number | undefined;
  private snapped = false;
  private readonly emitRaw: (ev: CaptureEvent) => void;
  private readonly forwardTcp: WireDecoderOptions['forwardTcp'];

  constructor(opts: WireDecoderOptions) {
    this.forwardTcp = opts.forwardTcp;
    for (const p of opts.dnsPorts) if (Number.isInteger(p) && p >= 0 && p < 65536) this.dnsPortSet[p] = 1;
    this.summary = opts.summary;
    this.emitRaw = opts.emit;
    this.tcp = new TcpFlowTable({
      dnsPortSet: this.dnsPortSet,
      emit: (ev) => {
        if (ev.type === 'dns') this.dnsEvents++;
        else this.tcpEvents++;
        this.emitRaw(ev);
      },
      summary: opts.summary,
      maxFlows: opts.maxFlows ?? 65536,
      synTimeoutMs: opts.synTimeoutMs ?? 130_000,
      idleTimeoutMs: opts.idleTimeoutMs ?? 600_000,
      reassemblyBudgetBytes: opts.reassemblyBudgetBytes ?? 32 << 20,
      connectionEvents: opts.tcpEvents ?? true,
    });
  }

  decode(f: WireFrame): void {
    this.decodeRange(f.linkType, f.ts, f.data, 0, f.data.length, f.origLen, f.ifindex);
  }

  decodeRange(linkType: number, ts: number, d: Uint8Array, s: number, end: number, origLen: number, ifindex?: number): void {
    this.frames++;
    this.bytes += origLen;
    this.ts = ts;
    this.ifindex = ifindex;
    this.snapped = origLen > end - s;
    const len = end - s;
    switch (linkType) {
      case LinkType.ETHERNET:
        if (len < 14) return this.bad('truncated_ethernet');
        return this.ether(d, s + 14, end, (d[s + 12] << 8) | d[s + 13]);
      case LinkType.LINUX_SLL: {
        if (len < 16) return this.bad('truncated_sll');
        // libpcap already drops loopback's outgoing copy; a file written otherwise may hold both.
        if (((d[s] << 8) | d[s + 1]) === PACKET_OUTGOING && ((d[s + 2] << 8) | d[s + 3]) === ARPHRD_LOOPBACK) return this.count('loopback_outgoing_duplicates');
        return this.ether(d, s + 16, end, (d[s + 14] << 8) | d[s + 15]);
      }
      case LinkType.LINUX_SLL2: {
        if (len < 20) return this.bad('truncated_sll2');
        if (d[s + 10] === PACKET_OUTGOING && ((d[s + 8] << 8) | d[s + 9]) === ARPHRD_LOOPBACK) return this.count('loopback_outgoing_duplicates');
        if (this.ifindex === undefined) this.ifindex = ((d[s + 4] << 24) | (d[s + 5] << 16) | (d[s + 6] << 8) | d[s + 7]) >>> 0;
        return this.ether(d, s + 20, end, (d[s] << 8) | d[s + 1]);
      }
      case LinkType.RAW:
      case LinkType.RAW_DLT12:
      case LinkType.RAW_DLT14:
      case LinkType.IPV4:
      case LinkType.IPV6:
        return this.ipByVersion(d, s, end);
      case LinkType.NULL:
      case LinkType.LOOP:
        if (len < 4) return this.bad('truncated_loopback_header');
        // The family is in the writer's byte order (LOOP: always big-endian); the IP version
        // nibble says the same thing without guessing, and covers every AF_INET6 value BSDs use.
        return this.ipByVersion(d, s + 4, end);
      default:
        return this.count(`unsupported_link_type_${linkType}`);
    }
  }

  flush(): void {
    this.tcp.flush();
    this.syncCounters();
  }

  expire(now: number): void {
    this.tcp.sweep(now);
    this.syncCounters();
  }

  segment(seg: TcpSegment, unreachable?: TcpUnreachable): void {
    if (unreachable) this.tcp.unreachable(seg, unreachable.reason, unreachable.errno);
    else this.tcp.segment(seg);
  }

  private ether(d: Uint8Array, off: number, end: number, type: number): void {
    // Up to two 802.1Q/802.1ad tags (QinQ), plus slack for odd stacks.
    for (let tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
      if (tags === 4) return this.bad('too_many_vlan_tags');
      if (end - off < 4) return this.bad('truncated_vlan');
      type = (d[off + 2] << 8) | d[off + 3];
      off += 4;
    }
    if (type === ETH_IPV4) return this.ipv4(d, off, end);
    if (type === ETH_IPV6) return this.ipv6(d, off, end);
    this.count('non_ip_frames');
  }

  private ipByVersion(d: Uint8Array, off: number, end: number): void {
    if (off >= end) return this.bad('truncated_ip');
    const v = d[off] >> 4;
    if (v === 4) return this.ipv4(d, off, end);
    if (v === 6) return this.ipv6(d, off, end);
    this.bad('bad_ip_version');
  }

  private ipv4(d: Uint8Array, off: number, end: number): void {
    if (end - off < 20) return this.bad('truncated_ipv4');
    const vihl = d[off];
    if (vihl >> 4 !== 4) return this.bad('bad_ip_version');
    const ihl = (vihl & 15) * 4;
    if (ihl < 20) return this.bad('bad_ipv4_header_length');
    if (end - off < ihl) return this.bad('truncated_ipv4');
    const total = (d[off + 2] << 8) | d[off + 3];
    // 0 is what segmentation offload leaves in captured outgoing super-packets.
    let ipEnd = total === 0 ? end : off + total;
    if (total !== 0 && total < ihl) return this.bad('bad_ipv4_total_length');
    if (ipEnd > end) {
      if (!this.snapped) return this.bad('truncated_ipv4');
      ipEnd = off + total; // the transport layer sees what the wire carried and what we have
    }
    if (((d[off + 6] << 8) | d[off + 7]) & 0x3fff) return this.count('ipv4_fragments');
    this.transport(d, d[off + 9], off + ihl, ipEnd, end, 4, off + 12, off + 16);
  }

  private ipv6(d: Uint8Array, off: number, end: number): void {
    if (end - off < 40) return this.bad('truncated_ipv6');
    if (d[off] >> 4 !== 6) return this.bad('bad_ip_version');
    const plen = (d[off + 4] << 8) | d[off + 5];
    let ipEnd = plen === 0 ? end : off + 40 + plen; // 0: jumbogram or offload, take what we have
    if (ipEnd > end && !this.snapped) return this.bad('truncated_ipv6');
    let next = d[off + 6];
    let p = off + 40;
    const lim = Math.min(ipEnd, end);
    for (let hops = 0; hops < 8; hops++) {
      if (next === 0 || next === 43 || next === 60) {
        // Hop-by-hop, routing, destination options: length in 8-byte units after the first 8.
        if (lim - p < 8) return this.bad('truncated_ipv6_extension');
        next = d[p];
        p += (d[p + 1] + 1) * 8;
      } else if (next === 44) {
        if (lim - p < 8) return this.bad('truncated_ipv6_extension');
        if ((((d[p + 2] << 8) | d[p + 3]) & 0xfff9) !== 0) return this.count('ipv6_fragments');
        next = d[p]; // an atomic fragment (offset 0, no more): the datagram is whole
        p += 8;
      } else if (next === 51) {
        if (lim - p < 8) return this.bad('truncated_ipv6_extension');
        next = d[p];
        p += (d[p + 1] + 2) * 4;
      } else {
        break;
      }
    }
    if (p > lim) return this.bad('truncated_ipv6_extension');
    this.transport(d, next, p, ipEnd, end, 16, off + 8, off + 24);
  }

  /** p: transport header; ipEnd: where the IP packet ends on the wire; end: captured bytes. */
  private transport(d: Uint8Array, proto: number, p: number, ipEnd: number, end: number, addrLen: number, srcOff: number, dstOff: number): void {
    if (proto === IPPROTO_UDP) return this.udp(d, p, ipEnd, end, addrLen, srcOff, dstOff);
    if (proto === IPPROTO_TCP) return this.tcpSegment(d, p, ipEnd, end, addrLen, srcOff, dstOff);
    if ((proto === IPPROTO_ICMP && addrLen === 4) || (proto === IPPROTO_ICMPV6 && addrLen === 16)) return this.icmp(d, p, Math.min(ipEnd, end), addrLen);
    this.count('other_ip_protocols');
  }

  /**
   * A destination-unreachable error quoting one of our SYNs ends that connect at once, as the
   * kernel does in SYN_SENT (tcp_v4_err / tcp_v6_err): port unreachable is a refusal, the rest
   * (no route, host or address unreachable, administratively prohibited) are "unreachable".
   */
  private icmp(d: Uint8Array, p: number, lim: number, addrLen: number): void {
    if (lim - p < 8) return this.bad('truncated_icmp');
    const type = d[p];
    const code = d[p + 1];
    const unreachable = addrLen === 4 ? type === 3 && code !== 4 : type === 1; // v4 code 4: path MTU, not an error
    if (!unreachable) return this.count('icmp_other');
    const inner = p + 8;
    let innerSrc: number, innerDst: number, l4: number, innerProto: number;
    if (addrLen === 4) {
      if (lim - inner < 20 || d[inner] >> 4 !== 4) return this.count('icmp_unreachable_not_tcp');
      innerProto = d[inner + 9];
      innerSrc = inner + 12;
      innerDst = inner + 16;
      l4 = inner + (d[inner] & 15) * 4;
    } else {
      if (lim - inner < 40 || d[inner] >> 4 !== 6) return this.count('icmp_unreachable_not_tcp');
      innerProto = d[inner + 6];
      innerSrc = inner + 8;
      innerDst = inner + 24;
      l4 = inner + 40;
    }
    // RFC 792 quotes at least the first 8 bytes of the transport header: ports and sequence.
    if (lim - l4 < 8) return this.bad('truncated_icmp');
    if (innerProto === IPPROTO_UDP) return this.dnsUnreachable(d, l4, addrLen, innerSrc, innerDst, code);
    if (innerProto !== IPPROTO_TCP) return this.count('icmp_unreachable_not_tcp');
    const portUnreachable = addrLen === 4 ? code === 3 : code === 4;
    const errno = (addrLen === 4 ? ICMP_UNREACH_ERRNO[code] : ICMPV6_UNREACH_ERRNO[code]) ?? 113;
    const s = this.seg;
    s.data = d;
    s.ts = this.ts;
    s.addrLen = addrLen;
    s.srcOff = innerSrc;
    s.dstOff = innerDst;
    s.sport = (d[l4] << 8) | d[l4 + 1];
    s.dport = (d[l4 + 2] << 8) | d[l4 + 3];
    s.seq = ((d[l4 + 4] << 24) | (d[l4 + 5] << 16) | (d[l4 + 6] << 8) | d[l4 + 7]) >>> 0;
    s.ifindex = this.ifindex;
    s.payloadOff = s.payloadLen = s.wireLen = s.flags = s.ack = 0;
    const reason = portUnreachable ? 'refused' : 'unreachable';
    if (this.forwardTcp) this.forwardTcp(s, { reason, errno });
    else this.tcp.unreachable(s, reason, errno);
    s.data = EMPTY;
  }

  /** An unreachable error quoting a UDP datagram: a DnsUnreachable when it was a query to a DNS port. */
  private dnsUnreachable(d: Uint8Array, l4: number, addrLen: number, innerSrc: number, innerDst: number, code: number): void {
    const sport = (d[l4] << 8) | d[l4 + 1];
    const dport = (d[l4 + 2] << 8) | d[l4 + 3];
    if (this.dnsPortSet[dport] === 0) return this.count('icmp_unreachable_not_dns');
    const fmt = addrLen === 4 ? ipv4Text : ipv6Text;
    const ev: DnsUnreachable = { type: 'dns_unreachable', ts: this.ts, proto: 'udp', src: fmt(d, innerSrc), sport, dst: fmt(d, innerDst), dport, reason: unreachableReason(addrLen, code) };
    if (this.ifindex !== undefined) ev.ifindex = this.ifindex;
    bump(this.summary.events, 'dns_unreachable');
    this.emitRaw(ev);
  }

  private udp(d: Uint8Array, p: number, ipEnd: number, end: number, addrLen: number, srcOff: number, dstOff: number): void {
    if (Math.min(ipEnd, end) - p < 8) return this.bad('truncated_udp');
    const sport = (d[p] << 8) | d[p + 1];
    const dport = (d[p + 2] << 8) | d[p + 3];
    if (this.dnsPortSet[sport] === 0 && this.dnsPortSet[dport] === 0) {
      this.udpOther++;
      return;
    }
    const ulen = (d[p + 4] << 8) | d[p + 5];
    if (ulen < 8 || p + ulen > ipEnd) return this.bad('bad_udp_length');
    if (p + ulen > end) return this.bad('dns_snapped');
    if (ulen - 8 < DNS_HEADER_LEN) return this.bad('dns_short_message');
    const payload = d.subarray(p + 8, p + ulen);
    const fmt = addrLen === 4 ? ipv4Text : ipv6Text;
    const ev: DnsPacket = {
      type: 'dns', ts: this.ts, dir: (payload[2] & 0x80) !== 0 ? 'response' : 'query', proto: 'udp',
      src: fmt(d, srcOff), sport, dst: fmt(d, dstOff), dport, payload,
    };
    if (this.ifindex !== undefined) ev.ifindex = this.ifindex;
    this.dnsUdp++;
    this.dnsEvents++;
    this.emitRaw(ev);
  }

  private tcpSegment(d: Uint8Array, p: number, ipEnd: number, end: number, addrLen: number, srcOff: number, dstOff: number): void {
    const lim = Math.min(ipEnd, end);
    if (lim - p < 20) return this.bad('truncated_tcp');
    const doff = (d[p + 12] >> 4) * 4;
    if (doff < 20 || p + doff > ipEnd) return this.bad('bad_tcp_header_length');
    if (p + doff > end) return this.bad('truncated_tcp');
    this.tcpPackets++;
    const s = this.seg;
    s.data = d;
    s.ts = this.ts;
    s.addrLen = addrLen;
    s.srcOff = srcOff;
    s.dstOff = dstOff;
    s.sport = (d[p] << 8) | d[p + 1];
    s.dport = (d[p + 2] << 8) | d[p + 3];
    s.seq = ((d[p + 4] << 24) | (d[p + 5] << 16) | (d[p + 6] << 8) | d[p + 7]) >>> 0;
    s.ack = ((d[p + 8] << 24) | (d[p + 9] << 16) | (d[p + 10] << 8) | d[p + 11]) >>> 0;
    s.flags = d[p + 13];
    s.payloadOff = p + doff;
    s.wireLen = ipEnd - s.payloadOff;
    s.payloadLen = lim - s.payloadOff;
    s.ifindex = this.ifindex;
    if (this.forwardTcp) this.forwardTcp(s);
    else this.tcp.segment(s);
    s.data = EMPTY; // do not keep the frame alive through the scratch object
  }

  private bad(reason: string): void {
    bump(this.summary.malformed, reason);
  }

  private count(what: string): void {
    bump(this.summary.counters, what);
  }

  private syncCounters(): void {
    const s = this.synced;
    const c = this.summary.counters;
    const e = this.summary.events;
    if (this.frames !== s.frames) bump(c, 'frames', this.frames - s.frames);
    if (this.bytes !== s.bytes) bump(c, 'bytes', this.bytes - s.bytes);
    if (this.dnsUdp !== s.dnsUdp) bump(c, 'dns_udp_packets', this.dnsUdp - s.dnsUdp);
    if (this.udpOther !== s.udpOther) bump(c, 'udp_other_packets', this.udpOther - s.udpOther);
    if (this.tcpPackets !== s.tcpPackets) bump(c, 'tcp_packets', this.tcpPackets - s.tcpPackets);
    if (this.dnsEvents !== s.dnsEvents) bump(e, 'dns', this.dnsEvents - s.dnsEvents);
    if (this.tcpEvents !== s.tcpEvents) bump(e, 'tcp', this.tcpEvents - s.tcpEvents);
    this.synced = { frames: this.frames, bytes: this.bytes, dnsUdp: this.dnsUdp, dnsEvents: this.dnsEvents, tcpEvents: this.tcpEvents, udpOther: this.udpOther, tcpPackets: this.tcpPackets };
  }
}

const EMPTY = new Uint8Array(0);

/** What an ICMP (v4 type 3) or ICMPv6 (type 1) destination-unreachable code says. */
function unreachableReason(addrLen: number, code: number): DnsUnreachable['reason'] {
  if (addrLen === 4) return code === 3 ? 'port' : code === 0 || code === 6 ? 'network' : code === 9 || code === 10 || code === 13 ? 'prohibited' : 'host';
  return code === 4 ? 'port' : code === 0 ? 'network' : code === 1 || code === 5 || code === 6 ? 'prohibited' : 'host';
}
