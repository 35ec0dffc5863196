// The record pipeline without a kernel: packet records become DnsPackets with the process the
// kernel joined to them, through the same wire decoder as replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropReasonNames } from '../../src/bpf/drop-reasons.js';
import { RecordPipeline } from '../../src/bpf/record-pipeline.js';
import type { CaptureEvent, DnsPacket } from '../../src/events.js';
import { dnsQuery, dnsResponse, packetBatch, udpFrame } from '../helpers/record-batch.js';

test('packet records become DNS events carrying the owner, with times on the epoch clock', () => {
  const events: CaptureEvent[] = [];
  const pipeline = new RecordPipeline({ dnsPorts: [53], dropReasonName: dropReasonNames([]), toEpochMs: (ns) => 1_700_000_000_000 + ns / 1e6, emit: (ev) => events.push(ev) });
  const owner = { pid: 321, comm: 'curl', cgroupId: 9n };
  pipeline.addBatch(packetBatch([
    { frame: udpFrame({ src: [10, 0, 0, 5], dst: [10, 0, 0, 53], sport: 40000, dport: 53, dns: dnsQuery(7, 'example.org') }), tsNs: 1e6, owner },
    { frame: udpFrame({ src: [10, 0, 0, 53], dst: [10, 0, 0, 5], sport: 53, dport: 40000, dns: dnsResponse(7, 'example.org', '192.0.2.5') }), tsNs: 3e6, owner },
    { frame: udpFrame({ src: [10, 0, 0, 5], dst: [10, 0, 0, 9], sport: 40001, dport: 5353, dns: dnsQuery(8, 'not.dns.port') }), tsNs: 4e6 },
  ]), 3);
  const summary = pipeline.flush();
  assert.equal(events.length, 2);
  const [q, r] = events as DnsPacket[];
  assert.deepEqual([q.dir, q.proto, q.src, q.sport, q.dst, q.dport, q.pid, q.comm, q.cgroupId, q.ts], ['query', 'udp', '10.0.0.5', 40000, '10.0.0.53', 53, 321, 'curl', '9', 1_700_000_000_001]);
  assert.equal(r.dir, 'response');
  assert.equal(r.pid, 321);
  assert.equal(summary.events.dns, 2);
  assert.equal(summary.counters.records, 3);
  assert.equal(summary.counters.udp_other_packets, 1);
});

test('on several interfaces, the copies of one packet are dropped and counted; retries are kept', () => {
  const events: CaptureEvent[] = [];
  const pipeline = new RecordPipeline({ dnsPorts: [53], dropReasonName: dropReasonNames([]), toEpochMs: (ns) => ns / 1e6, emit: (ev) => events.push(ev), multiInterface: true });
  const query = dnsQuery(11, 'copies.example');
  const inner = udpFrame({ src: [172, 17, 0, 2], dst: [192, 0, 2, 53], sport: 41000, dport: 53, dns: query });
  const natted = udpFrame({ src: [10, 0, 0, 5], dst: [192, 0, 2, 53], sport: 41000, dport: 53, dns: query });
  const response = dnsResponse(11, 'copies.example', '192.0.2.80');
  const owner = { pid: 55, comm: 'app', cgroupId: 3n };
  pipeline.addBatch(packetBatch([
    { frame: inner, tsNs: 1_000_000, ifindex: 7, owner }, // container's veth
    { frame: inner, tsNs: 1_010_000, ifindex: 4 }, // bridge
    { frame: natted, tsNs: 1_020_000, ifindex: 2 }, // uplink, after NAT
    // The response arrives on the uplink first, unattributed; the veth copy knows the process.
    { frame: udpFrame({ src: [192, 0, 2, 53], dst: [10, 0, 0, 5], sport: 53, dport: 41000, dns: response }), tsNs: 5_000_000, ifindex: 2 },
    { frame: udpFrame({ src: [192, 0, 2, 53], dst: [172, 17, 0, 2], sport: 53, dport: 41000, dns: response }), tsNs: 5_020_000, ifindex: 7, owner },
    // The client's retry a second later, same bytes: a new query.
    { frame: inner, tsNs: 1_001_000_000, ifindex: 7, owner },
  ]), 6);
  const summary = pipeline.flush();
  const dns = events as DnsPacket[];
  assert.deepEqual(dns.map((e) => [e.dir, e.ifindex, e.pid]), [['query', 7, 55], ['response', 2, 55], ['query', 7, 55]]);
  assert.equal(summary.counters.dns_copies_on_other_interfaces, 3);
});
