// The non-rollup part of the store (snapshot, incidents, maintenance, silences, alert state) and its operations,
// shared by the in-memory and lowdb stores so both behave the same.
import type { AlertState } from '../health/alerts/alert.js';
import type { EndpointSummary, HealthSnapshot, ProviderDetail, ProviderSummary } from '../health/snapshot/health-snapshot.js';
import type { Incident, IncidentNote } from '../health/alerts/incident.js';
import type { IncidentQuery } from '../health/engine-store.js';
import type { MaintenanceWindow, Silence } from '../health/alerts/suppression.js';

export const STATE_SCHEMA = 1;

export interface StateDocument {
  schema: number;
  snapshot: HealthSnapshot | null;
  incidents: Incident[];
  maintenance: MaintenanceWindow[];
  silences: Silence[];
  alertState: AlertState;
}

export function emptyState(): StateDocument {
  return { schema: STATE_SCHEMA, snapshot: null, incidents: [], maintenance: [], silences: [], alertState: { active: [] } };
}

/** Keeps resolved incidents bounded: the newest this many are kept, open ones always. */
const MAX_RESOLVED_INCIDENTS = 1000;

/** A provider row without its heavy parts (endpoints, phases), as the list API shows it. */
export function providerSummaryOf(p: ProviderDetail): ProviderSummary {
  const { endpoints: _e, phases: _p, affected: _a, incidents: _i, maintenance: _m, ...summary } = p;
  return summary;
}

export function listProvidersOf(doc: StateDocument): ProviderSummary[] {
  return doc.snapshot ? doc.snapshot.providers.map(providerSummaryOf) : [];
}

export function listEndpointsOf(doc: StateDocument): EndpointSummary[] {
  return doc.snapshot ? doc.snapshot.providers.flatMap((p) => p.endpoints) : [];
}

export function findEndpoint(doc: StateDocument, id: string): EndpointSummary | undefined {
  if (!doc.snapshot) return undefined;
  for (const p of doc.snapshot.providers) {
    const e = p.endpoints.find((x) => x.id === id);
    if (e) return e;
  }
  return undefined;
}

export function queryIncidents(doc: StateDocument, q: IncidentQuery = {}): Incident[] {
  let list = doc.incidents.filter((i) => {
    if (q.state && i.state !== q.state) return false;
    if (q.providerId && i.providerId !== q.providerId) return false;
    if (q.to !== undefined && i.openedAt >= q.to) return false;
    if (q.from !== undefined && i.resolvedAt !== null && i.resolvedAt < q.from) return false;
    return true;
  });
  list = list.sort((a, b) => b.openedAt - a.openedAt);
  return q.limit !== undefined ? list.slice(0, q.limit) : list;
}

export function putIncidentIn(doc: StateDocument, incident: Incident): void {
  const i = doc.incidents.findIndex((x) => x.id === incident.id);
  if (i >= 0) doc.incidents[i] = incident;
  else doc.incidents.push(incident);
  const resolved = doc.incidents.filter((x) => x.state === 'resolved');
  if (resolved.length > MAX_RESOLVED_INCIDENTS) {
    const drop = new Set(resolved.sort((a, b) => a.openedAt - b.openedAt).slice(0, resolved.length - MAX_RESOLVED_INCIDENTS).map((x) => x.id));
    doc.incidents = doc.incidents.filter((x) => !drop.has(x.id));
  }
}

export function addNoteIn(doc: StateDocument, id: string, note: IncidentNote): Incident | undefined {
  const incident = doc.incidents.find((x) => x.id === id);
  if (!incident) return undefined;
  incident.notes.push(note);
  incident.timeline.push({ at: note.at, kind: 'note', text: `${note.author}: ${note.text}` });
  return incident;
}

export function putById<T extends { id: string }>(list: T[], item: T): void {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

export function deleteById<T extends { id: string }>(list: T[], id: string): boolean {
  const i = list.findIndex((x) => x.id === id);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
