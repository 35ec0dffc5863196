// `egresswatch capture`: prints DNS, TCP, drop and conntrack events from live eBPF capture or
// from a pcap/pcapng file, then a summary line with counts of events, parse errors and losses.
import { eventToJson, eventToText } from './event-json.js';
import { bump } from '../events.js';
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
  --interface NAME     live: capture DNS packets on this interface only (repeatable; default all)`,
  options: {
    json: { type: 'boolean' },
    duration: { type: 'string' },
    pcap: { type: 'string' },
    'dns-port': { type: 'string', multiple: true },
    interface: { type: 'string', multiple: true },
  },
  async run({ values, io, signal }) {
    const json = flag(values, 'json');
    const duration = numberOpt(values, 'duration', { min: 0 });
    const pcap = stringOpt(values, 'pcap');
    const source = openSource({ pcap, dnsPorts: dnsPortsOpt(values), interfaces: stringList(values, 'interface') });

    const parseCounts = { type: 'summary' as const, events: {}, malformed: {} as Record<string, number>, lost: {}, counters: {} };
    // A reader that goes away (`| head`) stops the capture; a slow one holds the file.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const out = new LineOutput(io.stdout, () => stop.abort());
    const summary = await runSource(source, (batch) => {
      for (const ev of batch) {
        const obj = eventToJson(ev, parseCounts);
        if (obj) out.addLine(json ? JSON.stringify(obj) : eventToText(obj));
      }
      // One write per batch: files give big batches, and a pipe or live capture shows events at once.
      return out.flush();
    }, stop.signal, duration !== undefined && !pcap ? duration * 1000 : undefined).finally(() => signal.removeEventListener('abort', onAbort));
    await out.flush();
    out.check();
    if (out.isClosed) return 0;
    for (const [k, v] of Object.entries(parseCounts.malformed)) bump(summary.malformed, k, v);
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
