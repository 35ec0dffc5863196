// Builds ring-buffer record batches (as the addon delivers them) from DNS messages, for tests
// and benchmarks of the record pipeline that need no kernel.
import * as dnsPacket from 'dns-packet';
import { Header, Owner, Packet, RecordKind } from '../../src/bpf/record-layout.js';

export interface FrameSpec {
  src: [number, number, number, number];
  dst: [number, number, number, number];
  sport: number;
  dport: number;
  dns: Buffer;
}

/** Ethernet + IPv4 + UDP around a DNS message (checksums zero: nothing checks them). */
export function udpFrame(f: FrameSpec): Uint8Array {
  const udpLen = 8 + f.dns.length;
  const frame = new Uint8Array(14 + 20 + udpLen);
  const dv = new DataView(frame.buffer);
  dv.setUint16(12, 0x0800);
  frame[14] = 0x45;
  dv.setUint16(16, 20 + udpLen);
  frame[22] = 64;
  frame[23] = 17;
  frame.set(f.src, 26);
  frame.set(f.dst, 30);
  dv.setUint16(34, f.sport);
  dv.setUint16(36, f.dport);
  dv.setUint16(38, udpLen);
  frame.set(f.dns, 42);
  return frame;
}

export function dnsQuery(id: number, name: string): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
}

export function dnsResponse(id: number, name: string, ip: string): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 60, data: ip }] });
}

export interface PacketSpec {
  frame: Uint8Array;
  tsNs: number;
  owner?: { pid: number; comm: string; cgroupId: bigint };
  ifindex?: number;
}

/** One batch of packet records, each 8-byte aligned, as the ring reader packs them. */
export function packetBatch(packets: readonly PacketSpec[]): Uint8Array {
  const sizes = packets.map((p) => (Packet.data + p.frame.length + 7) & ~7);
  const buf = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  const dv = new DataView(buf.buffer);
  let off = 0;
  packets.forEach((p, i) => {
    dv.setUint16(off + Header.kind, RecordKind.PACKET, true);
    dv.setUint16(off + Header.flags, p.owner ? 1 : 0, true);
    dv.setUint32(off + Header.size, Packet.data + p.frame.length, true);
    dv.setBigUint64(off + Header.ts_ns, BigInt(p.tsNs), true);
    if (p.owner) {
      dv.setBigUint64(off + Packet.owner + Owner.cgroup_id, p.owner.cgroupId, true);
      dv.setUint32(off + Packet.owner + Owner.pid, p.owner.pid, true);
      buf.set(Buffer.from(p.owner.comm, 'latin1').subarray(0, 15), off + Packet.owner + Owner.comm);
    }
    dv.setUint32(off + Packet.ifindex, p.ifindex ?? 1, true);
    dv.setUint32(off + Packet.orig_len, p.frame.length, true);
    dv.setUint32(off + Packet.cap_len, p.frame.length, true);
    dv.setUint16(off + Packet.pkt_type, 4, true);
    dv.setUint16(off + Packet.l2_len, 14, true);
    buf.set(p.frame, off + Packet.data);
    off += sizes[i];
  });
  return buf;
}
