// The byte layout of the ring-buffer records, mirroring native/bpf/events.h field by field
// (sizeof and offsetof); test/bpf/record-layout.test.ts compares it with the compiled header.

export const RecordKind = { PACKET: 1, TCP: 2, DROP: 3 } as const;

export const TcpKind = { CONNECT: 1, ESTABLISHED: 2, FAILED: 3, RESET: 4, RETRANSMIT: 5, CLOSE: 6 } as const;

/** Indexes of the kernel's per-CPU lost counters (enum ew_lost_index). */
export const LostIndex = { PACKET: 0, TCP: 1, DROP: 2, OWNER_MAP: 3 } as const;
export const LOST_SLOTS = 4;

export const PKT_SMALL = 512;
export const PKT_MEDIUM = 4096;
export const PKT_MAX = 65536;

export const PacketFlag = { OWNER: 1 } as const;
export const TcpFlag = { OWNER: 1, SYN: 2 } as const;

/** struct ew_header */
export const Header = { sizeof: 16, kind: 0, flags: 2, size: 4, ts_ns: 8 } as const;

/** struct ew_owner */
export const Owner = { sizeof: 32, cgroup_id: 0, pid: 8, comm: 16 } as const;

/** struct ew_packet (data is PKT_SMALL bytes in small slots; the header's size tells). */
export const Packet = {
  sizeof: 64 + PKT_SMALL, owner: 16, ifindex: 48, orig_len: 52, cap_len: 56, pkt_type: 60, l2_len: 62, data: 64,
} as const;

/** struct ew_tcp */
export const Tcp = {
  sizeof: 112, owner: 16, sk: 48, latency_ns: 56, saddr: 64, daddr: 80, sport: 96, dport: 98, family: 100,
  event: 102, old_state: 103, sk_err: 104,
} as const;

/** struct ew_drop */
export const Drop = {
  sizeof: 64, reason: 16, ifindex: 20, saddr: 24, daddr: 40, sport: 56, dport: 58, family: 60, proto: 62,
} as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
