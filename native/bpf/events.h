/* Record layout shared by the BPF programs (capture.bpf.c) and the addon: the one definition of
 * what crosses the ring buffer. src/bpf/record-decoder.ts mirrors it field by field; its test
 * checks the sizes and offsets printed by `make -C native layout`. All fields are host-endian
 * except addresses and ports, which are kept in network byte order as the kernel stores them. */
#ifndef EGRESSWATCH_EVENTS_H
#define EGRESSWATCH_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Slot sizes for packet bytes: DNS messages are mostly small, so small slots keep the ring
 * buffer dense; medium ones take full-size Ethernet frames; the largest take TCP super-segments
 * (loopback, offloads) that carry big answers. Longer frames are cut at EW_PKT_MAX. */
#define EW_PKT_SMALL 512
#define EW_PKT_MEDIUM 4096
#define EW_PKT_MAX 65536

#define EW_RINGBUF_BYTES (16 * 1024 * 1024)
/* Records are submitted without waking the reader until this much is waiting; the reader also
 * drains on its own every EW_DRAIN_MS. Few wakeups keep the cost per record low at any rate. */
#define EW_WAKEUP_BYTES (512 * 1024)
#define EW_DRAIN_MS 100
#define EW_MAX_DNS_PORTS 16

enum ew_record_kind {
	EW_REC_PACKET = 1, /* a frame seen by the socket filter */
	EW_REC_TCP = 2,    /* a TCP connection event */
	EW_REC_DROP = 3,   /* a DNS packet dropped by the kernel */
};

/* Index into the per-CPU lost counters: why a record could not be reserved. */
enum ew_lost_index {
	EW_LOST_PACKET = 0,
	EW_LOST_TCP = 1,
	EW_LOST_DROP = 2,
	EW_LOST_OWNER_MAP = 3, /* owner map update failed (attribution lost, record kept) */
	EW_LOST_SLOTS = 4,
};

enum ew_tcp_kind {
	EW_TCP_CONNECT = 1,
	EW_TCP_ESTABLISHED = 2,
	EW_TCP_FAILED = 3,
	EW_TCP_RESET = 4,
	EW_TCP_RETRANSMIT = 5,
	EW_TCP_CLOSE = 6,
};

/* Start of every record. */
struct ew_header {
	__u16 kind;  /* enum ew_record_kind */
	__u16 flags; /* kind-specific */
	__u32 size;  /* bytes of the whole record as written (header included) */
	__u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
};

/* The process behind a socket, captured in process context. */
struct ew_owner {
	__u64 cgroup_id;
	__u32 pid;   /* thread-group id */
	__u32 _pad;
	char comm[16]; /* the thread-group leader's comm */
};

/* flags of ew_packet */
#define EW_PKT_F_OWNER 1 /* owner is filled */

struct ew_packet {
	struct ew_header h;
	struct ew_owner owner;
	__u32 ifindex;
	__u32 orig_len;  /* skb->len: the packet's full length */
	__u32 cap_len;   /* bytes copied into data */
	__u16 pkt_type;  /* PACKET_HOST, PACKET_OUTGOING… */
	__u16 l2_len;    /* 14: data starts with an Ethernet header; 0: with the IP header */
	__u8 data[EW_PKT_SMALL]; /* EW_PKT_MEDIUM or EW_PKT_MAX in larger slots: the record's size tells */
};

/* flags of ew_tcp */
#define EW_TCP_F_OWNER 1
#define EW_TCP_F_SYN 2 /* retransmit of a SYN */

struct ew_tcp {
	struct ew_header h;
	struct ew_owner owner;
	__u64 sk;         /* socket address as a cookie: joins connect to its later events */
	__u64 latency_ns; /* established: since the connect */
	__u8 saddr[16];   /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;      /* network byte order */
	__u16 dport;      /* network byte order */
	__u16 family;     /* AF_INET 2, AF_INET6 10 */
	__u8 event;       /* enum ew_tcp_kind */
	__u8 old_state;
	__u32 sk_err;     /* failed: the socket error (111 refused, 110 timed out) */
	__u32 _pad;
};

struct ew_drop {
	struct ew_header h;
	__u32 reason;   /* enum skb_drop_reason value: names come from the kernel's BTF */
	__u32 ifindex;
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;    /* network byte order */
	__u16 dport;
	__u16 family;
	__u8 proto;     /* IPPROTO_UDP 17, IPPROTO_TCP 6 */
	__u8 _pad;
};

/* Key of the owner map: the client side of a DNS exchange (the end that is not a DNS port). */
struct ew_owner_key {
	__u8 addr[16];
	__u16 port;   /* network byte order */
	__u8 proto;
	__u8 family;
};

struct ew_owner_value {
	struct ew_owner owner;
	__u64 sk; /* the socket that set it: only a different socket replaces it */
};

/* Connect start per socket, for latency and for the owner of events in softirq context. */
struct ew_conn {
	__u64 start_ns;
	struct ew_owner owner;
};

#endif
