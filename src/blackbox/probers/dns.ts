// DNS prober: one query with dns-packet to the check's resolver (UDP or TCP), judged on rcode and answers.
import { answerText, queryDns, rcodeOf } from '../dns-query.js';
import { quote } from '../http-assertions.js';
import { AssertionFailure, DnsRcodeFailure } from '../probe-errors.js';
import { runProbe } from '../probe-frame.js';
import type { DnsCheck, Prober } from '../types.js';

/** Names compare without case and without the trailing dot. */
function normal(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

export const probeDns: Prober<DnsCheck> = (check, outer) => {
  const { host, port } = check.resolver;
  const target = `${check.query.name} ${check.query.type} @${host}:${port}/${check.transport}`;
  return runProbe(check, outer, { probe: 'dns', target, ip: host }, async ({ timer, signal, result }) => {
    const reply = await queryDns({ server: check.resolver, transport: check.transport, name: check.query.name, type: check.query.type, recursionDesired: check.recursionDesired }, signal, timer);
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
  });
};
