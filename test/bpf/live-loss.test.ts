// Loss accounting: with a one-page ring buffer and a burst of DNS packets, the records that do
// not fit are counted by the kernel and reported in the summary, so captured + lost = sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { startLiveCapture } from '../helpers/live-capture.js';

test('records the ring buffer could not take are counted, none disappear silently', async (t) => {
  const sink = createSocket('udp4');
  t.after(() => sink.close());
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const port = sink.address().port;
  const capture = await startLiveCapture({ dnsPorts: [port], ringBytes: 4096 });
  const sender = createSocket('udp4');
  const sent = 400;
  try {
    await new Promise<void>((r) => sender.connect(port, '127.0.0.1', () => r()));
    const query = Buffer.from('000101000001000000000000046c6f737404746573740000010001', 'hex');
    // Sent back to back: far more than one 4 KiB page holds before the reader drains it.
    await Promise.all(Array.from({ length: sent }, (_, i) => {
      query.writeUInt16BE(i, 0);
      return new Promise<void>((r) => sender.send(Buffer.from(query), () => r()));
    }));
  } finally {
    sender.close();
  }
  await new Promise((r) => setTimeout(r, 300));
  const summary = await capture.stop();
  const captured = capture.events.filter((ev) => ev.type === 'dns' && ev.dport === port).length;
  assert.ok(summary.lost.ringbuf_packets > 0, 'the burst overflowed the ring');
  assert.equal(captured + summary.lost.ringbuf_packets + summary.lost.queue_full, sent);
});
