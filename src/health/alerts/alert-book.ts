// The lifecycle of alerts: conditions true now become firing alerts (de-duplicated by fingerprint),
// alerts whose condition stopped holding resolve. Triggering and resolving are separate steps.
import type { Alert, AlertState } from './alert.js';

/**
 * An alert condition that holds at this evaluation. `continuesOnly`: it holds on evidence of
 * failures that have already stopped, so it keeps a firing alert firing but starts none.
 */
export type AlertCandidate = Omit<Alert, 'state' | 'startsAt' | 'endsAt' | 'lastSeenAt'> & { continuesOnly?: boolean };

export interface AlertTransitions {
  /** Newly firing. */
  fired: Alert[];
  /** Newly resolved (endsAt set). */
  resolved: Alert[];
  /** Every alert firing after this evaluation. */
  active: Alert[];
}

export class AlertBook {
  private readonly active = new Map<string, Alert>();

  constructor(initial?: AlertState) {
    for (const a of initial?.active ?? []) if (a.state === 'firing') this.active.set(a.fingerprint, a);
  }

  /** Candidates are every condition that holds now; anything firing and not among them resolves. */
  evaluate(candidates: readonly AlertCandidate[], now: number): AlertTransitions {
    const fired: Alert[] = [];
    const resolved: Alert[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      if (seen.has(c.fingerprint)) continue;
      seen.add(c.fingerprint);
      const have = this.active.get(c.fingerprint);
      if (!have && c.continuesOnly) continue;
      if (have) {
        // Same alert: refresh figures and explanation, keep startsAt (no new notification).
        have.summary = c.summary;
        have.values = c.values;
        have.attribution = c.attribution;
        have.severity = c.severity;
        have.lastSeenAt = now;
        continue;
      }
      const { continuesOnly: _, ...condition } = c;
      const alert: Alert = { ...condition, state: 'firing', startsAt: now, endsAt: null, lastSeenAt: now };
      this.active.set(c.fingerprint, alert);
      fired.push(alert);
    }
    for (const [fp, a] of this.active) {
      if (seen.has(fp)) continue;
      this.active.delete(fp);
      resolved.push({ ...a, state: 'resolved', endsAt: now });
    }
    return { fired, resolved, active: [...this.active.values()] };
  }

  state(): AlertState {
    return { active: [...this.active.values()] };
  }
}

/** Alerts attributed to this host's network are grouped together, whatever the provider. */
export function groupKeyOf(a: Pick<Alert, 'attribution' | 'providerId'>): string {
  if (a.attribution && (a.attribution.scope === 'local' || a.attribution.scope === 'resolver')) return 'local';
  return a.providerId ?? 'egresswatch';
}
