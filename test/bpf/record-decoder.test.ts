// Decoding of hand-built record batches: packet, TCP and drop records, owners, alignment, and
// malformed input counted instead of thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDecoder, type DropRecord, type PacketRecord, type RecordSink, type TcpRecord } from '../../src/bpf/record-decoder.js';
import { Drop, Header, Owner, Packet, RecordKind, Tcp, TcpKind } from '../../src/bpf/record-layout.js';

function header(dv: DataView, off: number, kind: number, flags: number, size: number, tsNs: number): void {
  dv.setUint16(off + Header.kind, kind, true);
  dv.setUint16(off + Header.flags, flags, true);
  dv.setUint32(off + Header.size, size, true);
  dv.setBigUint64(off + Header.ts_ns, BigInt(tsNs), true);
}

function owner(buf: Uint8Array, dv: DataView, off: number, pid: number, comm: string, cgroup: bigint): void {
  dv.setBigUint64(off + Owner.cgroup_id, cgroup, true);
  dv.setUint32(off + Owner.pid, pid, true);
  buf.set(Buffer.from(comm, 'latin1'), off + Owner.comm);
}

function collect(buf: Uint8Array) {
  const out = { packets: [] as (PacketRecord & { bytes: number[] })[], tcp: [] as TcpRecord[], drops: [] as DropRecord[], malformed: [] as string[] };
  const sink: RecordSink = {
    packet: (p) => out.packets.push({ ...p, bytes: [...p.data] }),
    tcp: (t) => out.tcp.push(t),
    drop: (d) => out.drops.push(d),
    malformed: (r) => out.malformed.push(r),
  };
  new RecordDecoder().decodeBatch(buf, sink);
  return out;
}

test('a batch of a packet, a TCP and a drop record, each 8-byte aligned', () => {
  const pktSize = Packet.data + 5; // padded to 72
  const buf = new Uint8Array(72 + Tcp.sizeof + Drop.sizeof);
  const dv = new DataView(buf.buffer);
  header(dv, 0, RecordKind.PACKET, 1, pktSize, 5_000_000_123);
  owner(buf, dv, Packet.owner, 4242, 'dig', 77n);
  dv.setUint32(Packet.ifindex, 1, true);
  dv.setUint32(Packet.orig_len, 90, true);
  dv.setUint32(Packet.cap_len, 5, true);
  dv.setUint16(Packet.pkt_type, 4, true);
  dv.setUint16(Packet.l2_len, 14, true);
  buf.set([1, 2, 3, 4, 5], Packet.data);

  const t = 72;
  header(dv, t, RecordKind.TCP, 1, Tcp.sizeof, 6_000_000_000);
  owner(buf, dv, t + Tcp.owner, 99, 'curl', 1n);
  dv.setUint32(t + Tcp.sk, 0x12345678, true);
  dv.setUint32(t + Tcp.sk + 4, 0xffff8880, true);
  dv.setBigUint64(t + Tcp.latency_ns, 1_500_000n, true);
  buf.set([10, 0, 0, 1], t + Tcp.saddr);
  buf.set([192, 0, 2, 7], t + Tcp.daddr);
  dv.setUint16(t + Tcp.sport, 40000, false);
  dv.setUint16(t + Tcp.dport, 443, false);
  dv.setUint16(t + Tcp.family, 2, true);
  buf[t + Tcp.event] = TcpKind.ESTABLISHED;
  buf[t + Tcp.old_state] = 2;

  const d = t + Tcp.sizeof;
  header(dv, d, RecordKind.DROP, 0, Drop.sizeof, 7_000_000_000);
  dv.setUint32(d + Drop.reason, 5, true);
  buf.set([0x20, 0x01, 0x0d, 0xb8], d + Drop.saddr);
  buf[d + Drop.daddr + 15] = 1;
  dv.setUint16(d + Drop.sport, 53, false);
  dv.setUint16(d + Drop.dport, 5353, false);
  dv.setUint16(d + Drop.family, 10, true);
  buf[d + Drop.proto] = 17;

  const out = collect(buf);
  assert.deepEqual(out.malformed, []);
  assert.equal(out.packets.length, 1);
  const p = out.packets[0];
  assert.equal(p.tsNs, 5_000_000_123);
  assert.deepEqual(p.owner, { pid: 4242, comm: 'dig', cgroupId: '77' });
  assert.deepEqual([p.ifindex, p.origLen, p.pktType, p.l2Len], [1, 90, 4, 14]);
  assert.deepEqual(p.bytes, [1, 2, 3, 4, 5]);

  assert.equal(out.tcp.length, 1);
  const e = out.tcp[0];
  assert.equal(e.kind, TcpKind.ESTABLISHED);
  assert.equal(e.sk, 'ffff888012345678');
  assert.equal(e.latencyNs, 1_500_000);
  assert.deepEqual([e.src, e.sport, e.dst, e.dport], ['10.0.0.1', 40000, '192.0.2.7', 443]);
  assert.deepEqual(e.owner, { pid: 99, comm: 'curl', cgroupId: '1' });

  assert.equal(out.drops.length, 1);
  assert.deepEqual(
    { ...out.drops[0] },
    { tsNs: 7_000_000_000, reason: 5, ifindex: 0, src: '2001:db8::', sport: 53, dst: '::1', dport: 5353, proto: 17 },
  );
});

test('records without the owner flag carry no process; bad sizes and kinds are counted', () => {
  const buf = new Uint8Array(Packet.data + 8 + 16);
  const dv = new DataView(buf.buffer);
  header(dv, 0, RecordKind.PACKET, 0, Packet.data + 1, 1);
  dv.setUint32(Packet.cap_len, 1, true);
  header(dv, Packet.data + 8, 9, 0, 16, 1);
  const out = collect(buf);
  assert.equal(out.packets[0].owner, undefined);
  assert.deepEqual(out.malformed, ['record_unknown_kind']);

  const bad = new Uint8Array(32);
  header(new DataView(bad.buffer), 0, RecordKind.TCP, 0, 4000, 1);
  assert.deepEqual(collect(bad).malformed, ['record_bad_size']);
  const short = new Uint8Array(32);
  header(new DataView(short.buffer), 0, RecordKind.TCP, 0, 32, 1);
  assert.deepEqual(collect(short).malformed, ['record_short_tcp']);
});
