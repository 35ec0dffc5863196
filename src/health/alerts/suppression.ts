// Maintenance windows and silences, and the one rule of what they cover: no alerts are raised for
// what they cover, and the pages show covered providers and endpoints as under maintenance.

/** No alerts for the scope during [startsAt, endsAt); shown on the status page. */
export interface MaintenanceWindow {
  id: string;
  /** Provider id, endpoint id, or "*" for everything. */
  scope: string;
  startsAt: number;
  endsAt: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

/** Silences alerts matching every given field until endsAt (not shown as maintenance). */
export interface Silence {
  id: string;
  providerId?: string;
  endpointId?: string;
  alertName?: string;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
}


/** What a maintenance window or silence is asked about: a provider, or one of its endpoints. */
export interface SuppressionTarget {
  providerId: string | null;
  endpointId?: string | null;
}

export function isActive(w: { startsAt: number; endsAt: number }, now: number): boolean {
  return w.startsAt <= now && now < w.endsAt;
}

/**
 * The one maintenance rule: a window covers everything ("*"), a provider and all its endpoints
 * (its id), or one endpoint (the endpoint's id), while it is active.
 */
export function maintenanceCovers(w: MaintenanceWindow, target: SuppressionTarget, now: number): boolean {
  if (!isActive(w, now)) return false;
  return w.scope === '*' || (target.providerId !== null && w.scope === target.providerId) || (target.endpointId != null && w.scope === target.endpointId);
}

/** Whether a window concerns a provider at all (itself, everything, or one of its endpoints), active or not. */
export function maintenanceConcerns(w: MaintenanceWindow, providerId: string): boolean {
  return w.scope === '*' || w.scope === providerId || w.scope.startsWith(`${providerId}|`);
}

/** A silence covers alerts matching every field it sets, while it is active. */
export function silenceCovers(s: Silence, alert: SuppressionTarget & { name: string }, now: number): boolean {
  return isActive(s, now)
    && (s.providerId === undefined || s.providerId === alert.providerId)
    && (s.endpointId === undefined || s.endpointId === alert.endpointId)
    && (s.alertName === undefined || s.alertName === alert.name);
}

/** Whether any maintenance window or silence covers an alert at `now`. */
export function suppressed(alert: SuppressionTarget & { name: string }, maintenance: readonly MaintenanceWindow[], silences: readonly Silence[], now: number): boolean {
  return maintenance.some((w) => maintenanceCovers(w, alert, now)) || silences.some((s) => silenceCovers(s, alert, now));
}
