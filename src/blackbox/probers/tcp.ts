// TCP prober: connect to host:port, optionally send a line and wait for an expected reply.
import type { Socket } from 'node:net';
import { openSocket } from '../connect.js';
import { quote } from '../http-assertions.js';
import { PhaseTimer } from '../phase-timer.js';
import { AssertionFailure } from '../probe-errors.js';
import { hostPortText, resolveTarget, runProbe } from '../probe-frame.js';
import type { Prober, TcpCheck } from '../types.js';
import { settleOnce } from '../settle-once.js';

const MAX_REPLY = 64 * 1024;

export const probeTcp: Prober<TcpCheck> = (check, outer) =>
  runProbe(check, outer, { probe: 'tcp', target: hostPortText(check.target) }, async (frame) => {
    const { timer, signal, result } = frame;
    result.ip = await resolveTarget(check.target.host, undefined, frame);
    timer.mark('connect');
    const socket = await openSocket(result.ip, check.target.port, signal);
    try {
      if (check.send !== undefined || check.expectContains !== undefined || check.expectMatches) {
        timer.mark('firstByte');
        await converse(socket, check, timer, signal);
      }
    } finally {
      socket.destroy();
    }
  });

/** Sends check.send, then reads until the reply satisfies the expectation (or just one chunk). */
function converse(socket: Socket, check: TcpCheck, timer: PhaseTimer, signal: AbortSignal): Promise<void> {
  const expecting = check.expectContains !== undefined || check.expectMatches !== undefined;
  let reply = '';
  const satisfied = () => (check.expectContains === undefined || reply.includes(check.expectContains)) && (!check.expectMatches || check.expectMatches.test(reply));
  return settleOnce<void>(signal, () => socket.removeAllListeners('data'), ({ ok, fail }) => {
    const done = (err?: unknown) => (err === undefined ? ok() : fail(err));
    socket.once('error', fail);
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
