// Replays a pcap or pcapng file as capture events: streams the file in chunks, splits it into
// frames (pcap-records.ts / pcapng-blocks.ts) and feeds them to the shared wire decoder,
// delivering events in batches. Truncated or corrupt files keep what was read and say so.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { EgressError } from '../errors.js';
import { bump, emptySummary, type CaptureEvent, type CaptureSource, type CaptureSummary, type EventBatchHandler } from '../events.js';
import { PcapRecords, PCAP_MAGIC_KUZNETZOV, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, type CaptureRecordParser } from './pcap-records.js';
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
  const stdin = path === '-';
  return {
    description: stdin ? 'pcap from standard input' : `pcap file ${path}`,
    run: (handler, signal) => replay(stdin ? '/dev/stdin' : path, opts, handler, signal),
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
  const chunk = Math.max(64, opts.chunkBytes ?? DEFAULT_CHUNK);
  // A stream, not positioned reads: a pipe (tcpdump -w -) is read without blocking a thread,
  // and stopping destroys it even while no data comes. Each chunk is a new buffer, which the
  // emitted payloads may view.
  const stream: Readable = path === '/dev/stdin' ? process.stdin : createReadStream(path, { highWaterMark: chunk });
  const stop = () => stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  const summary = emptySummary();
  let batch: CaptureEvent[] = [];
  const decoder = createWireDecoder({ dnsPorts: opts.dnsPorts, summary, emit: (ev) => batch.push(ev) });
  let parser: CaptureRecordParser | undefined;
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let fileOffset = 0; // file position of buf[0]
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      // An incomplete record at the end of the previous chunk is carried into this one.
      if (pos < buf.length) {
        buf = Buffer.concat([buf.subarray(pos), data]);
      } else {
        buf = data;
      }
      fileOffset += pos;
      pos = 0;
      if (!parser) {
        if (buf.length < 24) continue; // both formats' headers fit in 24 bytes
        parser = parserFor(buf);
        if (!parser) throw notCapture(path, buf);
      }
      const res = parser.parse(buf, pos, buf.length, fileOffset, decoder);
      if (typeof res !== 'number') {
        // Framing is lost: nothing after this point can be trusted, everything before is kept.
        bump(summary.malformed, 'corrupt_file');
        note(summary, `corrupt capture file at byte ${res.offset}: ${res.fault}; the rest of the file was skipped`);
        pos = buf.length;
        break;
      }
      pos = res;
      if (batch.length) {
        const held = handler(batch);
        batch = [];
        if (held) await held;
      }
      if (signal?.aborted) break;
    }
  } catch (err) {
    if (err instanceof EgressError) throw err;
    if (!signal?.aborted) throw describeOpenError(path, err);
  } finally {
    signal?.removeEventListener('abort', stop);
    if (stream !== process.stdin) stream.destroy();
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
  decoder.flush();
  if (batch.length) await handler(batch);
  if (parser) for (const [k, v] of Object.entries(parser.counters)) bump(summary.counters, k, v);
  return summary;
}

function notCapture(path: string, head: Buffer): EgressError {
  const hex = head.subarray(0, Math.min(head.length, 4)).toString('hex');
  return new EgressError('input', `${JSON.stringify(path)} is not a pcap or pcapng file (it starts with 0x${hex})`);
}

function note(summary: CaptureSummary, text: string): void {
  (summary.notes ??= []).push(text);
}
