// Memory safety of the native addon: built with AddressSanitizer and UndefinedBehaviorSanitizer,
// 200 rounds of starting and stopping live capture under DNS traffic (some stopping with batches
// still queued, the last exiting the process with deliveries pending) give no report; the same
// rounds with the normal build end without an abort.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { test } from 'node:test';
import dnsPacket from 'dns-packet';
import { isRoot, repoRoot, testOutputDir } from '../helpers/paths.js';

const ROUNDS = 200;
const NORMAL_ADDON = join(repoRoot, 'native', 'build', 'Release', 'egresswatch_capture.node');

/** Builds the addon with the sanitizers in test-output (the generated BPF skeleton is reused). */
function buildSanitized(): string {
  const dir = join(testOutputDir('addon-sanitizers'), 'build-tree');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const part of ['src', 'bpf', 'gen', 'binding.gyp']) cpSync(join(repoRoot, 'native', part), join(dir, part), { recursive: true });
  const flags = '-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1';
  execFileSync(join(repoRoot, 'node_modules', '.bin', 'node-gyp'), ['configure', 'build', '--nodedir=/usr', '--build-from-source'], {
    cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CXXFLAGS: flags, CFLAGS: flags, LDFLAGS: '-fsanitize=address,undefined' },
  });
  return join(dir, 'build', 'Release', 'egresswatch_capture.node');
}

/** Sends DNS queries to 127.0.0.1:port as fast as the loop allows until stopped. */
function dnsTraffic(port: number): { stop: () => void } {
  const sock = createSocket('udp4');
  let id = 0;
  let stopped = false;
  const send = () => {
    if (stopped) return;
    for (let i = 0; i < 50; i++) sock.send(dnsPacket.encode({ type: 'query', id: id++ & 0xffff, questions: [{ type: 'A', name: `n${id}.rounds.example` }] }), port, '127.0.0.1');
    setImmediate(send);
  };
  send();
  return { stop: () => { stopped = true; sock.close(); } };
}

function runRounds(addon: string, port: number, env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const driver = join(repoRoot, 'dist', 'test', 'helpers', 'capture-rounds.js');
  const child = spawn(process.execPath, [driver, addon, String(ROUNDS), String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('the addon under AddressSanitizer and UBSan: 200 start/stop rounds under DNS traffic, no report', { skip: !isRoot && 'live capture needs root', timeout: 600_000 }, async (t) => {
  assert.ok(existsSync(NORMAL_ADDON), 'the addon is built');
  const sanitized = buildSanitized();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const traffic = dnsTraffic(port);
  t.after(() => traffic.stop());
  const preload = ['libasan.so', 'libubsan.so'].map((lib) => execFileSync('gcc', [`-print-file-name=${lib}`], { encoding: 'utf8' }).trim()).join(' ');
  const r = await runRounds(sanitized, port, {
    LD_PRELOAD: preload,
    // node itself is not instrumented: no leak check (V8 keeps its heap to exit), no link-order check.
    ASAN_OPTIONS: 'detect_leaks=0:verify_asan_link_order=0:abort_on_error=1:halt_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  });
  assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error:|LeakSanitizer/, r.stderr.slice(0, 4000));
  assert.equal(r.signal, null);
  assert.equal(r.code, 0, r.stderr.slice(0, 4000));
  const out = JSON.parse(r.stdout) as { rounds: number; batches: number; sanitized: boolean };
  assert.equal(out.sanitized, true, 'the sanitizer runtime was loaded');
  assert.equal(out.rounds, ROUNDS);
  assert.ok(out.batches > ROUNDS / 2, `batches were delivered (${out.batches})`);
});

test('the normal build: the same 200 rounds end without an abort', { skip: !isRoot && 'live capture needs root', timeout: 600_000 }, async (t) => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const traffic = dnsTraffic(port);
  t.after(() => traffic.stop());
  const r = await runRounds(NORMAL_ADDON, port, {});
  assert.equal(r.signal, null, r.stderr.slice(0, 4000));
  assert.equal(r.code, 0, r.stderr.slice(0, 4000));
  const out = JSON.parse(r.stdout) as { rounds: number; sanitized: boolean };
  assert.equal(out.rounds, ROUNDS);
  assert.equal(out.sanitized, false);
});
