// TCP prober: connect to host:port, optionally send a line and wait for an expected reply.
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { ProbeResult } from '../../events.js';
import { openSocket } from '../connect.js';
import { startDeadline } from '../deadline.js';
import { resolveHost } from '../host-lookup.js';
import { quote } from '../http-assertions.js';
import { PhaseTimer } from '../phase-timer.js';
import { AssertionFailure, classifyFailure } from '../probe-errors.js';
import type { Prober, TcpCheck } from '../types.js';

const MAX_REPLY = 64 * 1024;

export const probeTcp: Prober<TcpCheck> = async (check, outer) => {
  const timer = new PhaseTimer();
  const deadline = startDeadline(check.timeoutMs, outer);
  const { host, port } = check.target;
  const result: ProbeResult = {
    type: 'probe', check: check.name, probe: 'tcp', target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    ok: false, ts: timer.startedAt, phases: { totalMs: 0 }, attempts: 1,
  };
  let socket: Socket | undefined;
  try {
    if (isIP(host)) {
      result.ip = host;
      timer.zero('dns');
    } else {
      timer.mark('dns');
      result.ip = await resolveHost(host, undefined, deadline.signal);
    }
    timer.mark('connect');
    socket = await openSocket(result.ip, port, deadline.signal);
    if (check.send !== undefined || check.expectContains !== undefined || check.expectMatches) {
      timer.mark('firstByte');
      await converse(socket, check, timer, deadline.signal);
    }
    timer.stop();
    result.phases = timer.phases();
    if (check.maxMs !== undefined && result.phases.totalMs > check.maxMs) throw new AssertionFailure(`took ${result.phases.totalMs.toFixed(1)}ms, more than maxMs ${check.maxMs}`);
    result.ok = true;
  } catch (err) {
    const failure = classifyFailure(err, timer.current, deadline.signal);
    timer.stop();
    result.phases = timer.phases();
    result.error = { kind: failure.kind, message: failure.message };
  } finally {
    deadline.clear();
    socket?.destroy();
  }
  return result;
};

/** Sends check.send, then reads until the reply satisfies the expectation (or just one chunk). */
function converse(socket: Socket, check: TcpCheck, timer: PhaseTimer, signal: AbortSignal): Promise<void> {
  const expecting = check.expectContains !== undefined || check.expectMatches !== undefined;
  return new Promise((resolve, reject) => {
    let reply = '';
    const done = (err?: unknown) => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      if (err !== undefined) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason);
    const satisfied = () => (check.expectContains === undefined || reply.includes(check.expectContains)) && (!check.expectMatches || check.expectMatches.test(reply));
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', done);
    socket.once('end', () => done(expecting ? new AssertionFailure(`connection closed; reply ${quote(reply)} does not ${check.expectContains !== undefined ? `contain ${quote(check.expectContains)}` : `match /${check.expectMatches?.source}/`}`) : undefined));
    socket.on('data', (chunk: Buffer) => {
      if (reply === '') timer.mark('transfer');
      reply = (reply + chunk.toString('utf8')).slice(-MAX_REPLY);
      if (!expecting || satisfied()) done();
    });
    // With nothing expected, the probe is complete once the data is handed to the kernel.
    if (check.send !== undefined) socket.write(check.send, (err) => (err ? done(err) : expecting || done()));
  });
}
