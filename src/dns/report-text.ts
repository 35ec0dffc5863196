// The human-readable `dns report`: resolver table, findings, zones and names. Every string that
// came from the network or a process (names, comm) is escaped so it cannot drive the terminal.
import type { DnsSnapshot } from './types.js';
import { visibleText } from '../visible-text.js';


function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function ms(v: number | null): string {
  return v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1);
}

export function reportText(snap: DnsSnapshot): string {
  const out: string[] = [];
  out.push(`DNS transactions: ${snap.transactions} (${snap.answered} answered, ${snap.timeouts} timed out), ${snap.pending} pending at the end, ${snap.unmatchedResponses} unmatched responses`);
  const bad = Object.entries(snap.malformed);
  if (bad.length) out.push(`malformed DNS messages: ${bad.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push('', 'Resolvers');
  out.push(...table(
    ['server', 'role', 'queries', 'q/s', 'answered', 'timeouts', 'NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'p50 ms', 'p90 ms', 'p99 ms'],
    snap.resolvers.map((r) => [
      visibleText(r.server), r.role, String(r.queries), r.queriesPerSecond.toFixed(1), String(r.answered), String(r.timeouts),
      String(r.rcodes.NOERROR ?? 0), String(r.rcodes.NXDOMAIN ?? 0), String(r.rcodes.SERVFAIL ?? 0), String(r.rcodes.REFUSED ?? 0),
      ms(r.latencyMs.p50), ms(r.latencyMs.p90), ms(r.latencyMs.p99),
    ]),
  ));
  out.push('', snap.findings.length ? 'Findings' : 'Findings: none');
  for (const f of snap.findings) {
    out.push(`  [${f.severity}] ${f.kind}: ${visibleText(f.summary)}`);
    const where = [f.resolver && `resolver ${f.resolver}`, f.zone && `zone ${visibleText(f.zone)}`, f.name && `name ${visibleText(f.name)}`].filter(Boolean).join(', ');
    out.push(`      ${f.count} times, ${f.firstSeen} .. ${f.lastSeen}${where ? `; ${where}` : ''}`);
    if (f.clients.length) out.push(`      clients: ${f.clients.map(visibleText).join(', ')}`);
    if (f.processes.length) out.push(`      processes: ${f.processes.map(visibleText).join(', ')}`);
    if (f.mitigations?.length) out.push(`      mitigations: ${f.mitigations.join('; ')}`);
  }
  if (snap.zones.length) {
    out.push('', 'Zones');
    out.push(...table(['zone', 'resolver', 'queries', 'answered', 'timeouts', 'NXDOMAIN', 'SERVFAIL'], snap.zones.map((z) => [
      visibleText(z.zone), visibleText(z.resolver), String(z.queries), String(z.answered), String(z.timeouts), String(z.rcodes.NXDOMAIN ?? 0), String(z.rcodes.SERVFAIL ?? 0),
    ])));
  }
  if (snap.names.length) {
    out.push('', 'Names by process');
    out.push(...table(['name', 'process', 'queries', 'failures', 'timeouts', 'mean ms'], snap.names.map((n) => [
      visibleText(n.name), visibleText(n.process), String(n.queries), String(n.failures), String(n.timeouts), ms(n.meanLatencyMs),
    ])));
  }
  return out.join('\n') + '\n';
}
