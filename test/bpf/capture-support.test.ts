// The small parts of live capture that need no kernel: capability parsing, conntrack counters,
// drop reason names, failure reasons and the joining of a connect to its local port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveCapabilities, missingCapabilities } from '../../src/bpf/capabilities.js';
import { parseConntrackStat } from '../../src/bpf/conntrack-stat.js';
import { dropReasonNames } from '../../src/bpf/drop-reasons.js';
import type { TcpRecord } from '../../src/bpf/record-decoder.js';
import { TcpKind } from '../../src/bpf/record-layout.js';
import { failReason, TcpEventAssembler } from '../../src/bpf/tcp-events.js';
import type { TcpEvent } from '../../src/events.js';

test('capabilities: root has all, an unprivileged process lacks BPF, PERFMON and NET_RAW', () => {
  assert.equal(effectiveCapabilities('Name:\tx\nCapEff:\t000001ffffffffff\n'), 0x1ffffffffffn);
  assert.deepEqual(missingCapabilities(0x1ffffffffffn), []);
  assert.deepEqual(missingCapabilities(0n), ['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_RAW']);
  // CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON on older kernels.
  assert.deepEqual(missingCapabilities((1n << 21n) | (1n << 13n)), []);
});

test('conntrack: per-CPU hex rows are summed by column name', () => {
  const text = [
    'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart',
    '00000010  00000001 00000002 00000000 0000000a 00000000 00000000 00000000 00000003 00000004 00000005 00000006 00000000  00000000 00000000 00000000 00000007',
    '00000010  00000001 00000002 00000000 00000001 00000000 00000000 00000000 00000003 00000010 00000005 00000006 00000000  00000000 00000000 00000000 00000007',
  ].join('\n');
  assert.deepEqual(parseConntrackStat(text, 5), {
    type: 'conntrack', ts: 5, found: 4, invalid: 11, insert: 6, insertFailed: 20, drop: 10, earlyDrop: 12, searchRestart: 14, clashResolve: 2,
  });
  assert.equal(parseConntrackStat('', 1), undefined);
  assert.equal(parseConntrackStat('00000001 00000002\n', 1), undefined);
});

test('drop reasons lose their prefix; unknown numbers stay visible', () => {
  const name = dropReasonNames([[2, 'SKB_DROP_REASON_NOT_SPECIFIED'], [6, 'SKB_DROP_REASON_NETFILTER_DROP'], [1, 'SKB_CONSUMED']]);
  assert.equal(name(6), 'NETFILTER_DROP');
  assert.equal(name(1), 'CONSUMED');
  assert.equal(name(999), 'REASON_999');
});

test('failed connects: refused, timeout, unreachable by errno', () => {
  assert.equal(failReason(111), 'refused');
  assert.equal(failReason(110), 'timeout');
  assert.equal(failReason(113), 'unreachable');
  assert.equal(failReason(0), 'other');
});

function rec(kind: number, sport: number, tsNs: number, extra: Partial<TcpRecord> = {}): TcpRecord {
  return {
    tsNs, owner: { pid: 7, comm: 'curl', cgroupId: '1' }, sk: 'ffff1', kind, latencyNs: 0, src: '10.0.0.1', sport,
    dst: '192.0.2.1', dport: 443, family: 2, oldState: 0, skErr: 0, syn: false, ...extra,
  };
}

test('a connect is held until its socket has a local port, then emitted before its successor', () => {
  const events: TcpEvent[] = [];
  const a = new TcpEventAssembler((ns) => ns / 1e6, 1000);
  a.add(rec(TcpKind.CONNECT, 0, 1e9), (e) => events.push(e));
  assert.equal(events.length, 0);
  a.add(rec(TcpKind.ESTABLISHED, 40001, 1.002e9, { latencyNs: 2e6 }), (e) => events.push(e));
  assert.deepEqual(events.map((e) => [e.event, e.sport, e.ts]), [['connect', 40001, 1000], ['established', 40001, 1002]]);
  assert.equal(events[1].latencyMs, 2);
  assert.equal(events[0].pid, 7);

  // A connect with no follow-up is emitted after the hold time, port unknown.
  const late: TcpEvent[] = [];
  a.add(rec(TcpKind.CONNECT, 0, 5e9, { sk: 'ffff2' }), (e) => late.push(e));
  a.expire(5.5e9, (e) => late.push(e));
  assert.equal(late.length, 0);
  a.expire(6.1e9, (e) => late.push(e));
  assert.deepEqual(late.map((e) => [e.event, e.sport]), [['connect', 0]]);

  const mapped: TcpEvent[] = [];
  a.add(rec(TcpKind.RESET, 40003, 8e9, { sk: 'ffff4', src: '::ffff:10.0.0.1', dst: '::ffff:192.0.2.1', family: 10 }), (e) => mapped.push(e));
  assert.deepEqual([mapped[0].src, mapped[0].dst], ['10.0.0.1', '192.0.2.1']);

  const failed: TcpEvent[] = [];
  a.add(rec(TcpKind.FAILED, 40002, 7e9, { sk: 'ffff3', skErr: 110 }), (e) => failed.push(e));
  assert.deepEqual([failed[0].reason, failed[0].errno], ['timeout', 110]);
});
