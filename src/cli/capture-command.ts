// `egresswatch capture`: prints DNS, TCP, drop and conntrack events from live eBPF capture or
// from a pcap/pcapng file, then a summary line with counts of events, parse errors and losses.
import { writeEventLine } from './event-json.js';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { addCounts, emptySummary } from '../events.js';
import { UsageError } from '../errors.js';
import { replayInWorkers } from './capture-workers.js';
import { dnsPortsOpt, flag, numberOpt, stringList, stringOpt } from './args.js';
import { openSource, runSource } from './run-source.js';
import type { Command } from './command.js';
import { LineOutput } from './line-output.js';

export const captureCommand: Command = {
  name: 'capture',
  summary: 'print captured DNS and TCP events (live eBPF or a pcap file)',
  usage: `egresswatch capture [--json] [--duration SECONDS] [--pcap FILE] [--dns-port PORT]...

Prints one event per line: DNS queries and responses, outbound TCP connection events, kernel
drops of DNS packets and conntrack counters; then a summary with counts, parse errors and lost
records. Live capture (the default) needs root (CAP_BPF and CAP_PERFMON).

Options:
  --json               one JSON object per line (the stable output contract)
  --duration SECONDS   stop live capture after this many seconds (default: until Ctrl-C)
  --pcap FILE          replay a pcap or pcapng file instead of capturing live ("-": standard input)
  --dns-port PORT      also treat this port as DNS, besides 53 (repeatable)
  --interface NAME     live: capture DNS packets on this interface only (repeatable; default all)
  --threads N          replay: decode and render on N worker threads, 0 for none (default: one
                       per core, up to 4, for files of 16 MiB or more; the output is the same)`,
  options: {
    json: { type: 'boolean' },
    duration: { type: 'string' },
    pcap: { type: 'string' },
    'dns-port': { type: 'string', multiple: true },
    interface: { type: 'string', multiple: true },
    threads: { type: 'string' },
  },
  async run({ values, io, signal }) {
    const json = flag(values, 'json');
    const duration = numberOpt(values, 'duration', { min: 0 });
    const pcap = stringOpt(values, 'pcap');
    const dnsPorts = dnsPortsOpt(values);
    const askedThreads = numberOpt(values, 'threads', { max: 64, integer: true });
    if (askedThreads !== undefined && pcap === undefined) throw new UsageError('--threads applies to replay (--pcap FILE) only');
    const threads = pcap !== undefined ? replayThreads(pcap, askedThreads) : 0;
    const interfaces = stringList(values, 'interface');

    const parseCounts = emptySummary();
    // A reader that goes away (`| head`) stops the capture; a slow one holds the file.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const out = new LineOutput(io.stdout, () => stop.abort());
    const summary = await (threads > 0 && pcap !== undefined
      ? replayInWorkers({ path: pcap, dnsPorts, json, threads, out, renderCounts: parseCounts, signal: stop.signal })
      : runSource(openSource({ pcap, dnsPorts, interfaces }), (batch) => {
        for (const ev of batch) {
          writeEventLine(ev, json, parseCounts, out.lines);
        }
        // One write per batch: files give big batches, and a pipe or live capture shows events at once.
        return out.flush();
      }, stop.signal, duration !== undefined && !pcap ? duration * 1000 : undefined)
    ).finally(() => signal.removeEventListener('abort', onAbort));
    await out.flush();
    out.check();
    if (out.isClosed) return 0;
    addCounts(summary.malformed, parseCounts.malformed);
    const parseErrors = Object.values(summary.malformed).reduce((a, b) => a + b, 0);
    const lostRecords = Object.values(summary.lost).reduce((a, b) => a + b, 0);
    const line = { ...summary, parseErrors, lostRecords };
    if (json) await out.write(JSON.stringify(line) + '\n');
    else {
      io.stderr.write(`summary: ${JSON.stringify(line.events)} events, ${parseErrors} malformed ${JSON.stringify(summary.malformed)}, ${lostRecords} lost ${JSON.stringify(summary.lost)}\n`);
      for (const n of summary.notes ?? []) io.stderr.write(`note: ${n}\n`);
    }
    return 0;
  },
};

/** Below this size a file replays faster than worker threads start. */
const WORKER_FILE_BYTES = 16 << 20;

/** Worker threads for a replay: as asked, or one per core (up to 4) for a large regular file. */
function replayThreads(pcap: string, asked: number | undefined): number {
  if (asked !== undefined) return asked;
  if (pcap === '-') return 0;
  let size = 0;
  try {
    const st = statSync(pcap);
    size = st.isFile() ? st.size : 0;
  } catch {
    return 0; // the reader says what is wrong with the path
  }
  const cores = availableParallelism();
  return size >= WORKER_FILE_BYTES && cores > 1 ? Math.min(cores, 4) : 0;
}
