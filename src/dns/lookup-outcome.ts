// Whether a finished DNS transaction served its client: the DNS signal of the reliability engine.
import type { DnsTransaction } from './types.js';

/** Answers that mean the resolver failed the client (NXDOMAIN and NOERROR are answers). */
const FAILED_RCODES = new Set(['SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP']);

/** True for timeouts and for SERVFAIL, REFUSED, FORMERR and NOTIMP answers. */
export function lookupFailed(tx: DnsTransaction): boolean {
  return tx.outcome !== 'answered' || (tx.rcode !== undefined && FAILED_RCODES.has(tx.rcode));
}
