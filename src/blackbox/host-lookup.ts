// Resolves a check's host name to one address: the system resolver, or a DNS server of the check's own.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { queryDns, rcodeOf } from './dns-query.js';
import { DnsFailure } from './probe-errors.js';
import type { HostPort } from './types.js';
import { settleOnce } from './settle-once.js';

/** An address for `host`; IP literals are returned as they are. Rejects with DnsFailure. */
export async function resolveHost(host: string, resolver: HostPort | undefined, signal: AbortSignal): Promise<string> {
  const literal = host.replace(/^\[|\]$/g, '');
  if (isIP(literal)) return literal;
  if (!resolver) return abortable(systemLookup(host), signal);
  for (const type of ['A', 'AAAA']) {
    const reply = await queryDns({ server: resolver, transport: 'udp', name: host, type, recursionDesired: true }, signal);
    if (rcodeOf(reply) !== 'NOERROR') throw new DnsFailure(`${host}: ${rcodeOf(reply)} from ${resolver.host}:${resolver.port}`);
    const address = reply.answers?.find((a) => a.type === type);
    if (address) return String((address as { data: unknown }).data);
  }
  throw new DnsFailure(`${host}: no A or AAAA record from ${resolver.host}:${resolver.port}`);
}

async function systemLookup(host: string): Promise<string> {
  try {
    return (await lookup(host)).address;
  } catch (err) {
    throw new DnsFailure(`${host}: ${(err as NodeJS.ErrnoException).code ?? 'lookup failed'}`);
  }
}

/** getaddrinfo cannot be cancelled: stop waiting for it when the signal aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return settleOnce<T>(signal, () => undefined, ({ ok, fail }) => void work.then(ok, fail));
}
