// BPF side of live capture: DNS frames from a socket filter, DNS socket owners from the transmit
// path, outbound TCP connection life cycle, and kernel drops of DNS packets. Records follow
// events.h; the addon drains them from one ring buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMP 1
#define IPPROTO_ICMPV6 58
#define PACKET_HOST 0
#define PACKET_OUTGOING 4
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EW_RINGBUF_BYTES);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EW_LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* Ports treated as DNS (network byte order), filled by user space before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EW_MAX_DNS_PORTS);
	__type(key, __u16);
	__type(value, __u8);
} dns_ports SEC(".maps");

/* Per interface: value bit 0 = loopback, bits 8..15 = link header length (missing: Ethernet). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} iface_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ew_owner_key);
	__type(value, struct ew_owner_value);
} dns_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct ew_conn);
} conns SEC(".maps");

static __always_inline void count_lost(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &idx);
	if (v)
		*v += 1;
}

/* Wake the reader only when much is waiting: it drains every few milliseconds anyway, and a
 * wakeup per record would cost more than the record (see EW_WAKEUP_BYTES in events.h). */
static __always_inline __u64 wakeup_flags(void)
{
	return bpf_ringbuf_query(&records, BPF_RB_AVAIL_DATA) >= EW_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline int is_dns_port(__u16 port_be)
{
	return bpf_map_lookup_elem(&dns_ports, &port_be) != 0;
}

static __always_inline void fill_owner(struct ew_owner *o)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	o->pid = bpf_get_current_pid_tgid() >> 32;
	o->cgroup_id = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&o->comm, leader, comm);
}

/* ---- DNS frames: socket filter on AF_PACKET sockets ------------------------------------- */

/* Where the IP header starts and what it carries, from the frame's first bytes. */
struct l3info {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 l4_off;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 family;
};

/* An ICMP or ICMPv6 destination-unreachable error quoting a UDP datagram: li becomes the quoted
 * datagram (client to resolver), so the port test and the owner lookup see the query it answers.
 * The frame is copied whole; user space decodes the error (wire-decoder.ts). */
static __always_inline int parse_unreachable(struct __sk_buff *skb, struct l3info *li)
{
	__u8 tc[2];
	if (bpf_skb_load_bytes(skb, li->l4_off, tc, 2) < 0)
		return -1;
	__u32 inner = li->l4_off + 8;
	__u32 ports_off;
	if (li->family == AF_INET) {
		if (li->proto != IPPROTO_ICMP || tc[0] != 3 || tc[1] == 4) /* code 4: path MTU, not an error */
			return -1;
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, inner, &ip, sizeof(ip)) < 0)
			return -1;
		if (ip.version != 4 || ip.ihl < 5 || ip.protocol != IPPROTO_UDP)
			return -1;
		__builtin_memcpy(li->saddr, &ip.saddr, 4);
		__builtin_memcpy(li->daddr, &ip.daddr, 4);
		ports_off = inner + ip.ihl * 4;
	} else {
		if (li->proto != IPPROTO_ICMPV6 || tc[0] != 1)
			return -1;
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, inner, &ip6, sizeof(ip6)) < 0)
			return -1;
		if (ip6.nexthdr != IPPROTO_UDP)
			return -1;
		__builtin_memcpy(li->saddr, &ip6.saddr, 16);
		__builtin_memcpy(li->daddr, &ip6.daddr, 16);
		ports_off = inner + 40;
	}
	__u16 ports[2];
	if (bpf_skb_load_bytes(skb, ports_off, ports, 4) < 0)
		return -1;
	li->proto = IPPROTO_UDP;
	li->sport = ports[0];
	li->dport = ports[1];
	return 0;
}

