// Replays a pcap or pcapng file as capture events: streams the file in chunks, splits it into
// frames (pcap-records.ts / pcapng-blocks.ts) and feeds them to the shared wire decoder,
// delivering events in batches. Truncated or corrupt files keep what was read and say so.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { EgressError } from '../errors.js';
import { addCounts, bump, emptySummary, type CaptureEvent, type CaptureSource, type CaptureSummary, type EventBatchHandler } from '../events.js';
import { PcapRecords, PCAP_MAGIC_KUZNETZOV, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, type CaptureRecordParser, type FrameSink } from './pcap-records.js';
import { PcapngBlocks } from './pcapng-blocks.js';
import { createWireDecoder } from './wire-decoder.js';

export interface PcapSourceOptions {
  /** UDP/TCP ports treated as DNS (53 plus configured extras). */
  dnsPorts: number[];
  /** Read buffer size (default 512 KiB); tests use small ones to cross record boundaries. */
  chunkBytes?: number;
}

// Small enough that one chunk's events die young (bigger chunks measured half as fast, from GC).
const DEFAULT_CHUNK = 512 << 10;

/** path "-" reads standard input, e.g. `tcpdump -w - | egresswatch capture --pcap -`. */
export function createPcapSource(path: string, opts: PcapSourceOptions): CaptureSource {
  return {
    description: path === '-' ? 'pcap from standard input' : `pcap file ${path}`,
    run: (handler, signal) => replay(path, opts, handler, signal),
  };
}

function describeOpenError(path: string, err: unknown): EgressError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error)?.message ?? String(err);
  return new EgressError('input', `cannot read pcap file ${JSON.stringify(path)}: ${why}`);
}

/** Picks the parser from the file's first four bytes, or undefined when it is neither format. */
function parserFor(head: Buffer): CaptureRecordParser | undefined {
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  if (le === 0x0a0d0d0a) return new PcapngBlocks();
  for (const magic of [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_KUZNETZOV]) {
    if (le === magic || be === magic) return new PcapRecords();
  }
  return undefined;
}

async function replay(path: string, opts: PcapSourceOptions, handler: EventBatchHandler, signal?: AbortSignal): Promise<CaptureSummary> {
  const summary = emptySummary();
  let batch: CaptureEvent[] = [];
  const decoder = createWireDecoder({ dnsPorts: opts.dnsPorts, summary, emit: (ev) => batch.push(ev) });
  const deliver = () => {
    if (!batch.length) return undefined;
    const held = handler(batch);
    batch = [];
    return held;
  };
  const recordCounters = await readCaptureFile(path, { chunkBytes: opts.chunkBytes, sink: decoder, summary, afterChunk: deliver, signal });
  decoder.flush();
  await deliver();
  addCounts(summary.counters, recordCounters);
  return summary;
}

export interface CaptureFileReading {
  /** Read buffer size (default 512 KiB). */
  chunkBytes?: number | undefined;
  /** Where each frame goes, in file order. */
  sink: FrameSink;
  /** Gets the file's problems: corrupt or truncated records, notes. */
  summary: CaptureSummary;
  /**
   * The sink copies what it keeps of each frame before afterChunk returns: then a regular file is
   * read into the same buffer again and again (fresh memory costs a page fault per 4 KiB). When
   * false, each read is a new buffer that the sink's events may view.
   */
  sinkCopies?: boolean;
  /** Called after each read's frames went to the sink; reading waits for a returned promise. */
  afterChunk: () => Promise<void> | void;
  signal?: AbortSignal | undefined;
}

/**
 * Reads a pcap or pcapng file ("-" for standard input) and hands each frame to the
 * sink. Framing is sequential state (byte order, pcapng interfaces), so it stays on one thread
 * whoever decodes the frames. Truncated or corrupt files keep what was read and say so in the
 * summary; a file that is not a capture at all is an input error. Returns the record parser's
 * counters (records, skipped blocks…), which the caller adds once decoding has finished.
 */
