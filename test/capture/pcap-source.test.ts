// The pcap/pcapng reader on hand-made files: both byte orders, micro- and nanosecond pcap,
// pcapng with several interfaces, if_tsresol, simple/obsolete packet blocks and unknown blocks,
// records split across read chunks, truncated and corrupt files, and one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { createPcapSource } from '../../src/capture/pcap-source.js';
import { LinkType } from '../../src/capture/wire-decoder.js';
import { EgressError } from '../../src/errors.js';
import type { CaptureEvent, CaptureSummary, DnsPacket } from '../../src/events.js';
import { parseDnsMessage } from '../../src/dns/message.js';
import { testOutputDir } from '../helpers/paths.js';
import { ethernet, ip, pcapFile, pcapngFile, sll2, udp, type L4 } from './frame-builder.js';

const dir = testOutputDir('pcap-source');
const Q: L4 = { src: '10.202.0.1', sport: 40000, dst: '10.202.0.53', dport: 53 };
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5); // ms

function query(name: string, id: number): Buffer {
  return dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });
}

function frameOf(name: string, id: number): Buffer {
  return ethernet(ip(Q, 17, udp(Q, query(name, id))));
}

async function replay(bytes: Buffer, name: string, chunkBytes?: number): Promise<{ events: CaptureEvent[]; summary: CaptureSummary; batches: number }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const events: CaptureEvent[] = [];
  let batches = 0;
  const summary = await createPcapSource(file, { dnsPorts: [53], chunkBytes }).run((batch) => {
    batches++;
    events.push(...batch);
  });
  return { events, summary, batches };
}

function qnames(events: CaptureEvent[]): string[] {
  return events.filter((e): e is DnsPacket => e.type === 'dns').map((e) => {
    const p = parseDnsMessage(e.payload);
    return p.ok ? `${p.message.id} ${p.message.qname}` : p.reason;
  });
}

const frames = Array.from({ length: 50 }, (_, i) => ({ ts: T0 + i * 1.5 + 0.25, data: frameOf(`n${i}.test`, i) }));
const expected = frames.map((_, i) => `${i} n${i}.test`);

for (const [label, o] of [
  ['little-endian microseconds', {}],
  ['big-endian microseconds', { bigEndian: true }],
  ['little-endian nanoseconds', { nano: true }],
  ['big-endian nanoseconds', { bigEndian: true, nano: true }],
] as const) {
  test(`pcap ${label}: every record, timestamps, records crossing read chunks`, async () => {
    for (const chunk of [undefined, 100, 333]) {
      const { events, summary, batches } = await replay(pcapFile(LinkType.ETHERNET, frames, o), `pcap-${label.replace(/ /g, '-')}.pcap`, chunk);
      assert.deepEqual(qnames(events), expected);
      assert.ok(Math.abs(events[3].ts - (T0 + 3 * 1.5 + 0.25)) < 0.002);
      assert.equal(summary.counters.records, 50);
      assert.deepEqual(summary.malformed, {});
      assert.deepEqual(summary.events, { dns: 50 });
      if (chunk !== undefined) assert.ok(batches > 1, 'small chunks deliver several batches');
    }
  });
}

test('pcapng: several interfaces with their own link types and resolutions, EPB/SPB/OPB, unknown blocks, both byte orders', async () => {
  for (const bigEndian of [false, true]) {
    const ifaces = [
      { linkType: LinkType.ETHERNET },
      { linkType: LinkType.LINUX_SLL2, tsresol: 9 },
      { linkType: LinkType.RAW, tsresol: 0x80 | 20 },
    ];
    const packets = [
      { iface: 0, ts: T0 + 1.001, data: frameOf('eth.test', 1) },
      { iface: 1, ts: T0 + 2.000002, data: sll2(ip(Q, 17, udp(Q, query('sll2.test', 2))), 3) },
      { iface: 2, ts: T0 + 3.5, data: ip(Q, 17, udp(Q, query('raw.test', 3))) },
      { iface: 0, ts: T0 + 4, data: frameOf('spb.test', 4), kind: 'spb' as const },
      { iface: 0, ts: T0 + 5, data: frameOf('opb.test', 5), kind: 'opb' as const },
      { iface: 7, ts: T0 + 6, data: frameOf('nowhere.test', 6) },
    ];
    const { events, summary } = await replay(pcapngFile(ifaces, packets, { bigEndian }), `multi-${bigEndian ? 'be' : 'le'}.pcapng`, 97);
    assert.deepEqual(qnames(events), ['1 eth.test', '2 sll2.test', '3 raw.test', '4 spb.test', '5 opb.test']);
    const ts = events.map((e) => e.ts - T0);
    assert.ok(Math.abs(ts[0] - 1.001) < 1e-3);
    assert.ok(Math.abs(ts[1] - 2.000002) < 1e-3);
    assert.ok(Math.abs(ts[2] - 3.5) < 1e-3);
    assert.equal(ts[3], ts[2], 'a simple packet block inherits the previous time');
    assert.equal((events[1] as DnsPacket).ifindex, 3);
    assert.equal(summary.counters.pcapng_blocks_skipped, 1);
    assert.equal(summary.counters.packets_unknown_interface, 1);
    assert.deepEqual(summary.malformed, {});
  }
});

