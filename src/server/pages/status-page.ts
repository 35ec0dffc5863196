// GET /: overall state, open incidents, maintenance, then one row per provider with its state,
// score, 90-day uptime bars, latency sparkline and error budget left.
import { html, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';
import type { Incident } from '../../health/alerts/incident.js';
import type { MaintenanceWindow } from '../../health/alerts/suppression.js';
import type { ProviderSummary } from '../../health/snapshot/health-snapshot.js';
import { budgetBar, latencySparkline, shownState, stateBadge, stateLabel, uptimeBars, type ShownState } from './components.js';
import { renderPage, shortTime } from './layout.js';

export interface StatusPageData {
  monitoring: MonitoringStatus;
  providers: ProviderSummary[];
  openIncidents: Incident[];
  maintenance: MaintenanceWindow[];
  now: number;
}

const SEVERITY: Record<ShownState, number> = { operational: 0, unknown: 1, maintenance: 2, degraded: 3, partial_outage: 4, major_outage: 5 };

/** The worst shown state (maintenance and no-data never turn the whole page red). */
export function overallState(states: readonly ShownState[]): ShownState {
  if (states.length === 0) return 'unknown';
  let worst: ShownState = 'operational';
  for (const s of states) if (SEVERITY[s] > SEVERITY[worst] && s !== 'unknown' && s !== 'maintenance') worst = s;
  return worst;
}

/** The providers table (the heavy part of the page: 90 bars per row) and the states it shows. */
export interface ProviderTable {
  html: SafeHtml;
  states: ShownState[];
}

/** Provider groups and hidden providers of the overview (server.page). */
export interface Overview {
  groups: ReadonlyArray<{ name: string; providers: readonly string[] }>;
  hide: readonly string[];
}

const NO_GROUPS: Overview = { groups: [], hide: [] };

interface Row {
  p: ProviderSummary;
  state: ShownState;
  /** Index of its group, groups.length for the rest. */
  group: number;
}

/** Providers in table order (by group, then worst state first, then by name) with the state each row shows; hidden ones left out. */
function tableRows(providers: readonly ProviderSummary[], maintenance: readonly MaintenanceWindow[], now: number, overview: Overview): Row[] {
  const groupOf = new Map<string, number>();
  overview.groups.forEach((g, i) => g.providers.forEach((id) => groupOf.has(id) || groupOf.set(id, i)));
  const hidden = new Set(overview.hide);
  const rows = providers.filter((p) => !hidden.has(p.id)).map((p) => ({ p, state: shownState(p, { providerId: p.id }, maintenance, now), group: groupOf.get(p.id) ?? overview.groups.length }));
  rows.sort((a, b) => a.group - b.group || SEVERITY[b.state] - SEVERITY[a.state] || (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));
  return rows;
}

/** The group heading row before the first row of each group (none when no groups are configured). */
function groupHeading(rows: readonly Row[], i: number, overview: Overview): SafeHtml | '' {
  if (overview.groups.length === 0 || (i > 0 && rows[i - 1].group === rows[i].group)) return '';
  const name = overview.groups[rows[i].group]?.name ?? 'Other providers';
  return html`<tr class="group"><th colspan="6" scope="rowgroup">${name}</th></tr>
`;
}

function tableAround(rows: readonly SafeHtml[]): SafeHtml {
  return rows.length === 0 ? html`<p class="muted">No provider seen yet: configure checks, or wait for capture to see outbound traffic.</p>` : html`<table class="providers">
<thead><tr><th>Provider</th><th>State</th><th class="num">Score</th><th>Last 90 days</th><th>Latency (1 h)</th><th>Error budget left</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function renderProviderTable(providers: readonly ProviderSummary[], maintenance: readonly MaintenanceWindow[], now: number, overview: Overview = NO_GROUPS): ProviderTable {
  const rows = tableRows(providers, maintenance, now, overview);
  return { html: tableAround(rows.map((r, i) => html`${groupHeading(rows, i, overview)}${providerRow(r.p, r.state)}`)), states: rows.map((r) => r.state) };
}

/**
 * The same table, rendered a row at a time with `pause()` between rows: used to prepare the page
 * in the background when a snapshot is published, without holding requests up.
 */
export async function renderProviderTableSliced(providers: readonly ProviderSummary[], maintenance: readonly MaintenanceWindow[], now: number, pause: () => Promise<void>, overview: Overview = NO_GROUPS): Promise<ProviderTable> {
  const rows = tableRows(providers, maintenance, now, overview);
  const parts: SafeHtml[] = [];
  for (const [i, r] of rows.entries()) {
    parts.push(html`${groupHeading(rows, i, overview)}${providerRow(r.p, r.state)}`);
    await pause();
  }
  return { html: tableAround(parts), states: rows.map((r) => r.state) };
}

/** `table` may come from a cache (it changes only with the snapshot and active maintenance). */
export function renderStatusPage(data: StatusPageData, table: ProviderTable = renderProviderTable(data.providers, data.maintenance, data.now)): SafeHtml {
  const overall = overallState(table.states);
  const upcoming = data.maintenance.filter((w) => w.endsAt > data.now).sort((a, b) => a.startsAt - b.startsAt);
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const body = html`<section class="overall overall-${overall}" id="overall" data-state="${overall}">
<h1>${overall === 'operational' ? 'All providers operational' : overall === 'unknown' ? 'No provider data yet' : `Overall: ${stateLabel(overall)}`}</h1>
<p>${n(table.states.length, 'provider')} watched · ${n(data.openIncidents.length, 'open incident')} · ${n(data.monitoring.checks, 'check')} configured</p>
</section>
${incidentList(data.openIncidents)}
${upcoming.length ? html`<section id="maintenance"><h2>Maintenance</h2><ul>${upcoming.map((w) => html`<li>${shortTime(w.startsAt)} → ${shortTime(w.endsAt)} · ${w.scope === '*' ? 'everything' : html`<a href="/providers/${encodeURIComponent(w.scope)}">${w.scope}</a>`}: ${w.reason}</li>`)}</ul></section>` : ''}
<section id="providers">
<h2>Providers</h2>
${table.html}
</section>`;
  return renderPage({ title: 'Provider status', section: 'status', monitoring: data.monitoring, body });
}

function providerRow(p: ProviderSummary, state: ShownState): SafeHtml {
  return html`<tr data-provider="${p.id}">
<td><a href="/providers/${encodeURIComponent(p.id)}">${p.name}</a><br><span class="muted">${p.endpointCount} endpoint${p.endpointCount === 1 ? '' : 's'}${p.uptime90dPct !== null ? ` · ${p.uptime90dPct.toFixed(2)}% over 90 days` : ''}</span></td>
<td>${stateBadge(state)}</td>
<td class="num" data-label="Score" title="${p.score.formula}">${p.lastSeen === null ? '–' : p.score.score.toFixed(0)}</td>
<td data-label="Last 90 days">${uptimeBars(p.uptimeDays, p.id)}</td>
<td data-label="Latency (1 h)">${latencySparkline(p.latency)}</td>
<td data-label="Error budget left">${budgetBar(p.errorBudgetRemaining, p.errorBudgetSpent)}</td>
</tr>
`;
}

export function incidentList(incidents: readonly Incident[], heading = 'Open incidents'): SafeHtml {
  if (incidents.length === 0) return html`<section id="incidents"><h2>${heading}</h2><p class="muted">None.</p></section>`;
  return html`<section id="incidents"><h2>${heading}</h2><ul class="incidents">
${incidents.map((i) => html`<li class="incident sev-${i.severity}"><strong>${i.title}</strong> <span class="muted">${i.severity} · opened ${shortTime(i.openedAt)}${i.resolvedAt !== null ? ` · resolved ${shortTime(i.resolvedAt)}` : ''}</span>
· ${i.providerId === 'local' ? html`this host's network` : html`<a href="/providers/${encodeURIComponent(i.providerId)}#incident-${encodeURIComponent(i.id)}">${i.providerId}</a>`}
${i.attribution ? html`<br>Attribution: <em>${i.attribution.scope}</em>${i.attribution.targets.length ? html` (${i.attribution.targets.join(', ')})` : ''}: ${i.attribution.reason}` : ''}</li>`)}
</ul></section>`;
}