/* Every frame on every interface passes here: one load for the IP header, one for the ports. */
static __always_inline int parse_frame(struct __sk_buff *skb, __u32 l2_len, struct l3info *li)
{
	__u16 ethertype = bpf_ntohs(skb->protocol);
	__u32 off = l2_len;
	if (ethertype == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) < 0)
			return -1;
		if (ip.version != 4 || ip.ihl < 5)
			return -1;
		if (bpf_ntohs(ip.frag_off) & 0x1fff) /* later fragments carry no ports */
			return -1;
		li->proto = ip.protocol;
		__builtin_memcpy(li->saddr, &ip.saddr, 4);
		__builtin_memcpy(li->daddr, &ip.daddr, 4);
		li->family = AF_INET;
		li->l4_off = off + ip.ihl * 4;
	} else if (ethertype == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)) < 0)
			return -1;
		li->proto = ip6.nexthdr;
		__builtin_memcpy(li->saddr, &ip6.saddr, 16);
		__builtin_memcpy(li->daddr, &ip6.daddr, 16);
		li->family = AF_INET6;
		li->l4_off = off + 40;
	} else {
		return -1;
	}
	if (li->proto == IPPROTO_ICMP || li->proto == IPPROTO_ICMPV6)
		return parse_unreachable(skb, li);
	if (li->proto != IPPROTO_UDP && li->proto != IPPROTO_TCP)
		return -1;
	__u16 ports[2];
	if (bpf_skb_load_bytes(skb, li->l4_off, ports, 4) < 0)
		return -1;
	li->sport = ports[0];
	li->dport = ports[1];
	return 0;
}

static __always_inline void lookup_owner(struct l3info *li, int query, struct ew_owner *out, __u16 *flags)
{
	struct ew_owner_key k = {};
	/* The client end: the sender of a query, the receiver of a response. */
	if (query) {
		__builtin_memcpy(k.addr, li->saddr, 16);
		k.port = li->sport;
	} else {
		__builtin_memcpy(k.addr, li->daddr, 16);
		k.port = li->dport;
	}
	k.proto = li->proto;
	k.family = li->family;
	struct ew_owner_value *v = bpf_map_lookup_elem(&dns_owner, &k);
	if (v) {
		*out = v->owner;
		*flags |= EW_PKT_F_OWNER;
	}
}

/* slot is a constant at each call site (a power of 2), so every size below is one the verifier knows. */
static __always_inline void submit_frame(struct __sk_buff *skb, struct l3info *li, int query, __u32 ifindex,
					 __u32 l2_len, const __u32 slot)
{
	__u32 len = skb->len;
	struct ew_packet *p = bpf_ringbuf_reserve(&records, sizeof(struct ew_packet) - EW_PKT_SMALL + slot, 0);
	if (!p) {
		count_lost(EW_LOST_PACKET);
		return;
	}
	__u32 cap = len > slot ? slot : len;
	/* cap is at least 1 (the frame parsed), and the mask shows the verifier 1 <= cap <= slot. */
	barrier_var(cap);
	cap = ((cap - 1) & (slot - 1)) + 1;
	p->h.kind = EW_REC_PACKET;
	p->h.flags = 0;
	p->h.ts_ns = bpf_ktime_get_ns();
	__builtin_memset(&p->owner, 0, sizeof(p->owner));
	lookup_owner(li, query, &p->owner, &p->h.flags);
	p->ifindex = ifindex;
	p->orig_len = len;
	p->pkt_type = skb->pkt_type;
	p->l2_len = l2_len;
	if (bpf_skb_load_bytes(skb, 0, p->data, cap) < 0)
		cap = 0;
	p->cap_len = cap;
	p->h.size = sizeof(struct ew_packet) - EW_PKT_SMALL + cap;
	bpf_ringbuf_submit(p, wakeup_flags());
}

SEC("socket")
int dns_frames(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ifindex;
	__u32 cfg = 14 << 8;
	__u32 *c = bpf_map_lookup_elem(&iface_cfg, &ifindex);
	if (c)
		cfg = *c;
	/* Loopback shows every packet twice (sent and received): keep the sent copy. */
	if ((cfg & 1) && skb->pkt_type != PACKET_OUTGOING)
		return 0;
	__u32 l2_len = (cfg >> 8) & 0xff;
	struct l3info li = {};
	if (parse_frame(skb, l2_len, &li) < 0)
		return 0;
	int dport_dns = is_dns_port(li.dport);
	if (!dport_dns && !is_dns_port(li.sport))
		return 0;

	__u32 len = skb->len;
	if (len <= EW_PKT_SMALL)
		submit_frame(skb, &li, dport_dns, ifindex, l2_len, EW_PKT_SMALL);
	else if (len <= EW_PKT_MEDIUM)
		submit_frame(skb, &li, dport_dns, ifindex, l2_len, EW_PKT_MEDIUM);
	else
		submit_frame(skb, &li, dport_dns, ifindex, l2_len, EW_PKT_MAX);
	return 0;
}

