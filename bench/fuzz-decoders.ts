// Coverage-guided fuzzing (Jazzer.js, libFuzzer inside) of what reads untrusted or hand-written
// bytes: DNS messages (bench/fuzz/dns-message-target), capture files (capture-file-target) and
// configuration files (config-file-target), each for a fixed time from a seed corpus. Prints JSON per target: runs, executions per second,
// coverage (edges and features libFuzzer counts), corpus size, and any finding with its input.
// Usage: node dist/bench/fuzz-decoders.js [--seconds 60] [--runs N] [--seed N] [--target dns-message|capture-file|config-file]...
// (--runs stops each target after N inputs, --seed fixes libFuzzer's choices: a repeatable run.)
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import { buildCompatLibrary, jazzerPrebuilt, weakenVersionRequirements } from './fuzz/prebuilt-compat.js';

const TARGETS = ['dns-message', 'capture-file', 'config-file'] as const;
type Target = (typeof TARGETS)[number];

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, runs: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string', multiple: true } } });
const seconds = Math.max(1, Number(values.seconds));
const targets = (values.target ?? [...TARGETS]) as Target[];
for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (one of ${TARGETS.join(', ')})`);

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const jazzerCli = join(dirname(createRequire(import.meta.url).resolve('@jazzer.js/core/package.json')), 'dist', 'cli.js');

/** Seeds: real DNS messages; the capture fixtures and their mutations; the example and test configurations. */
function seed(target: Target, dir: string): number {
  mkdirSync(dir, { recursive: true });
  if (target === 'config-file') {
    const tests = join(repo, 'test', 'config');
    const files = [join(repo, 'data', 'egresswatch.example.yml'), ...readdirSync(tests).filter((f) => f.endsWith('.yml')).map((f) => join(tests, f))];
    files.forEach((f, i) => copyFileSync(f, join(dir, `seed-${i}`)));
    return files.length;
  }
  if (target === 'capture-file') {
    const fixtures = join(repo, 'test', 'capture', 'fixtures');
    const files = [...readdirSync(fixtures).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(fixtures, f)), ...readdirSync(join(fixtures, 'mutated')).map((f) => join(fixtures, 'mutated', f))];
    files.forEach((f, i) => copyFileSync(f, join(dir, `seed-${i}`)));
    return files.length;
  }
  const q = [{ type: 'A' as const, name: 'api.stripe.com' }];
  const messages = [
    dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: q }),
    dnsPacket.encode({ type: 'response', id: 2, flags: dnsPacket.RECURSION_DESIRED, questions: q, answers: [
      { type: 'CNAME', name: 'api.stripe.com', ttl: 60, data: 'edge.stripe.com' },
      { type: 'A', name: 'edge.stripe.com', ttl: 60, data: '198.51.100.7' },
      { type: 'AAAA', name: 'edge.stripe.com', ttl: 60, data: '2001:db8::7' },
    ] }),
    dnsPacket.encode({ type: 'response', id: 3, questions: [{ type: 'MX', name: 'example.com' }], answers: [{ type: 'MX', name: 'example.com', ttl: 300, data: { preference: 10, exchange: 'mx.example.com' } }, { type: 'TXT', name: 'example.com', ttl: 300, data: 'v=spf1 -all' }] }),
    dnsPacket.encode({ type: 'response', id: 4, flags: 3, questions: [{ type: 'AAAA', name: 'nope.example.com' }], authorities: [{ type: 'SOA', name: 'example.com', ttl: 60, data: { mname: 'ns.example.com', rname: 'admin.example.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } }] }),
    dnsPacket.encode({ type: 'query', id: 5, questions: q, additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 8, family: 1, sourcePrefixLength: 24, ip: '192.0.2.0' }] } as dnsPacket.Answer] }),
  ];
  messages.forEach((m, i) => writeFileSync(join(dir, `seed-${i}`), m));
  return messages.length;
}

interface Outcome {
  target: Target;
  seconds: number;
  seeds: number;
  runs: number;
  execsPerSecond: number;
  /** Edges and features of the instrumented code that libFuzzer saw, at the end. */
  coverage: { edges: number; features: number };
  corpus: { inputs: number; size: string };
  finding?: { message: string; input: string };
}

function run(target: Target, dir: string, compatLibrary: string): Promise<Outcome> {
  const corpus = join(dir, target);
  const seeds = seed(target, corpus);
  const artifacts = join(dir, `${target}-artifacts`);
  mkdirSync(artifacts);
  // Configuration files name paths on purpose (a CA file beside or above the file): Jazzer's
  // path-traversal detector would report every "../" the fuzzer writes into one.
  const args = [jazzerCli, join(here, 'fuzz', `${target}-target.js`), corpus, ...(target === 'capture-file' ? [] : ['--sync']), ...(target === 'config-file' ? ['--disable_bug_detectors=path-traversal'] : []), '--', `-max_total_time=${seconds}`, `-artifact_prefix=${artifacts}/`, '-print_final_stats=1', ...(values.runs ? [`-runs=${Number(values.runs)}`] : []), ...(values.seed ? [`-seed=${Number(values.seed)}`] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, LD_PRELOAD: compatLibrary, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      // libFuzzer's status lines: "#12345 NEW cov: 812 ft: 2310 corp: 140/9Kb ... exec/s: 2000 ...".
      const status = [...log.matchAll(/^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\S+).*?exec\/s: (\d+)/gm)].at(-1);
      const done = /Done (\d+) runs in (\d+) second/.exec(log);
      const crash = readdirSync(artifacts)[0];
      if (!status) return reject(new Error(`no libFuzzer status from ${target}:\n${log.slice(-3000)}`));
      const runs = Number(done?.[1] ?? status[1]);
      const took = Number(done?.[2] ?? seconds);
      resolve({
        target, seconds: took, seeds, runs,
        execsPerSecond: Math.round(runs / Math.max(1, took)),
        coverage: { edges: Number(status[2]), features: Number(status[3]) },
        corpus: { inputs: Number(status[4]), size: status[5] },
        ...(crash ? { finding: { message: (/Uncaught Exception: (.*)/.exec(log)?.[1] ?? /^==\d+== (.*)/m.exec(log)?.[1] ?? 'no message in the log').slice(0, 300), input: readFileSync(join(artifacts, crash)).toString('base64') } } : {}),
      });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'egresswatch-fuzz-'));
  try {
    const weakened = weakenVersionRequirements(jazzerPrebuilt());
    const compatLibrary = buildCompatLibrary(dir);
    const results: Outcome[] = [];
    for (const t of targets) results.push(await run(t, dir, compatLibrary));
    console.log(JSON.stringify({ bench: 'fuzz-decoders', fuzzer: 'Jazzer.js 4.0.0 (libFuzzer)', secondsPerTarget: seconds, prebuiltPatched: weakened > 0 ? 'now' : 'already', results }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
