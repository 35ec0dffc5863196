// Benchmark: endpoint labelling. Labels of already-seen addresses (the labeler's cache), the
// IP-range trie (build time from the full AWS file plus a Google Cloud file, lookups), passive
// DNS heap with 1,000,000 live entries, against two peers in the same run: a straightforward
// linear CIDR scan over the same prefixes, and the `maxmind` package's lookup in an MMDB of the
// same prefixes. Prints one JSON object.
// Usage: node dist/bench/label-lookup.js [--aws FILE] [--gcp FILE] [--seconds 2]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { Reader, type AsnResponse } from 'maxmind';
import { parseDnsSummary, readAnswerRecords } from '../src/dns/message.js';
import { CsvAsnDatabase } from '../src/external/feeds/asn-csv.js';
import { Catalogue } from '../src/external/feeds/catalogue.js';
import { readCatalogueFile } from '../src/external/feeds/catalogue-file.js';
import { createLabeler } from '../src/external/labeler.js';
import { parseIPv4 } from '../src/external/ip/ip-address.js';
import { awsFeed, gcpFeed, type RangeEntry } from '../src/external/feeds/ip-range-feeds.js';
import { buildRangeTrie } from '../src/external/sources/ip-range-source.js';
import { PassiveDns } from '../src/external/sources/passive-dns.js';
import { referenceDataDir } from '../test/helpers/paths.js';
import { buildAsnMmdb } from '../test/external/mmdb-writer.js';

const { values } = parseArgs({ options: { aws: { type: 'string' }, gcp: { type: 'string' }, seconds: { type: 'string', default: '2' }, child: { type: 'string' } } });
const SECONDS = Number(values.seconds);

let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
const v4text = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** Runs fn over the inputs repeatedly for about `seconds`; returns operations per second. */
function opsPerSecond(inputs: readonly string[], fn: (ip: string) => unknown, seconds = SECONDS): number {
  let sink = 0;
  for (let i = 0; i < Math.min(inputs.length, 20_000); i++) if (fn(inputs[i])) sink++; // warm-up
  let ops = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < inputs.length; i++) if (fn(inputs[i])) sink++;
    ops += inputs.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  if (sink < 0) console.log(sink);
  return Math.round(ops / elapsed);
}

/** A cloud.json of realistic size (about 900 IPv4 and 100 IPv6 prefixes, as Google publishes). */
function syntheticGcp(): string {
  const scopes = ['us-central1', 'us-east1', 'europe-west1', 'europe-west4', 'asia-east1', 'asia-northeast1', 'australia-southeast1', 'southamerica-east1'];
  const prefixes: Record<string, string>[] = [];
  for (let i = 0; i < 900; i++) prefixes.push({ ipv4Prefix: `${34 + (i % 2)}.${(i >> 2) & 255}.${(i * 16) & 255}.0/${20 + (i % 5)}`, service: 'Google Cloud', scope: scopes[i % scopes.length] });
  for (let i = 0; i < 100; i++) prefixes.push({ ipv6Prefix: `2600:1900:${(i * 16).toString(16)}::/44`, service: 'Google Cloud', scope: scopes[i % scopes.length] });
  return JSON.stringify({ syncToken: '1', creationTime: '2026-01-01T00:00:00', prefixes });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)].toFixed(2));
}

/** Heap used by 1,000,000 live passive DNS entries, measured in a fresh process with --expose-gc. */
function passiveDnsHeap(namesCount: number, perName: number): Record<string, number> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const pdns = new PassiveDns({ maxEntries: 2_000_000, maxAddressesPerName: perName });
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < namesCount; i++) {
    const name = `svc-${i.toString(36)}.region-${i % 7}.example-provider.com`;
    const answers = [];
    for (let k = 0; k < perName; k++, n++) answers.push({ name, type: 'A', ttl: 300, data: v4text((0x0b000000 + n) >>> 0) });
    pdns.recordAnswer(name, answers, 1_700_000_000_000);
  }
  const insertMs = performance.now() - t0;
  gc();
  const after = process.memoryUsage().heapUsed;
  return { entries: pdns.size, names: pdns.stats().names, heapMB: Number(((after - before) / 1048576).toFixed(1)), bytesPerEntry: Math.round((after - before) / pdns.size), insertsPerSecond: Math.round(pdns.size / (insertMs / 1000)) };
}

