// `capture --pcap` on several threads: this thread reads the file and splits it into frames
// (framing is sequential), worker threads (capture-render-worker.ts) decode and render batches of
// frames, and this thread writes their lines in file order. TCP segments come back to this
// thread's decoder, which keeps connection state, and their events are placed where a
// single-threaded replay prints them: the output is the same, byte for byte.
import { Worker } from 'node:worker_threads';
import { addCounts, emptySummary, type CaptureSummary } from '../events.js';
import { FrameBatchWriter, type FrameBatch } from '../capture/frame-batch.js';
import { readCaptureFile } from '../capture/pcap-source.js';
import { readTcpSegmentBatch } from '../capture/tcp-segment-batch.js';
import { createWireDecoder } from '../capture/wire-decoder.js';
import { writeEventLine } from './event-json.js';
import type { LineOutput } from './line-output.js';

export interface RenderWorkerData {
  dnsPorts: number[];
  json: boolean;
}

/** A batch to render, with output buffers the worker made before, already written (to fill again). */
export type RenderRequest = { type: 'batch'; batch: FrameBatch; written: ArrayBuffer[] } | { type: 'end' };

/**
 * A batch's output lines, and the TCP segments met on the way with their positions in it; the
 * frames come back for their buffers to be filled again.
 */
export interface RenderedBatch {
  type: 'rendered';
  batch: FrameBatch;
  out: { buffer: ArrayBuffer; offset: number; length: number }[];
  tcp?: { buffer: ArrayBuffer; length: number };
}

/** A worker's counts at the end: its decoder's summary and what rendering found malformed. */
export interface RenderWorkerTotals {
  type: 'totals';
  summary: CaptureSummary;
  renderCounts: CaptureSummary;
}

export interface WorkerReplayOptions {
  /** The capture file ("-": standard input). */
  path: string;
  dnsPorts: number[];
  json: boolean;
  threads: number;
  out: LineOutput;
  /** Gets what rendering found malformed (as the single-threaded replay's render counts). */
  renderCounts: CaptureSummary;
  signal: AbortSignal;
}

/** Batches in flight per worker: enough to keep each busy while this thread writes. */
const IN_FLIGHT_PER_WORKER = 4;

export async function replayInWorkers(o: WorkerReplayOptions): Promise<CaptureSummary> {
  const summary = emptySummary();
  const decoder = createWireDecoder({
    dnsPorts: o.dnsPorts,
    summary,
    emit: (ev) => writeEventLine(ev, o.json, o.renderCounts, o.out.lines),
  });
  const pool = new RenderWorkers(o.threads, { dnsPorts: o.dnsPorts, json: o.json });
  const frames = new FrameBatchWriter();
  const inFlight: { worker: number; reply: Promise<RenderedBatch>; done: boolean }[] = [];

  // A batch's lines in order, each forwarded TCP segment's events at its position; each buffer
  // goes back to its worker once written (when the output lets go of written bytes).
  const recycle = o.out.releasesWrittenBytes;
  const place = (r: RenderedBatch, worker: number) => {
    frames.recycle(r.batch);
    let waiting: Promise<void> | undefined;
    let chunk = 0;
    let chunkStart = 0;
    let placed = 0;
    const placeUpTo = (position: number) => {
      while (placed < position) {
        const c = r.out[chunk];
        const to = Math.min(c.length, position - chunkStart);
        const whole = to === c.length;
        waiting = o.out.writeBytes(new Uint8Array(c.buffer, c.offset + placed - chunkStart, to - (placed - chunkStart)), whole && recycle ? () => pool.recycle(worker, c.buffer) : undefined) ?? waiting;
        placed = chunkStart + to;
        if (whole) {
          chunk++;
          chunkStart += c.length;
        }
      }
    };
    if (r.tcp) {
      readTcpSegmentBatch(new Uint8Array(r.tcp.buffer, 0, r.tcp.length), (seg, unreachable, position) => {
        placeUpTo(position);
        decoder.segment(seg, unreachable);
      });
    }
    placeUpTo(r.out.reduce((a, c) => a + c.length, 0));
    return o.out.flush() ?? waiting;
  };
  const placeOldest = async () => {
    const { worker, reply } = inFlight.shift()!;
    await place(await reply, worker);
  };
  const submit = async () => {
    const batch = frames.take();
    if (batch) {
      const sent = { ...pool.render(batch), done: false };
      sent.reply.then(() => (sent.done = true), () => {});
      inFlight.push(sent);
    }
    // Wait while the workers are full; write whatever is ready meanwhile (a slow pipe as input).
    while (inFlight.length && (inFlight.length >= IN_FLIGHT_PER_WORKER * o.threads || inFlight[0].done)) await placeOldest();
  };

  try {
    const recordCounters = await readCaptureFile(o.path, { sink: frames, sinkCopies: true, summary, afterChunk: submit, signal: o.signal });
    await submit(); // frames read before a corrupt record stopped the file
    while (inFlight.length && !o.signal.aborted) await placeOldest();
    decoder.flush();
    await o.out.flush();
    for (const totals of await pool.finish()) {
      addSummary(summary, totals.summary);
      addCounts(o.renderCounts.malformed, totals.renderCounts.malformed);
    }
    addCounts(summary.counters, recordCounters);
    return summary;
  } finally {
    await pool.close();
  }
}

