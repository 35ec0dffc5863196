// DNS prober: one query with dns-packet to the check's resolver (UDP or TCP), judged on rcode and answers.
import type { ProbeResult } from '../../events.js';
import { startDeadline } from '../deadline.js';
import { answerText, queryDns, rcodeOf } from '../dns-query.js';
import { quote } from '../http-assertions.js';
import { PhaseTimer } from '../phase-timer.js';
import { AssertionFailure, classifyFailure, DnsRcodeFailure } from '../probe-errors.js';
import type { DnsCheck, Prober } from '../types.js';

/** Names compare without case and without the trailing dot. */
function normal(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

export const probeDns: Prober<DnsCheck> = async (check, outer) => {
  const timer = new PhaseTimer();
  const deadline = startDeadline(check.timeoutMs, outer);
  const { host, port } = check.resolver;
  const result: ProbeResult = {
    type: 'probe', check: check.name, probe: 'dns', target: `${check.query.name} ${check.query.type} @${host}:${port}/${check.transport}`,
    ok: false, ts: timer.startedAt, phases: { totalMs: 0 }, ip: host, attempts: 1,
  };
  try {
    const reply = await queryDns({ server: check.resolver, transport: check.transport, name: check.query.name, type: check.query.type, recursionDesired: check.recursionDesired }, deadline.signal, timer);
    timer.stop();
    result.phases = timer.phases();
    result.rcode = rcodeOf(reply);
    const answers = (reply.answers ?? []).map(answerText);
    result.answers = answers.length;
    if (!check.expect.rcodes.includes(result.rcode)) throw new DnsRcodeFailure(`rcode ${result.rcode}, expected ${check.expect.rcodes.join(' or ')}`);
    if (check.expect.minAnswers !== undefined && answers.length < check.expect.minAnswers) throw new AssertionFailure(`${answers.length} answers, expected at least ${check.expect.minAnswers}`);
    const seen = new Set(answers.map(normal));
    for (const want of check.expect.answers) {
      if (!seen.has(normal(want))) throw new AssertionFailure(`no answer ${quote(want)} (got ${answers.length ? answers.slice(0, 5).map((a) => quote(a, 40)).join(', ') : 'none'})`);
    }
    if (check.maxMs !== undefined && result.phases.totalMs > check.maxMs) throw new AssertionFailure(`took ${result.phases.totalMs.toFixed(1)}ms, more than maxMs ${check.maxMs}`);
    result.ok = true;
  } catch (err) {
    const failure = classifyFailure(err, timer.current, deadline.signal);
    timer.stop();
    result.phases = timer.phases();
    result.error = { kind: failure.kind, message: failure.message };
  } finally {
    deadline.clear();
  }
  return result;
};