if (values.child) {
  const [names, per] = values.child.split('x').map(Number);
  console.log(JSON.stringify(passiveDnsHeap(names, per)));
  process.exit(0);
}

function heapChild(spec: string): Record<string, number> {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', spec], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`heap child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

const awsPath = values.aws ?? join(referenceDataDir, 'aws-ip-ranges.json');
if (!existsSync(awsPath)) {
  console.error(`label-lookup: ${awsPath} not found (set EGRESSWATCH_REFERENCE_DATA to a folder holding it, or pass --aws FILE)`);
  process.exit(1);
}
const awsText = readFileSync(awsPath, 'utf8');
const gcpText = values.gcp ? readFileSync(values.gcp, 'utf8') : syntheticGcp();

// Trie build: parse + build from the files' text, and build alone from parsed prefixes.
const endToEnd: number[] = [];
const buildOnly: number[] = [];
const buildOnlyCpu: number[] = [];
let entries: RangeEntry[][] = [];
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};
const endToEndCpu: number[] = [];
for (let run = 0; run < 7; run++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const a = awsFeed.parse(awsText);
  const g = gcpFeed.parse(gcpText);
  if (!a.ok || !g.ok) throw new Error('range files did not parse');
  entries = [a.entries, g.entries];
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  buildRangeTrie(entries);
  const t2 = performance.now();
  buildOnlyCpu.push(cpuMs(c1));
  endToEndCpu.push(cpuMs(c0));
  endToEnd.push(t2 - t0);
  buildOnly.push(t2 - t1);
}
const trie = buildRangeTrie(entries);
const prefixCount = entries[0].length + entries[1].length;

// Lookup inputs: 10,000 distinct IPv4 addresses, 90 % inside published prefixes.
const v4Entries = entries.flat().filter((e) => !e.cidr.v6);
const inputs: string[] = [];
const seen = new Set<string>();
while (inputs.length < 10_000) {
  let addr: number;
  if (rand() % 10 !== 0) {
    const e = v4Entries[rand() % v4Entries.length];
    const size = 2 ** (32 - e.cidr.prefix);
    addr = (e.cidr.words[0] + (rand() % size)) >>> 0;
  } else addr = rand();
  const text = v4text(addr);
  if (!seen.has(text)) {
    seen.add(text);
    inputs.push(text);
  }
}

// Peer 1: a straightforward linear scan, longest match over every IPv4 prefix.
const linear = v4Entries.map((e) => ({ net: e.cidr.words[0], mask: e.cidr.prefix === 0 ? 0 : (0xffffffff << (32 - e.cidr.prefix)) >>> 0, len: e.cidr.prefix, info: e.info }));
const linearLookup = (ip: string) => {
  const a = parseIPv4(ip);
  let best: (typeof linear)[number] | undefined;
  for (const p of linear) {
    if (((a & p.mask) >>> 0) !== p.net) continue;
    // Same rule as the trie for a prefix listed twice: a named service beats a provider-wide entry.
    if (!best || p.len > best.len || (p.len === best.len && best.info.service === undefined && p.info.service !== undefined)) best = p;
  }
  return best?.info;
};
// Correctness cross-check on the inputs before timing anything.
for (const ip of inputs.slice(0, 2000)) {
  const t = trie.lookup(ip);
  const l = linearLookup(ip);
  if (t?.provider !== l?.provider || t?.service !== l?.service || t?.region !== l?.region) throw new Error(`trie and linear scan disagree on ${ip}`);
}