function addSummary(into: CaptureSummary, add: CaptureSummary): void {
  addCounts(into.events, add.events);
  addCounts(into.malformed, add.malformed);
  addCounts(into.lost, add.lost);
  addCounts(into.counters, add.counters);
  if (add.notes?.length) (into.notes ??= []).push(...add.notes);
}

/** The worker threads, each answering its requests in order. */
class RenderWorkers {
  private readonly workers: Worker[] = [];
  private readonly replies: { resolve: (m: RenderedBatch | RenderWorkerTotals) => void; reject: (e: Error) => void }[][] = [];
  private readonly written: ArrayBuffer[][] = [];
  private failure: Error | undefined;

  constructor(count: number, data: RenderWorkerData) {
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./capture-render-worker.js', import.meta.url), { workerData: data });
      this.replies.push([]);
      this.written.push([]);
      w.on('message', (m: RenderedBatch | RenderWorkerTotals) => this.replies[i].shift()?.resolve(m));
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (this.replies[i].length) this.fail(new Error(`a replay worker exited (status ${code}) with work pending`));
      });
      this.workers.push(w);
    }
  }

  /**
   * Sends a batch to the worker with the fewest batches waiting: the two threads of a 2-core
   * machine do not run at the same speed (the reading thread shares a core with one), and in
   * turns the faster one sat idle a quarter of the time.
   */
  render(batch: FrameBatch): { worker: number; reply: Promise<RenderedBatch> } {
    let worker = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.replies[i].length < this.replies[worker].length) worker = i;
    const written = this.written[worker].splice(0);
    const reply = this.ask(worker, { type: 'batch', batch, written }, [batch.bytes, batch.index, ...written]) as Promise<RenderedBatch>;
    reply.catch(() => {}); // awaited in order by the caller; a failure must not be unhandled meanwhile
    return { worker, reply };
  }

  /** An output buffer of this worker's, written out: it goes back with the worker's next batch. */
  recycle(worker: number, buffer: ArrayBuffer): void {
    this.written[worker].push(buffer);
  }

  /** Each worker's totals, once every batch is done. */
  finish(): Promise<RenderWorkerTotals[]> {
    return Promise.all(this.workers.map((_, i) => this.ask(i, { type: 'end' }) as Promise<RenderWorkerTotals>));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private ask(i: number, req: RenderRequest, transfer: ArrayBuffer[] = []): Promise<RenderedBatch | RenderWorkerTotals> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.replies[i].push({ resolve, reject });
      this.workers[i].postMessage(req, transfer);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const queue of this.replies) for (const r of queue.splice(0)) r.reject(err);
  }
}
