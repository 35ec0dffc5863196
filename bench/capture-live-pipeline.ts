// Benchmark: the user-space side of live capture on one core, without the kernel or a load
// generator: batches of packet records (DNS queries and responses in Ethernet/IPv4/UDP frames,
// as the ring reader delivers them) through the record pipeline, each payload parsed and counted.
// The live benchmark's ceiling is the load generator's; this one shows where ours would be.
// Usage: node dist/bench/capture-live-pipeline.js [--packets 2000000]
import { parseArgs } from 'node:util';
import { parseDnsSummary } from '../src/dns/message.js';
import { dropReasonNames } from '../src/bpf/drop-reasons.js';
import { RecordPipeline } from '../src/bpf/record-pipeline.js';
import { dnsQuery, dnsResponse, packetBatch, udpFrame, type PacketSpec } from '../test/helpers/record-batch.js';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '2000000' } } });
const total = Number(values.packets);
const BATCH = 2048;

// One batch template of distinct names and clients; timestamps and ids vary per batch below.
const specs: PacketSpec[] = [];
for (let i = 0; i < BATCH / 2; i++) {
  const name = `host${i % 97}.example${i % 7}.com`;
  const sport = 30000 + (i % 20000);
  const owner = { pid: 1000 + (i % 5), comm: ['curl', 'python3', 'java', 'node', 'nginx'][i % 5], cgroupId: BigInt(i % 5) };
  specs.push({ frame: udpFrame({ src: [10, 0, 0, 2], dst: [10, 0, 0, 53], sport, dport: 53, dns: dnsQuery(i, name) }), tsNs: i * 1000, owner });
  specs.push({ frame: udpFrame({ src: [10, 0, 0, 53], dst: [10, 0, 0, 2], sport: 53, dport: sport, dns: dnsResponse(i, name, `192.0.2.${i % 250}`) }), tsNs: i * 1000 + 500, owner });
}
const template = packetBatch(specs);

let parsed = 0;
let counted = 0;
const pipeline = new RecordPipeline({
  dnsPorts: [53],
  dropReasonName: dropReasonNames([]),
  toEpochMs: (ns) => 1.7e12 + ns / 1e6,
  emit: (ev) => {
    if (ev.type !== 'dns') return;
    counted++;
    if (parseDnsSummary(ev.payload).ok) parsed++;
  },
});

const batches = Math.ceil(total / BATCH);
// Each batch is a fresh copy, as the addon hands over a new buffer every time.
const run = (n: number) => {
  for (let b = 0; b < n; b++) pipeline.addBatch(template.slice(), BATCH);
};
run(Math.min(50, batches)); // warm-up: JIT compilation is a one-off cost
parsed = 0;
counted = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
run(batches);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
pipeline.flush();
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({
  bench: 'capture-live-pipeline',
  packets: counted,
  parsed,
  packetsPerSecond: Math.round(counted / (wallMs / 1000)),
  cpuMsPer1000Packets: Math.round((cpuMs / (counted / 1000)) * 1000) / 1000,
  malformed: pipeline.summary.malformed,
}, null, 2));
