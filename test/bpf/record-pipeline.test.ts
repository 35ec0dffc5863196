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
