// Opens, updates and resolves incidents from alert transitions, with a timeline of evidence.
//
// One open incident per alert group (provider, or "local"): the first alert of a group opens it,
// later alerts and their evidence join its timeline, and it resolves when the group's last alert
// resolves. Severity only escalates (a page joining a ticket incident makes it a page).
import type { Alert, AlertSeverity } from './alert.js';
import type { Incident } from './incident.js';
import type { EngineStore } from '../engine-store.js';
import { groupKeyOf } from './alert-book.js';

const RANK: Record<AlertSeverity, number> = { info: 0, ticket: 1, page: 2 };

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class IncidentTracker {
  private seq = 0;

  constructor(private readonly store: EngineStore) {}

  /** The open incident of a group, if any. */
  async openFor(groupKey: string): Promise<Incident | undefined> {
    return (await this.store.listIncidents({ state: 'open' })).find((i) => i.providerId === groupKey);
  }

  async apply(fired: readonly Alert[], resolved: readonly Alert[], active: readonly Alert[], now: number): Promise<Incident[]> {
    const changed = new Map<string, Incident>();
    const open = new Map((await this.store.listIncidents({ state: 'open' })).map((i) => [i.providerId, i]));
    for (const a of fired) {
      const key = groupKeyOf(a);
      let inc = changed.get(key) ?? open.get(key);
      if (!inc) {
        inc = {
          id: `inc-${stamp(now)}-${++this.seq}`,
          providerId: key,
          title: key === 'local' ? `This host's network or resolver: ${a.summary}` : `${key}: ${a.summary}`,
          severity: a.severity,
          state: 'open',
          openedAt: now,
          resolvedAt: null,
          attribution: a.attribution,
          alerts: [],
          timeline: [{ at: now, kind: 'opened', text: `Opened by ${a.name}` }],
          notes: [],
        };
      }
      // The incident keeps the attribution of the alert that opened it, or of a more severe one
      // that joins later; other alerts' attributions go into the timeline as evidence.
      const escalates = RANK[a.severity] > RANK[inc.severity];
      if (escalates) inc.severity = a.severity;
      if (!inc.alerts.includes(a.fingerprint)) inc.alerts.push(a.fingerprint);
      inc.timeline.push({ at: now, kind: 'alert_firing', text: `${a.name} (${a.severity}): ${a.summary}`, alertFingerprint: a.fingerprint });
      if (a.attribution) {
        if (inc.attribution === null || escalates) inc.attribution = a.attribution;
        inc.timeline.push({ at: now, kind: 'evidence', text: a.attribution.reason, alertFingerprint: a.fingerprint });
      }
      changed.set(key, inc);
    }
    const stillFiring = new Set(active.map((a) => groupKeyOf(a)));
    for (const a of resolved) {
      const inc = changed.get(groupKeyOf(a)) ?? [...open.values(), ...changed.values()].find((i) => i.alerts.includes(a.fingerprint));
      if (!inc) continue;
      inc.timeline.push({ at: now, kind: 'alert_resolved', text: `${a.name} resolved. Last seen while firing: ${a.summary}`, alertFingerprint: a.fingerprint });
      changed.set(inc.providerId, inc);
    }
    for (const inc of changed.values()) {
      if (inc.state === 'open' && !stillFiring.has(inc.providerId) && inc.alerts.every((fp) => !active.some((x) => x.fingerprint === fp))) {
        inc.state = 'resolved';
        inc.resolvedAt = now;
        inc.timeline.push({ at: now, kind: 'resolved', text: 'Resolved: every alert of the incident cleared' });
      }
      await this.store.putIncident(inc);
    }
    return [...changed.values()];
  }
}
