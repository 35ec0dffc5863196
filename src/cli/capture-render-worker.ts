// A worker thread of `capture`'s replay (capture-workers.ts): decodes batches of frames with its
// own wire decoder and renders the events as output lines, the same lines the single-threaded
// replay prints. TCP segments go back to the main thread, which keeps connection state.
import { parentPort, workerData } from 'node:worker_threads';
import { emptySummary } from '../events.js';
import { decodeFrameBatch } from '../capture/frame-batch.js';
import { TcpSegmentBatchWriter } from '../capture/tcp-segment-batch.js';
import { createWireDecoder } from '../capture/wire-decoder.js';
import { writeEventLine } from './event-json.js';
import { LineBuffer } from './line-buffer.js';
import type { RenderedBatch, RenderRequest, RenderWorkerData, RenderWorkerTotals } from './capture-workers.js';

const { dnsPorts, json } = workerData as RenderWorkerData;
const summary = emptySummary();
const renderCounts = emptySummary();
const lines = new LineBuffer();
const tcp = new TcpSegmentBatchWriter();
let batchStart = 0;
const decoder = createWireDecoder({
  dnsPorts,
  summary,
  emit: (ev) => writeEventLine(ev, json, renderCounts, lines),
  forwardTcp: (seg, unreachable) => tcp.add(seg, unreachable, lines.bytesAdded - batchStart),
});

parentPort!.on('message', (req: RenderRequest) => {
  if (req.type === 'end') {
    decoder.flush();
    const totals: RenderWorkerTotals = { type: 'totals', summary, renderCounts };
    return parentPort!.postMessage(totals);
  }
  for (const b of req.written) lines.recycle(b);
  batchStart = lines.bytesAdded;
  decodeFrameBatch(req.batch, decoder);
  const out = lines.takeAll();
  const segments = tcp.take();
  const reply: RenderedBatch = { type: 'rendered', batch: req.batch, out: out.map((b) => ({ buffer: b.buffer as ArrayBuffer, offset: b.byteOffset, length: b.length })), ...(segments ? { tcp: segments } : {}) };
  // Every chunk of a takeAll() is its own buffer or a slice of one: transfer each buffer once.
  const transfer = [...new Set(out.map((b) => b.buffer as ArrayBuffer)), req.batch.bytes, req.batch.index];
  if (segments) transfer.push(segments.buffer);
  parentPort!.postMessage(reply, transfer);
});
