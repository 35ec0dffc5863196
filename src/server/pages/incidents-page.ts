// GET /incidents: the incident history of the last 90 days, newest first, each with its timeline,
// notes, attribution and duration; optionally one provider's (?provider=), or one day's (?day=).
import { html, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';
import type { Incident } from '../../health/alerts/incident.js';
import { incidentTimeline } from './incident-timeline.js';
import { renderPage } from './layout.js';

export interface IncidentHistory {
  incidents: readonly Incident[];
  /** What the list is narrowed to, if anything (shown in the heading and the feed link). */
  provider?: string;
  day?: string;
  now: number;
}

export function renderIncidentsPage(h: IncidentHistory, monitoring: MonitoringStatus): SafeHtml {
  const scope = [h.provider ? html` of <a href="/providers/${encodeURIComponent(h.provider)}">${h.provider}</a>` : '', h.day ? html` on ${h.day}` : ''];
  const feed = h.provider ? `/providers/${encodeURIComponent(h.provider)}/incidents.atom` : '/incidents.atom';
  const body = html`<h1>Incidents${scope}</h1>
<p class="muted">Last 90 days, newest first · ${h.incidents.length} incident${h.incidents.length === 1 ? '' : 's'} · <a href="${feed}">Atom feed</a>${h.provider || h.day ? html` · <a href="/incidents">all incidents</a>` : ''}</p>
${h.incidents.length === 0 ? html`<p class="muted">No incidents.</p>` : h.incidents.map((i) => html`<p class="incident-of">${i.providerId === 'local' ? "this host's network" : html`<a href="/providers/${encodeURIComponent(i.providerId)}">${i.providerId}</a>`}</p>${incidentTimeline(i, h.now)}`)}`;
  return renderPage({ title: 'Incidents', section: 'incidents', monitoring, body, feed });
}
