// Starts and stops live capture through the native addon at `addonPath` for many rounds while DNS
// traffic flows, the way the memory-safety test drives it: most rounds wait for a batch, some stop
// at once (batches still queued for the JS thread), and the last exits the process without waiting
// for the queued deliveries. Prints one JSON line: rounds done, batches received, and whether
// AddressSanitizer's runtime is loaded.
// Usage: node capture-rounds.js ADDON ROUNDS DNS_PORT
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CaptureAddon } from '../../src/bpf/addon-loader.js';
import { listInterfaces } from '../../src/bpf/interfaces.js';

const [addonPath, roundsArg, portArg] = process.argv.slice(2);
const addon = createRequire(import.meta.url)(addonPath) as CaptureAddon;
const rounds = Number(roundsArg);
const port = Number(portArg);
const interfaces = listInterfaces();
const lo = interfaces.filter((i) => i.loopback).map((i) => i.ifindex);
let batches = 0;

for (let round = 1; round <= rounds; round++) {
  let ended!: () => void;
  const end = new Promise<void>((resolve) => (ended = resolve));
  let first!: () => void;
  const firstBatch = new Promise<void>((resolve) => (first = resolve));
  const capture = new addon.Capture({ dnsPorts: [53, port], interfaces, bindIfindexes: lo }, (buf) => {
    if (buf === null) return ended();
    batches++;
    first();
  });
  // One round in five stops at once, with whatever the ring holds still on its way.
  if (round % 5 !== 0) await Promise.race([firstBatch, new Promise((r) => setTimeout(r, 200))]);
  capture.close();
  if (round === rounds) {
    const sanitized = /libasan/.test(readFileSync('/proc/self/maps', 'utf8'));
    process.stdout.write(JSON.stringify({ rounds: round, batches, sanitized }) + '\n');
    // Exit while deliveries may still be queued on the thread-safe function.
    process.exit(0);
  }
  await Promise.race([end, new Promise((r) => setTimeout(r, 2000))]);
}
