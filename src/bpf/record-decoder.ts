// Decodes one batch of ring-buffer records (as the addon delivers them: each record 8-byte
// aligned, its header's size giving its length) into packet frames, TCP records and drop records.
// Allocation-light: packet records reuse one scratch object and view the batch's bytes.
import type { ProcessRef } from '../events.js';
import { ipv4Text, ipv6Text } from '../ip-text.js';
import { AF_INET6, Drop, Header, Owner, Packet, PacketFlag, RecordKind, Tcp, TcpFlag } from './record-layout.js';

/** A packet record; the same object is reused for every packet of a batch. */
export interface PacketRecord {
  tsNs: number;
  owner: ProcessRef | undefined;
  ifindex: number;
  origLen: number;
  pktType: number;
  /** 14: data starts with an Ethernet header; 0: with the IP header. */
  l2Len: number;
  data: Uint8Array;
}

export interface TcpRecord {
  tsNs: number;
  owner: ProcessRef | undefined;
  /** Kernel socket address as text: joins a connect to the later events of its socket. */
  sk: string;
  kind: number;
  latencyNs: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  family: number;
  oldState: number;
  skErr: number;
  syn: boolean;
}

export interface DropRecord {
  tsNs: number;
  reason: number;
  ifindex: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  proto: number;
}

export interface RecordSink {
  packet(p: PacketRecord): void;
  tcp(t: TcpRecord): void;
  drop(d: DropRecord): void;
  /** A record the decoder could not read (short, unknown kind): counted, never thrown. */
  malformed(reason: string): void;
}

interface CachedOwner {
  c0: number; c1: number; c2: number; c3: number; cg0: number; cg1: number;
  ref: ProcessRef;
}

const latin1 = new TextDecoder('latin1');

export class RecordDecoder {
  // The same process sends many packets: decode its comm and cgroup id once.
  private readonly owners = new Map<number, CachedOwner>();

  /** `workloadLabel` names the pod or container of a cgroup, appended to the process's name. */
  constructor(private readonly workloadLabel?: (cgroupId: string) => string | undefined) {}
  private readonly pkt: PacketRecord = { tsNs: 0, owner: undefined, ifindex: 0, origLen: 0, pktType: 0, l2Len: 0, data: new Uint8Array(0) };

  decodeBatch(buf: Uint8Array, sink: RecordSink): void {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 0;
    while (off + Header.sizeof <= buf.length) {
      const kind = dv.getUint16(off + Header.kind, true);
      const size = dv.getUint32(off + Header.size, true);
      if (size < Header.sizeof || off + size > buf.length) {
        sink.malformed('record_bad_size');
        return;
      }
      switch (kind) {
        case RecordKind.PACKET:
          if (size < Packet.data) sink.malformed('record_short_packet');
          else sink.packet(this.packet(buf, dv, off, size));
          break;
        case RecordKind.TCP:
          if (size < Tcp.sizeof) sink.malformed('record_short_tcp');
          else sink.tcp(this.tcp(buf, dv, off));
          break;
        case RecordKind.DROP:
          if (size < Drop.sizeof) sink.malformed('record_short_drop');
          else sink.drop(this.drop(buf, dv, off));
          break;
        default:
          sink.malformed('record_unknown_kind');
      }
      off += (size + 7) & ~7;
    }
  }

  private packet(buf: Uint8Array, dv: DataView, off: number, size: number): PacketRecord {
    const p = this.pkt;
    p.tsNs = tsNs(dv, off);
    p.owner = dv.getUint16(off + Header.flags, true) & PacketFlag.OWNER ? this.owner(buf, dv, off + Packet.owner) : undefined;
    p.ifindex = dv.getUint32(off + Packet.ifindex, true);
    p.origLen = dv.getUint32(off + Packet.orig_len, true);
    const cap = Math.min(dv.getUint32(off + Packet.cap_len, true), size - Packet.data);
    p.pktType = dv.getUint16(off + Packet.pkt_type, true);
    p.l2Len = dv.getUint16(off + Packet.l2_len, true);
    p.data = buf.subarray(off + Packet.data, off + Packet.data + cap);
    return p;
  }

