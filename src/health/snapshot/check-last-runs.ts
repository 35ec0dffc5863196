// The last run of each check endpoint, phase by phase: which phase failed (an HTTP 500 fails the
// http phase, not dns or tcp, which passed to get there) and the certificate's days to expiry.
// The endpoints' health components and the certificate warnings read it.
import type { ProbeErrorKind, ProbeResult } from '../../events.js';

export type PhaseName = 'dns' | 'tcp' | 'tls' | 'http';
export type PhaseStatus = 'pass' | 'warn' | 'fail';

export interface LastRun {
  /** The check's name, the provider and endpoint it counts for, its target and when it ran. */
  check: string;
  providerId: string;
  endpointId: string;
  target: string;
  ts: number;
  /** Status of each phase the run went through, with the failure or warning text where there is one. */
  phases: Partial<Record<PhaseName, { status: PhaseStatus; output?: string }>>;
  /** Whole days until the leaf certificate expires (negative once expired). */
  certExpiryDays?: number;
  /** Days under which the certificate warns (the check's warnDays). */
  certWarnDays?: number;
}

/** The phase a failure kind belongs to, for each kind of check. */
function failedPhase(kind: ProbeErrorKind, probe: ProbeResult['probe'], reached: readonly PhaseName[]): PhaseName {
  if (probe === 'dns') return 'dns';
  switch (kind) {
    case 'dns': return 'dns';
    case 'connect_refused': case 'connect_timeout': case 'connect': case 'proxy': return 'tcp';
    case 'tls': case 'cert_expiry': return 'tls';
    case 'http_status': case 'assertion': case 'protocol': return probe === 'http' ? 'http' : probe === 'tls' ? 'tls' : 'tcp';
    // A timeout or an internal fault: the phase the run was in, the last one it reached.
    default: return reached.at(-1) ?? (probe === 'http' ? 'http' : probe === 'tls' ? 'tls' : 'tcp');
  }
}

/** The phases of a check, in order, as far as its result shows it went. */
function phasesOf(r: ProbeResult): PhaseName[] {
  const out: PhaseName[] = [];
  if (r.phases.dnsMs !== undefined || r.probe === 'dns') out.push('dns');
  if (r.probe === 'dns') return out;
  if (r.phases.connectMs !== undefined) out.push('tcp');
  if (r.phases.tlsMs !== undefined) out.push('tls');
  if (r.probe === 'http' && r.phases.firstByteMs !== undefined) out.push('http');
  return out;
}

export function lastRunOf(r: ProbeResult, at: { providerId: string; endpointId: string }, certWarnDays: number | undefined): LastRun {
  const reached = phasesOf(r);
  const phases: LastRun['phases'] = {};
  for (const p of reached) phases[p] = { status: 'pass' };
  if (!r.ok && r.error) {
    const p = failedPhase(r.error.kind, r.probe, reached);
    phases[p] = { status: 'fail', output: `${r.error.kind}: ${r.error.message}` };
    // Phases after the failed one were never reached.
    const order: PhaseName[] = ['dns', 'tcp', 'tls', 'http'];
    for (const later of order.slice(order.indexOf(p) + 1)) delete phases[later];
  }
  const run: LastRun = { check: r.check, providerId: at.providerId, endpointId: at.endpointId, target: r.target, ts: r.ts, phases };
  if (r.certExpiryDays !== undefined) {
    run.certExpiryDays = r.certExpiryDays;
    if (certWarnDays !== undefined) run.certWarnDays = certWarnDays;
    const tls = phases.tls;
    if (tls && tls.status === 'pass' && certWarnDays !== undefined && r.certExpiryDays < certWarnDays) {
      phases.tls = { status: 'warn', output: `certificate expires in ${r.certExpiryDays} days (warnDays ${certWarnDays})` };
    }
  }
  return run;
}

/** Every check endpoint's last run, by endpoint series key. */
export class CheckLastRuns {
  private readonly runs = new Map<string, LastRun>();

  record(endpointKey: string, result: ProbeResult, at: { providerId: string; endpointId: string }, certWarnDays: number | undefined): void {
    const have = this.runs.get(endpointKey);
    if (have && have.ts > result.ts) return;
    this.runs.set(endpointKey, lastRunOf(result, at, certWarnDays));
  }

  get(endpointKey: string): LastRun | undefined {
    return this.runs.get(endpointKey);
  }

  /** Forgets the checks that are no longer configured. */
  retain(checks: ReadonlySet<string>): void {
    for (const [key, run] of this.runs) if (!checks.has(run.check)) this.runs.delete(key);
  }

  values(): IterableIterator<LastRun> {
    return this.runs.values();
  }
}
