// The fleet view's incidents over refreshes: each refresh rebuilds, from the alerts firing in
// Prometheus, the incident of every provider; what it has gathered since it opened (its id and
// opening time, its timeline, the notes operators added) is kept from the stored one.
import type { Incident } from '../health/alerts/incident.js';

/** The id an incident first seen now gets: its provider key and the time it opened. */
export function fleetIncidentId(rebuilt: Incident): string {
  return `${rebuilt.id}-${new Date(rebuilt.openedAt).toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

/**
 * The incident to keep: the rebuilt one (title, severity, attribution, alerts now) with the
 * stored one's id, opening time, timeline and notes; alerts that began firing since it opened
 * join the timeline at `now` (the rebuilt timeline has one entry per alert, in the same order).
 */
export function mergeFleetIncident(rebuilt: Incident, stored: Incident | undefined, id: string, now: number): Incident {
  if (!stored) return { ...rebuilt, id };
  const newlyFiring = rebuilt.timeline.filter((_, i) => !stored.alerts.includes(rebuilt.alerts[i])).map((e) => ({ ...e, at: now }));
  return { ...rebuilt, id, openedAt: stored.openedAt, timeline: [...stored.timeline, ...newlyFiring], notes: stored.notes };
}

/** Whether the kept incident differs from the stored one in what a refresh can change. */
export function fleetIncidentChanged(kept: Incident, stored: Incident | undefined): boolean {
  return !stored || stored.title !== kept.title || stored.severity !== kept.severity
    || JSON.stringify(stored.attribution) !== JSON.stringify(kept.attribution) || stored.alerts.join('\n') !== kept.alerts.join('\n');
}

/** The stored incident, resolved at `now` because its alerts stopped firing. */
export function resolvedFleetIncident(stored: Incident, now: number): Incident {
  return { ...stored, state: 'resolved', resolvedAt: now, timeline: [...stored.timeline, { at: now, kind: 'resolved', text: 'Resolved: its alerts stopped firing in Prometheus' }] };
}
