// Adapts the DNS analysis's findings to the engine's alert inputs.
import type { DnsFinding } from '../dns/types.js';
import type { DnsFindingInput } from './signal-inputs.js';

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
