// Benchmark peer (child process): HTTP servers that answer after a known delay, held precisely
// (a timer, then a short spin on the monotonic clock) so the delay is exact to microseconds.
// The hold runs from the moment the request's last header line is read off the socket to the
// moment the reply is written, on a plain TCP server: an HTTP server library would add its own
// parsing and dispatch before the hold and header building after it, time that no client can
// tell apart from the delay and that would count as every tool's error.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const delayMs = Number(process.argv[2] ?? 50);
const count = Number(process.argv[3] ?? 4);
const SPIN_MS = 2;
const REPLY = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';
const holds: number[] = [];
let badRequests = 0;

function hold(start: number, done: () => void): void {
  setTimeout(() => {
    while (performance.now() - start < delayMs) {
      // spin the last few milliseconds: timers fire up to ~1 ms late
    }
    holds.push(performance.now() - start);
    done();
  }, Math.max(0, delayMs - SPIN_MS));
}

/** One request per connection (both tools close after one), answered after the delay. */
function serve(socket: Socket): void {
  let head = '';
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', function onData(chunk: Buffer) {
    const start = performance.now();
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) {
      if (head.length > 16_384) {
        badRequests++;
        socket.destroy();
      }
      return;
    }
    socket.off('data', onData);
    if (!/^(GET|HEAD) \S+ HTTP\/1\.[01]\r\n/.test(head)) {
      badRequests++;
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    socket.resume();
    hold(start, () => socket.end(REPLY, 'latin1'));
  });
}

const servers: Server[] = [];
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(JSON.stringify({ ports }) + '\n');

process.stdin.resume();
process.stdin.on('end', () => {
  holds.sort((a, b) => a - b);
  const q = (p: number) => holds[Math.min(holds.length - 1, Math.floor(p * holds.length))] ?? 0;
  process.stdout.write(JSON.stringify({ served: holds.length, badRequests, holdMedianMs: q(0.5), holdP99Ms: q(0.99) }) + '\n');
  for (const s of servers) s.close();
  process.exit(0);
});