/* ---- Owners of DNS client sockets: transmit path, in the sending process ----------------- */

static __always_inline int read_skb_l3(struct sk_buff *skb, struct l3info *li)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	if (nh == (__u16)~0U)
		return -1;
	if (proto == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) < 0)
			return -1;
		/* A packet dropped before its headers were parsed has no valid network header. */
		if (ip.version != 4 || ip.ihl < 5)
			return -1;
		if (bpf_ntohs(ip.frag_off) & 0x1fff)
			return -1;
		li->proto = ip.protocol;
		__builtin_memcpy(li->saddr, &ip.saddr, 4);
		__builtin_memcpy(li->daddr, &ip.daddr, 4);
		li->family = AF_INET;
		li->l4_off = nh + ip.ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh) < 0)
			return -1;
		if (ip6.version != 6)
			return -1;
		li->proto = ip6.nexthdr;
		__builtin_memcpy(li->saddr, &ip6.saddr, 16);
		__builtin_memcpy(li->daddr, &ip6.daddr, 16);
		li->family = AF_INET6;
		li->l4_off = nh + 40;
	} else {
		return -1;
	}
	if (li->proto != IPPROTO_UDP && li->proto != IPPROTO_TCP)
		return -1;
	__u16 ports[2];
	if (bpf_probe_read_kernel(ports, sizeof(ports), head + li->l4_off) < 0)
		return -1;
	li->sport = ports[0];
	li->dport = ports[1];
	return 0;
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(dns_owner_tx, struct sk_buff *skb)
{
	struct sock *sk = BPF_CORE_READ(skb, sk);
	if (!sk)
		return 0;
	struct l3info li = {};
	if (read_skb_l3(skb, &li) < 0 || !is_dns_port(li.dport))
		return 0;
	struct ew_owner_key k = {};
	__builtin_memcpy(k.addr, li.saddr, 16);
	k.port = li.sport;
	k.proto = li.proto;
	k.family = li.family;
	__u64 skv = (__u64)sk;
	struct ew_owner_value *old = bpf_map_lookup_elem(&dns_owner, &k);
	/* Segments sent later from softirq (TCP) run in another task: keep the first owner. */
	if (old && old->sk == skv)
		return 0;
	struct ew_owner_value v = {};
	v.sk = skv;
	struct ew_conn *c = li.proto == IPPROTO_TCP ? bpf_map_lookup_elem(&conns, &skv) : 0;
	if (c)
		v.owner = c->owner;
	else
		fill_owner(&v.owner);
	if (bpf_map_update_elem(&dns_owner, &k, &v, BPF_ANY) < 0)
		count_lost(EW_LOST_OWNER_MAP);
	return 0;
}

/* ---- Outbound TCP connections ------------------------------------------------------------ */

static __always_inline void fill_tuple(struct ew_tcp *e, const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->family = family;
	__u16 num = BPF_CORE_READ(sk, __sk_common.skc_num);
	/* Entering CLOSE releases the port (num = 0) first; inet_sport still holds it. */
	e->sport = num ? bpf_htons(num) : BPF_CORE_READ((struct inet_sock *)sk, inet_sport);
	e->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	if (family == AF_INET6) {
		bpf_probe_read_kernel(e->saddr, 16, __builtin_preserve_access_index(&sk->__sk_common.skc_v6_rcv_saddr));
		bpf_probe_read_kernel(e->daddr, 16, __builtin_preserve_access_index(&sk->__sk_common.skc_v6_daddr));
	} else {
		BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
	}
}