export async function readCaptureFile(file: string, reading: CaptureFileReading): Promise<Record<string, number>> {
  const path = file === '-' ? '/dev/stdin' : file;
  const { sink, summary, signal } = reading;
  const chunk = Math.max(64, reading.chunkBytes ?? DEFAULT_CHUNK);
  const chunks = reading.sinkCopies && path !== '/dev/stdin' ? new ReusedFileChunks(path, chunk) : new StreamChunks(path, chunk);
  const stop = () => chunks.close();
  signal?.addEventListener('abort', stop, { once: true });
  let parser: CaptureRecordParser | undefined;
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let fileOffset = 0; // file position of buf[0]
  try {
    for (;;) {
      // An incomplete record at the end of the previous chunk is carried into this one.
      const next = await chunks.next(buf.subarray(pos));
      if (!next) break;
      buf = next;
      fileOffset += pos;
      pos = 0;
      if (!parser) {
        if (buf.length < 24) continue; // both formats' headers fit in 24 bytes
        parser = parserFor(buf);
        if (!parser) throw notCapture(path, buf);
      }
      const res = parser.parse(buf, pos, buf.length, fileOffset, sink);
      if (typeof res !== 'number') {
        // Framing is lost: nothing after this point can be trusted, everything before is kept.
        bump(summary.malformed, 'corrupt_file');
        note(summary, `corrupt capture file at byte ${res.offset}: ${res.fault}; the rest of the file was skipped`);
        pos = buf.length;
        break;
      }
      pos = res;
      const held = reading.afterChunk();
      if (held) await held;
      if (signal?.aborted) break;
    }
  } catch (err) {
    if (err instanceof EgressError) throw err;
    if (!signal?.aborted) throw describeOpenError(path, err);
  } finally {
    signal?.removeEventListener('abort', stop);
    await chunks.close();
  }
  if (signal?.aborted) {
    bump(summary.counters, 'stopped_before_end');
  } else if (!parser) {
    // The whole input was shorter than a file header.
    if (buf.length === 0) throw new EgressError('input', `pcap file ${JSON.stringify(path)} is empty`);
    if (buf.length < 4 || !parserFor(buf)) throw notCapture(path, buf);
    throw new EgressError('input', `pcap file ${JSON.stringify(path)} is truncated inside its file header (${buf.length} bytes)`);
  } else if (pos < buf.length) {
    bump(summary.malformed, 'truncated_record');
    note(summary, `file ends inside a record at byte ${fileOffset + pos} (${buf.length - pos} bytes ignored)`);
  }
  return parser?.counters ?? {};
}

/**
 * Successive reads of the input, each returned after `rest` (the unparsed end of the previous
 * one). At the end of the input, undefined; `rest` then still holds what it held, or (reused
 * buffer) the same bytes at offset 0, which is all the caller reads of it there.
 */
interface CaptureChunks {
  next(rest: Buffer): Promise<Buffer | undefined>;
  close(): Promise<void> | void;
}

/**
 * A stream, not positioned reads: a pipe (tcpdump -w -) is read without blocking a thread, and
 * stopping destroys it even while no data comes. Each read is a new buffer.
 */
class StreamChunks implements CaptureChunks {
  private readonly stream: Readable;
  private readonly reads: AsyncIterator<Buffer>;

  constructor(path: string, chunk: number) {
    this.stream = path === '/dev/stdin' ? process.stdin : createReadStream(path, { highWaterMark: chunk });
    this.reads = (this.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async next(rest: Buffer): Promise<Buffer | undefined> {
    const r = await this.reads.next();
    if (r.done) return undefined;
    return rest.length ? Buffer.concat([rest, r.value]) : r.value;
  }

  close(): void {
    this.stream.destroy();
  }
}

/** A regular file read into one buffer, again and again, the rest of each read moved to its start. */
class ReusedFileChunks implements CaptureChunks {
  private file: Promise<FileHandle> | undefined;
  private work: Buffer;
  private closed = false;

  constructor(private readonly path: string, private readonly chunk: number) {
    this.work = Buffer.allocUnsafeSlow(2 * chunk);
  }

  async next(rest: Buffer): Promise<Buffer | undefined> {
    const fh = await (this.file ??= open(this.path, 'r'));
    if (this.closed) return undefined;
    if (rest.length + this.chunk > this.work.length) {
      // A record longer than a read: a bigger buffer (records are bounded by MAX_RECORD).
      const bigger = Buffer.allocUnsafeSlow(rest.length + 2 * this.chunk);
      rest.copy(bigger);
      this.work = bigger;
    } else if (rest.buffer === this.work.buffer) {
      this.work.copyWithin(0, rest.byteOffset - this.work.byteOffset, rest.byteOffset - this.work.byteOffset + rest.length);
    } else {
      rest.copy(this.work);
    }
    const { bytesRead } = await fh.read(this.work, rest.length, this.chunk, null);
    if (bytesRead === 0 || this.closed) return undefined;
    return this.work.subarray(0, rest.length + bytesRead);
  }

  async close(): Promise<void> {
    this.closed = true;
    const fh = await this.file?.catch(() => undefined);
    await fh?.close().catch(() => undefined);
    this.file = undefined;
  }
}

function notCapture(path: string, head: Buffer): EgressError {
  const hex = head.subarray(0, Math.min(head.length, 4)).toString('hex');
  return new EgressError('input', `${JSON.stringify(path)} is not a pcap or pcapng file (it starts with 0x${hex})`);
}

function note(summary: CaptureSummary, text: string): void {
  (summary.notes ??= []).push(text);
}
