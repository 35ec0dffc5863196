// Builders of validated blackbox checks with test defaults, so tests state only what matters.
import type { DnsCheck, HttpCheck, TcpCheck, TlsCheck } from '../../src/blackbox/types.js';

const base = { schedule: { intervalMs: 60_000 }, timeoutMs: 3000, retries: 0, retryBackoffMs: 10, failureThreshold: 3, successThreshold: 2 };

export function httpCheck(url: string, over: Partial<Omit<HttpCheck, 'expect'>> & { expect?: Partial<HttpCheck['expect']> } = {}): HttpCheck {
  const { expect, ...rest } = over;
  return {
    ...base, name: 'web', type: 'http', url, method: 'GET', headers: {}, followRedirects: true, maxRedirects: 5, http2: false,
    tls: { insecureSkipVerify: false }, maxBodyBytes: 1 << 20,
    ...rest,
    expect: { status: Array.from({ length: 100 }, (_, i) => 200 + i), bodyContains: [], bodyNotContains: [], bodyMatches: [], json: [], headers: [], ...expect },
  };
}

export function dnsCheck(resolver: { host: string; port: number }, name: string, over: Partial<Omit<DnsCheck, 'expect'>> & { expect?: Partial<DnsCheck['expect']> } = {}): DnsCheck {
  const { expect, ...rest } = over;
  return { ...base, name: 'dns', type: 'dns', resolver, transport: 'udp', query: { name, type: 'A' }, recursionDesired: true, ...rest, expect: { rcodes: ['NOERROR'], answers: [], ...expect } };
}

export function tcpCheck(host: string, port: number, over: Partial<TcpCheck> = {}): TcpCheck {
  return { ...base, name: 'tcp', type: 'tcp', target: { host, port }, ...over };
}

export function tlsCheck(host: string, port: number, over: Partial<TlsCheck> = {}): TlsCheck {
  return { ...base, name: 'tls', type: 'tls', target: { host, port }, tls: { insecureSkipVerify: false }, warnDays: 21, failDays: 7, ...over };
}

/**
 * The phases of a result add up to its total: the only gaps are the few microseconds of code
 * between phases, so the tolerance is a small absolute slack plus 5 % of the total.
 */
export function phaseGap(phases: import('../../src/events.js').ProbePhases): { sum: number; gap: number; tolerance: number } {
  const sum = (phases.dnsMs ?? 0) + (phases.connectMs ?? 0) + (phases.tlsMs ?? 0) + (phases.firstByteMs ?? 0) + (phases.transferMs ?? 0);
  return { sum, gap: Math.abs(phases.totalMs - sum), tolerance: 2 + phases.totalMs * 0.05 };
}
