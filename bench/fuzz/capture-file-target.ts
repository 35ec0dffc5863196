// Fuzz target (Jazzer.js): any bytes as a capture file, replayed through everything that reads
// captures (pcap and pcapng readers in small chunks, wire decoder, TCP reassembly, capture JSON,
// DNS analysis), as `egresswatch capture --pcap` and `dns report` would. A file must end with a
// summary or a one-line input error; any other exception, or a message over several lines, is a
// finding.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayEverything } from '../../test/capture/replay-robustness.js';

const file = join(mkdtempSync(join(tmpdir(), 'egresswatch-fuzz-')), 'input.pcap');

export async function fuzz(data: Buffer): Promise<void> {
  writeFileSync(file, data);
  // 256-byte reads: records and blocks cross chunk boundaries in nearly every input.
  const out = await replayEverything(file, 256);
  if (out.ended === 'input_error' && /\n/.test(out.message)) throw new Error(`input error over several lines: ${out.message}`);
}
