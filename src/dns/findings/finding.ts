// Builds a DnsFinding with its times in both forms and its bounded evidence lists.
import type { DnsFinding, FindingKind, FindingSeverity } from '../types.js';

export const LIST_LIMIT = 10;

export interface FindingInput {
  kind: FindingKind;
  severity: FindingSeverity;
  resolver?: string | null;
  zone?: string | null;
  name?: string | null;
  count: number;
  clients?: Iterable<string>;
  processes?: Iterable<string>;
  firstSeenMs: number;
  lastSeenMs: number;
  summary: string;
  evidence?: Record<string, unknown>;
  mitigations?: string[];
}

function firstN(items: Iterable<string> | undefined): string[] {
  const out: string[] = [];
  for (const x of items ?? []) {
    if (out.length >= LIST_LIMIT) break;
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

export function makeFinding(f: FindingInput): DnsFinding {
  const finding: DnsFinding = {
    kind: f.kind,
    severity: f.severity,
    resolver: f.resolver ?? null,
    zone: f.zone ?? null,
    name: f.name ?? null,
    count: f.count,
    clients: firstN(f.clients),
    processes: firstN(f.processes),
    firstSeen: new Date(f.firstSeenMs).toISOString(),
    lastSeen: new Date(f.lastSeenMs).toISOString(),
    firstSeenMs: f.firstSeenMs,
    lastSeenMs: f.lastSeenMs,
    summary: f.summary,
    evidence: f.evidence ?? {},
  };
  if (f.mitigations) finding.mitigations = f.mitigations;
  return finding;
}

/** Adds a value to a capped set of evidence strings. */
export function noteCapped(set: Set<string>, value: string, cap = LIST_LIMIT): void {
  if (set.size < cap) set.add(value);
}

/** "comm[pid]", "comm", or undefined when the source knows no process. */
export function processLabel(p: { pid?: number; comm?: string }): string | undefined {
  if (p.comm !== undefined) return p.pid !== undefined ? `${p.comm}[${p.pid}]` : p.comm;
  return p.pid !== undefined ? `pid ${p.pid}` : undefined;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
