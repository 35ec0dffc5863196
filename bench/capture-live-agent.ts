// The capture side of bench/capture-live.ts: runs live eBPF capture on the given DNS port,
// parses every DNS payload (header and question, as the pipeline's hot path does) and counts packets; prints "ready", then on SIGTERM one JSON line.
import { parseDnsSummary } from '../src/dns/message.js';
import { createLiveSource } from '../src/bpf/live-source.js';

const port = Number(process.argv[2]);
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
let packets = 0;
let parsed = 0;
let malformed = 0;
const source = createLiveSource({
  dnsPorts: [port],
  interfaces: ['lo'],
  conntrackIntervalMs: 0,
  ready: () => process.stdout.write('ready\n'),
});
const summary = await source.run((batch) => {
  for (const ev of batch) {
    if (ev.type !== 'dns' || (ev.sport !== port && ev.dport !== port)) continue;
    packets++;
    if (parseDnsSummary(ev.payload).ok) parsed++;
    else malformed++;
  }
}, abort.signal);
process.stdout.write(JSON.stringify({ packets, parsed, malformed, lost: summary.lost, summaryMalformed: summary.malformed }) + '\n');