static __always_inline struct ew_tcp *tcp_record(const struct sock *sk, __u8 event)
{
	struct ew_tcp *e = bpf_ringbuf_reserve(&records, sizeof(struct ew_tcp), 0);
	if (!e) {
		count_lost(EW_LOST_TCP);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->h.kind = EW_REC_TCP;
	e->h.size = sizeof(*e);
	e->h.ts_ns = bpf_ktime_get_ns();
	e->event = event;
	e->sk = (__u64)sk;
	fill_tuple(e, sk);
	return e;
}

static __always_inline void owner_from_conn(struct ew_tcp *e, __u64 skv)
{
	struct ew_conn *c = bpf_map_lookup_elem(&conns, &skv);
	if (c) {
		e->owner = c->owner;
		e->h.flags |= EW_TCP_F_OWNER;
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u64 skv = (__u64)sk;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		/* connect(): runs in the connecting process; the local port is not chosen yet. */
		struct ew_conn c = {};
		c.start_ns = bpf_ktime_get_ns();
		fill_owner(&c.owner);
		bpf_map_update_elem(&conns, &skv, &c, BPF_ANY);
		struct ew_tcp *e = tcp_record(sk, EW_TCP_CONNECT);
		if (!e)
			return 0;
		e->owner = c.owner;
		e->h.flags |= EW_TCP_F_OWNER;
		bpf_ringbuf_submit(e, wakeup_flags());
		return 0;
	}
	struct ew_conn *c = bpf_map_lookup_elem(&conns, &skv);
	if (!c)
		return 0; /* not a connection we saw start: inbound or older than the capture */
	__u8 event;
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED)
		event = EW_TCP_ESTABLISHED;
	else if (oldstate == TCP_SYN_SENT && newstate == TCP_CLOSE)
		event = EW_TCP_FAILED;
	else if (newstate == TCP_CLOSE)
		event = EW_TCP_CLOSE;
	else
		return 0;
	struct ew_tcp *e = tcp_record(sk, event);
	if (e) {
		e->owner = c->owner;
		e->h.flags |= EW_TCP_F_OWNER;
		e->old_state = oldstate;
		if (event == EW_TCP_ESTABLISHED)
			e->latency_ns = e->h.ts_ns - c->start_ns;
		if (event == EW_TCP_FAILED)
			e->sk_err = BPF_CORE_READ(sk, sk_err);
		bpf_ringbuf_submit(e, wakeup_flags());
	}
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&conns, &skv);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcp_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	struct ew_tcp *e = tcp_record(sk, EW_TCP_RETRANSMIT);
	if (!e)
		return 0;
	e->old_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (e->old_state == TCP_SYN_SENT)
		e->h.flags |= EW_TCP_F_SYN;
	owner_from_conn(e, (__u64)sk);
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tcp_reset, struct sock *sk)
{
	struct ew_tcp *e = tcp_record(sk, EW_TCP_RESET);
	if (!e)
		return 0;
	e->old_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	owner_from_conn(e, (__u64)sk);
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

/* ---- Kernel drops of DNS packets --------------------------------------------------------- */

SEC("tp_btf/kfree_skb")
int BPF_PROG(dns_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0;
	struct l3info li = {};
	if (read_skb_l3(skb, &li) < 0)
		return 0;
	if (!is_dns_port(li.dport) && !is_dns_port(li.sport))
		return 0;
	struct ew_drop *d = bpf_ringbuf_reserve(&records, sizeof(struct ew_drop), 0);
	if (!d) {
		count_lost(EW_LOST_DROP);
		return 0;
	}
	__builtin_memset(d, 0, sizeof(*d));
	d->h.kind = EW_REC_DROP;
	d->h.size = sizeof(*d);
	d->h.ts_ns = bpf_ktime_get_ns();
	d->reason = reason;
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	d->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	__builtin_memcpy(d->saddr, li.saddr, 16);
	__builtin_memcpy(d->daddr, li.daddr, 16);
	d->sport = li.sport;
	d->dport = li.dport;
	d->family = li.family;
	d->proto = li.proto;
	bpf_ringbuf_submit(d, wakeup_flags());
	return 0;
}
