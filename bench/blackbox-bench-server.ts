// Benchmark peer (child process): HTTP servers that answer after a known delay, held precisely
// (a timer, then a short spin on the monotonic clock) so the delay is exact to microseconds.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const delayMs = Number(process.argv[2] ?? 50);
const count = Number(process.argv[3] ?? 4);
const SPIN_MS = 2;
const holds: number[] = [];

function hold(start: number, done: () => void): void {
  setTimeout(() => {
    while (performance.now() - start < delayMs) {
      // spin the last few milliseconds: timers fire up to ~1 ms late
    }
    holds.push(performance.now() - start);
    done();
  }, Math.max(0, delayMs - SPIN_MS));
}

const servers: Server[] = [];
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = createServer((req, res) => {
    const start = performance.now();
    req.resume();
    hold(start, () => res.end('ok'));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(JSON.stringify({ ports }) + '\n');

process.stdin.resume();
process.stdin.on('end', () => {
  holds.sort((a, b) => a - b);
  const q = (p: number) => holds[Math.min(holds.length - 1, Math.floor(p * holds.length))] ?? 0;
  process.stdout.write(JSON.stringify({ served: holds.length, holdMedianMs: q(0.5), holdP99Ms: q(0.99) }) + '\n');
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  process.exit(0);
});