  private tcp(buf: Uint8Array, dv: DataView, off: number): TcpRecord {
    const flags = dv.getUint16(off + Header.flags, true);
    const family = dv.getUint16(off + Tcp.family, true);
    const fmt = family === AF_INET6 ? ipv6Text : ipv4Text;
    return {
      tsNs: tsNs(dv, off),
      owner: flags & TcpFlag.OWNER ? this.owner(buf, dv, off + Tcp.owner) : undefined,
      sk: dv.getUint32(off + Tcp.sk + 4, true).toString(16) + dv.getUint32(off + Tcp.sk, true).toString(16).padStart(8, '0'),
      kind: buf[off + Tcp.event],
      latencyNs: u64(dv, off + Tcp.latency_ns),
      src: fmt(buf, off + Tcp.saddr),
      sport: dv.getUint16(off + Tcp.sport, false),
      dst: fmt(buf, off + Tcp.daddr),
      dport: dv.getUint16(off + Tcp.dport, false),
      family,
      oldState: buf[off + Tcp.old_state],
      skErr: dv.getUint32(off + Tcp.sk_err, true),
      syn: (flags & TcpFlag.SYN) !== 0,
    };
  }

  private drop(buf: Uint8Array, dv: DataView, off: number): DropRecord {
    const fmt = dv.getUint16(off + Drop.family, true) === AF_INET6 ? ipv6Text : ipv4Text;
    return {
      tsNs: tsNs(dv, off),
      reason: dv.getUint32(off + Drop.reason, true),
      ifindex: dv.getUint32(off + Drop.ifindex, true),
      src: fmt(buf, off + Drop.saddr),
      sport: dv.getUint16(off + Drop.sport, false),
      dst: fmt(buf, off + Drop.daddr),
      dport: dv.getUint16(off + Drop.dport, false),
      proto: buf[off + Drop.proto],
    };
  }

  private owner(buf: Uint8Array, dv: DataView, o: number): ProcessRef {
    const pid = dv.getUint32(o + Owner.pid, true);
    const c = o + Owner.comm;
    const c0 = dv.getUint32(c, true), c1 = dv.getUint32(c + 4, true), c2 = dv.getUint32(c + 8, true), c3 = dv.getUint32(c + 12, true);
    const cg0 = dv.getUint32(o + Owner.cgroup_id, true), cg1 = dv.getUint32(o + Owner.cgroup_id + 4, true);
    const hit = this.owners.get(pid);
    if (hit && hit.c0 === c0 && hit.c1 === c1 && hit.c2 === c2 && hit.c3 === c3 && hit.cg0 === cg0 && hit.cg1 === cg1) return hit.ref;
    let end = c;
    while (end < c + 16 && buf[end] !== 0) end++;
    const cgroupId = ((BigInt(cg1) << 32n) | BigInt(cg0)).toString();
    const comm = latin1.decode(buf.subarray(c, end));
    const workload = this.workloadLabel?.(cgroupId);
    const ref: ProcessRef = { pid, comm: workload ? `${comm} · ${workload}` : comm, cgroupId };
    if (this.owners.size >= 4096) this.owners.clear();
    this.owners.set(pid, { c0, c1, c2, c3, cg0, cg1, ref });
    return ref;
  }
}

function u64(dv: DataView, off: number): number {
  return dv.getUint32(off + 4, true) * 4294967296 + dv.getUint32(off, true);
}

/** CLOCK_MONOTONIC nanoseconds; a double keeps them exactly for about 104 days of uptime, to the microsecond far beyond. */
function tsNs(dv: DataView, off: number): number {
  return u64(dv, off + Header.ts_ns);
}