// Peer 2: maxmind's reader over an MMDB of the same prefixes (record = index of its label).
const labels = [...new Set(entries.flat().map((e) => `${e.info.provider}/${e.info.service ?? ''}/${e.info.region ?? ''}`))];
const labelIndex = new Map(labels.map((l, i) => [l, i]));
const sorted = entries.flat().slice().sort((a, b) => a.cidr.prefix - b.cidr.prefix);
const mmdbT0 = performance.now();
const mmdb = buildAsnMmdb(sorted.map((e) => ({ cidr: e.cidr, asn: labelIndex.get(`${e.info.provider}/${e.info.service ?? ''}/${e.info.region ?? ''}`)!, org: '' })));
const mmdbBuildMs = performance.now() - mmdbT0;
const reader = new Reader<AsnResponse>(mmdb);

// The labeler, with every input labelled once (already-seen addresses).
const catalogue = new Catalogue(readCatalogueFile());
const labeler = createLabeler({ catalogue, ranges: trie });
for (const ip of inputs) labeler.label(ip);

const asnDb = CsvAsnDatabase.fromPackage();

/**
 * Passive DNS fed captured responses, parsing included, as in `run`: the DNS analyzer's question
 * parse locates the answers, the labelling stage reads and records them.
 */
function observeRate(): number {
  const packets: { ts: number; payload: Uint8Array }[] = [];
  for (let i = 0; i < 50_000; i++) {
    const name = `api-${i % 5000}.example-saas.com`;
    const payload = dnsPacket.encode({ type: 'response', id: i & 0xffff, questions: [{ name, type: 'A' }], answers: [{ name, type: 'CNAME', ttl: 60, data: `edge-${i % 50}.cdn.example` }, { name: `edge-${i % 50}.cdn.example`, type: 'A', ttl: 60, data: v4text(0x0c000000 + i) }] });
    packets.push({ ts: 1_700_000_000_000 + i, payload });
  }
  const pdns = new PassiveDns();
  const t0 = performance.now();
  for (const { ts, payload } of packets) {
    const parsed = parseDnsSummary(payload);
    if (!parsed.ok) continue;
    const s = parsed.summary;
    pdns.recordAnswer(s.qname, readAnswerRecords({ payload, offset: s.answersAt, count: s.ancount }), ts);
  }
  return Math.round(packets.length / ((performance.now() - t0) / 1000));
}

const result = {
  data: {
    aws: { file: awsPath.split('/').pop(), prefixes: entries[0].length },
    gcp: { file: values.gcp ? values.gcp.split('/').pop() : 'synthetic cloud.json of realistic size (no real file available here)', prefixes: entries[1].length },
    distinctPrefixesInTrie: trie.size,
    trieNodes: trie.nodes,
  },
  trieBuild: { prefixes: prefixCount, parseAndBuildMs: { first: Number(endToEnd[0].toFixed(2)), median: median(endToEnd), firstCpu: Number(endToEndCpu[0].toFixed(2)), medianCpu: median(endToEndCpu) }, buildOnlyMs: { first: Number(buildOnly[0].toFixed(2)), median: median(buildOnly), firstCpu: Number(buildOnlyCpu[0].toFixed(2)), medianCpu: median(buildOnlyCpu) } },
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  lookupsPerSecond: {
    labelerSeenAddresses: opsPerSecond(inputs, (ip) => labeler.label(ip)),
    trieFromText: opsPerSecond(inputs, (ip) => trie.lookup(ip)),
    linearCidrScan: opsPerSecond(inputs.slice(0, 500), linearLookup, Math.min(SECONDS, 2)),
    maxmindReader: opsPerSecond(inputs, (ip) => reader.get(ip)),
    ...(asnDb ? { asnCsvDataset: opsPerSecond(inputs, (ip) => asnDb.lookup(ip)) } : {}),
  },
  passiveDnsResponsesPerSecond: observeRate(),
  maxmindPeer: { mmdbBytes: mmdb.length, mmdbBuildMs: Number(mmdbBuildMs.toFixed(1)) },
  passiveDns1M: {
    '250000 names x 4 addresses': heapChild('250000x4'),
    '1000000 names x 1 address': heapChild('1000000x1'),
  },
  node: process.version,
};
console.log(JSON.stringify(result, null, 2));
