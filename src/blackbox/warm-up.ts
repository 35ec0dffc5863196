// Runs the HTTP and TCP probers a few times against a throwaway loopback server before
// `check --once` runs every check. The first probes of a process pay for compiling the client
// (undici and its WebAssembly parser, the probe frame, Node's socket code, the labeler), and that
// time lands in their phases: in a cold `check --once` of three loopback HTTP checks the first
// one's connect took 20 ms (median of 8 runs) and time to first byte was 11-23 ms too long.
// Scheduled checks (`run`, `check` without --once) do without: their runs are spread over the
// period, so only a process's first run or two pay, once in its life. Warm-up results are
// dropped and failures ignored: the real checks report their own.
import { createServer, type AddressInfo } from 'node:net';
import type { CheckRunner } from './check-runner.js';
import type { Check, HttpCheck, TcpCheck } from './types.js';

const ROUNDS = 3;
const REPLY = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';

/** Probes through `run`, the runner the real checks use, so its labelling is warmed up too. */
export async function warmUpProbers(checks: readonly Check[], run: CheckRunner, signal: AbortSignal): Promise<void> {
  const types = new Set(checks.map((c) => c.type));
  if (!types.has('http') && !types.has('tcp')) return;
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', () => socket.end(REPLY));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    // A name no configured check can have (names are letters, digits, ".", "_" and "-"), so the
    // runner's memory of each check's last address never mixes with a real check's.
    const base = { name: '(warm-up)', schedule: { intervalMs: 60_000 }, timeoutMs: 2000, retries: 0, retryBackoffMs: 0, failureThreshold: 3, successThreshold: 2 };
    const warm: Check[] = [];
    if (types.has('http')) {
      const expect = { status: [200], bodyContains: [], bodyNotContains: [], bodyMatches: [], json: [], headers: [] };
      warm.push({ ...base, type: 'http', url: `http://127.0.0.1:${port}/`, method: 'GET', headers: {}, followRedirects: false, maxRedirects: 0, http2: false, tls: { insecureSkipVerify: false }, maxBodyBytes: 1024, expect } satisfies HttpCheck);
    }
    if (types.has('tcp')) warm.push({ ...base, type: 'tcp', target: { host: '127.0.0.1', port } } satisfies TcpCheck);
    for (let round = 0; round < ROUNDS && !signal.aborted; round++) for (const check of warm) await run(check, signal);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