test('pcapng: a timestamp beyond any date (a damaged file) keeps its packet, with the previous time, and is counted', async () => {
  const ifaces = [{ linkType: LinkType.ETHERNET, tsresol: 0 }];
  const packets = [
    { iface: 0, ts: T0 + 1000, data: frameOf('before.test', 1) },
    { iface: 0, ts: 1e19, data: frameOf('far.test', 2) },
    { iface: 0, ts: T0 + 3000, data: frameOf('after.test', 3) },
  ];
  const { events, summary } = await replay(pcapngFile(ifaces, packets), 'far-future.pcapng');
  assert.deepEqual(qnames(events), ['1 before.test', '2 far.test', '3 after.test']);
  assert.deepEqual(events.map((e) => e.ts - T0), [1000, 1000, 3000]);
  assert.equal(summary.counters.timestamps_out_of_range, 1);
});

test('a file cut inside a record keeps every whole record and reports where it ends', async () => {
  const whole = pcapFile(LinkType.ETHERNET, frames);
  for (const cut of [whole.length - 1, whole.length - 60, 24 + 10]) {
    const { events, summary } = await replay(whole.subarray(0, cut), 'truncated.pcap', 128);
    const n = events.length;
    assert.deepEqual(qnames(events), expected.slice(0, n));
    assert.equal(summary.malformed.truncated_record, 1);
    assert.match(summary.notes?.[0] ?? '', /^file ends inside a record at byte \d+ \(\d+ bytes ignored\)$/);
  }
  const ng = pcapngFile([{ linkType: 1 }], frames.slice(0, 5).map((f) => ({ ...f, iface: 0 })));
  const { events, summary } = await replay(ng.subarray(0, ng.length - 7), 'truncated.pcapng');
  assert.equal(events.length, 4);
  assert.equal(summary.malformed.truncated_record, 1);
});

test('a snapped capture (caplen < len) counts DNS payloads it cannot see whole', async () => {
  const snapped = frames.slice(0, 3).map((f) => ({ ts: f.ts, data: f.data.subarray(0, 60), origLen: f.data.length }));
  const { events, summary } = await replay(pcapFile(LinkType.ETHERNET, snapped, { snaplen: 60 }), 'snapped.pcap');
  assert.equal(events.length, 0);
  assert.equal(summary.malformed.dns_snapped, 3);
});

test('a corrupt record length stops reading, keeps what came before and says where', async () => {
  const whole = pcapFile(LinkType.ETHERNET, frames.slice(0, 4));
  const recLen = 16 + frames[0].data.length;
  whole.writeUInt32LE(0x7fffffff, 24 + 2 * recLen + 8); // third record's incl_len
  const { events, summary } = await replay(whole, 'corrupt.pcap');
  assert.equal(events.length, 2);
  assert.equal(summary.malformed.corrupt_file, 1);
  assert.match(summary.notes?.[0] ?? '', /corrupt capture file at byte \d+: record length 2147483647 is not plausible/);
});

test('missing, empty, non-capture and header-only files fail with one line', async () => {
  const cases: [string, Buffer | undefined, RegExp][] = [
    ['missing.pcap', undefined, /^cannot read pcap file ".*missing\.pcap": no such file$/],
    ['empty.pcap', Buffer.alloc(0), /^pcap file ".*empty\.pcap" is empty$/],
    ['garbage.pcap', Buffer.from('GET / HTTP/1.1\r\n\r\n'), /^".*garbage\.pcap" is not a pcap or pcapng file \(it starts with 0x47455420\)$/],
    ['short.pcap', Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0]), /^pcap file ".*short\.pcap" is truncated inside its file header \(6 bytes\)$/],
  ];
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes, message] of cases) {
    const file = join(dir, name);
    if (bytes) writeFileSync(file, bytes);
    await assert.rejects(createPcapSource(file, { dnsPorts: [53] }).run(() => undefined), (err: unknown) => {
      assert.ok(err instanceof EgressError);
      assert.equal(err.code, 'input');
      assert.match(err.message, message);
      return true;
    });
  }
  await assert.rejects(createPcapSource(dir, { dnsPorts: [53] }).run(() => undefined), /it is a directory/);
});

test('an abort signal stops the replay between chunks and still returns a summary', async () => {
  const stop = new AbortController();
  const file = join(dir, 'abort.pcap');
  writeFileSync(file, pcapFile(LinkType.ETHERNET, frames));
  let seen = 0;
  const summary = await createPcapSource(file, { dnsPorts: [53], chunkBytes: 200 }).run((batch) => {
    seen += batch.length;
    stop.abort();
  }, stop.signal);
  assert.ok(seen > 0 && seen < 50);
  assert.equal(summary.counters.stopped_before_end, 1);
});
