// Replays a pcap or pcapng file as capture events: streams the file in chunks, splits it into
// frames (pcap-records.ts / pcapng-blocks.ts) and feeds them to the shared wire decoder,
// delivering events in batches. Truncated or corrupt files keep what was read and say so.
import { open, type FileHandle } from 'node:fs/promises';
import { EgressError } from '../errors.js';
import { bump, emptySummary, type CaptureEvent, type CaptureSource, type CaptureSummary, type EventBatchHandler } from '../events.js';
import { PcapRecords, PCAP_MAGIC_KUZNETZOV, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, MAX_RECORD, type CaptureRecordParser } from './pcap-records.js';
import { PcapngBlocks } from './pcapng-blocks.js';
import { createWireDecoder } from './wire-decoder.js';

export interface PcapSourceOptions {
  /** UDP/TCP ports treated as DNS (53 plus configured extras). */
  dnsPorts: number[];
  /** Bytes read per chunk (default 512 KiB); tests use small chunks to cross record boundaries. */
  chunkBytes?: number;
}

// Small enough that one chunk's events die young (bigger chunks measured half as fast, from GC).
const DEFAULT_CHUNK = 512 << 10;

export function createPcapSource(path: string, opts: PcapSourceOptions): CaptureSource {
  return {
    description: `pcap file ${path}`,
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

async function readInto(fh: FileHandle, buf: Buffer, from: number): Promise<number> {
  let at = from;
  while (at < buf.length) {
    const { bytesRead } = await fh.read(buf, at, buf.length - at, null);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return at;
}

async function replay(path: string, opts: PcapSourceOptions, handler: EventBatchHandler, signal?: AbortSignal): Promise<CaptureSummary> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw describeOpenError(path, err);
  });
  try {
    const chunk = Math.max(64, opts.chunkBytes ?? DEFAULT_CHUNK);
    const summary = emptySummary();
    let batch: CaptureEvent[] = [];
    const decoder = createWireDecoder({ dnsPorts: opts.dnsPorts, summary, emit: (ev) => batch.push(ev) });

    // Each chunk is a fresh buffer: emitted payloads are views into it and must stay intact.
    let buf = Buffer.allocUnsafe(chunk);
    let end = await readInto(fh, buf, 0).catch((err: unknown) => {
      throw describeOpenError(path, err);
    });
    if (end === 0) throw new EgressError('input', `pcap file ${JSON.stringify(path)} is empty`);
    const parser = end >= 4 ? parserFor(buf) : undefined;
    if (!parser) {
      const head = buf.subarray(0, Math.min(end, 4)).toString('hex');
      throw new EgressError('input', `${JSON.stringify(path)} is not a pcap or pcapng file (it starts with 0x${head})`);
    }
    if (end < parser.headerLength) throw new EgressError('input', `pcap file ${JSON.stringify(path)} is truncated inside its file header (${end} bytes)`);

    let pos = 0;
    let fileOffset = 0; // file position of buf[0]
    let eof = end < buf.length;
    for (;;) {
      const res = parser.parse(buf, pos, end, fileOffset, decoder);
      if (typeof res !== 'number') {
        // Framing is lost: nothing after this point can be trusted, everything before is kept.
        bump(summary.malformed, 'corrupt_file');
        note(summary, `corrupt capture file at byte ${res.offset}: ${res.fault}; the rest of the file was skipped`);
        break;
      }
      pos = res;
      if (batch.length) {
        handler(batch);
        batch = [];
      }
      if (signal?.aborted) {
        bump(summary.counters, 'stopped_before_end');
        break;
      }
      const rest = end - pos;
      if (eof) {
        if (rest > 0) {
          bump(summary.malformed, 'truncated_record');
          note(summary, `file ends inside a record at byte ${fileOffset + pos} (${rest} bytes ignored)`);
        }
        break;
      }
      // Carry the incomplete record into the next chunk, growing it when one record is bigger.
      const size = rest >= chunk ? Math.min(rest * 2, MAX_RECORD * 2) : chunk;
      const next = Buffer.allocUnsafe(size);
      buf.copy(next, 0, pos, end);
      fileOffset += pos;
      buf = next;
      pos = 0;
      end = await readInto(fh, buf, rest);
      eof = end < buf.length;
    }
    decoder.flush();
    if (batch.length) handler(batch);
    for (const [k, v] of Object.entries(parser.counters)) bump(summary.counters, k, v);
    return summary;
  } finally {
    await fh.close();
  }
}

function note(summary: CaptureSummary, text: string): void {
  (summary.notes ??= []).push(text);
}
