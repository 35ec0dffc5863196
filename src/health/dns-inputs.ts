// Adapts the DNS analysis's output (src/dns/ transactions and findings) to the engine's inputs.
import type { DnsFinding, DnsTransaction } from '../dns/types.js';
import type { DnsFindingInput, DnsOutcome } from './signal-inputs.js';

/** Answers that mean the resolver failed the client (NXDOMAIN and NOERROR are answers). */
const FAILED_RCODES = new Set(['SERVFAIL', 'REFUSED', 'FORMERR', 'NOTIMP']);

/** A finished transaction as a DNS outcome; undefined while it is still pending. */
export function dnsOutcomeOf(tx: DnsTransaction): DnsOutcome | undefined {
  if (tx.outcome === 'pending') return undefined;
  const ok = tx.outcome === 'answered' && !(tx.rcode !== undefined && FAILED_RCODES.has(tx.rcode));
  const out: DnsOutcome = { ts: tx.ts, name: tx.qname.toLowerCase().replace(/\.$/, ''), resolver: tx.server, ok };
  if (tx.rcode !== undefined) out.rcode = tx.rcode;
  if (tx.latencyMs !== undefined) out.latencyMs = tx.latencyMs;
  if (tx.pid !== undefined) out.pid = tx.pid;
  if (tx.comm !== undefined) out.comm = tx.comm;
  return out;
}

const SEVERITY: Record<DnsFinding['severity'], DnsFindingInput['severity']> = { critical: 'page', warning: 'ticket', info: 'info' };

function figure(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

/** A DNS finding as an alert input: critical pages, warning opens a ticket, info is recorded only. */
export function dnsFindingInputOf(f: DnsFinding): DnsFindingInput {
  const evidence = [`${f.summary} (${f.count} queries, ${f.firstSeen} to ${f.lastSeen})`];
  for (const [k, v] of Object.entries(f.evidence).slice(0, 8)) evidence.push(`${k}: ${figure(v)}`);
  const input: DnsFindingInput = { kind: f.kind, severity: SEVERITY[f.severity], summary: f.summary, evidence };
  if (f.resolver) input.resolver = f.resolver;
  if (f.zone) input.zone = f.zone;
  if (f.mitigations?.[0]) input.fix = f.mitigations[0];
  return input;
}
