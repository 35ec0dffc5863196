// The frame every prober runs in: phase timer, deadline, the common result, maxMs and failure
// classification, so each prober file holds only what its protocol does.
import { isIP } from 'node:net';
import type { ProbeResult, ProbeType } from '../events.js';
import { startDeadline } from './deadline.js';
import { resolveHost } from './host-lookup.js';
import { PhaseTimer } from './phase-timer.js';
import { AssertionFailure, classifyFailure } from './probe-errors.js';
import type { CheckBase, HostPort } from './types.js';

/** What a prober's body works with. */
export interface ProbeFrame {
  timer: PhaseTimer;
  /** Aborts at the check's timeout or when the caller cancels. */
  signal: AbortSignal;
  /** The result being filled in; ok, phases and error are set by the frame. */
  result: ProbeResult;
}

export interface ProbeStart {
  probe: ProbeType;
  target: string;
  ip?: string;
  /** Runs after a failure was recorded: adds facts the body learnt before failing. */
  onFailure?: (result: ProbeResult) => void;
}

/**
 * Runs `body` inside the frame. The body stops the timer where its measured work ends (later
 * checks on the reply are not timed) and throws a ProbeFailure for anything that fails the check.
 */
export async function runProbe(check: CheckBase, outer: AbortSignal, start: ProbeStart, body: (frame: ProbeFrame) => Promise<void>): Promise<ProbeResult> {
  const timer = new PhaseTimer();
  const deadline = startDeadline(check.timeoutMs, outer);
  const result: ProbeResult = {
    type: 'probe', check: check.name, probe: start.probe, target: start.target,
    ok: false, ts: timer.startedAt, phases: { totalMs: 0 }, attempts: 1,
  };
  if (start.ip !== undefined) result.ip = start.ip;
  try {
    await body({ timer, signal: deadline.signal, result });
    timer.stop();
    result.phases = timer.phases();
    if (check.maxMs !== undefined && result.phases.totalMs > check.maxMs) throw new AssertionFailure(`took ${result.phases.totalMs.toFixed(1)}ms, more than maxMs ${check.maxMs}`);
    result.ok = true;
  } catch (err) {
    const failure = classifyFailure(err, timer.current, deadline.signal);
    timer.stop();
    result.phases = timer.phases();
    result.error = { kind: failure.kind, message: failure.message };
    start.onFailure?.(result);
  } finally {
    deadline.clear();
  }
  return result;
}

/** host:port as a target string, IPv6 literals bracketed. */
export function hostPortText({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The dns phase of a probe: an IP literal takes no time, a name is resolved. */
export async function resolveTarget(host: string, resolver: HostPort | undefined, frame: ProbeFrame): Promise<string> {
  if (isIP(host)) {
    frame.timer.zero('dns');
    return host;
  }
  frame.timer.mark('dns');
  return resolveHost(host, resolver, frame.signal);
}
