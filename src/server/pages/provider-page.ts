// GET /providers/{id}: endpoints, per-phase latency chart (DNS, connect, TLS, first byte),
// affected hosts and processes, score breakdown, SLOs, incident timeline with notes, maintenance.
import { html, jsonForScript, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';
import type { BreakdownEntry, ProviderDetail, SeriesPoint } from '../../health/snapshot/health-snapshot.js';
import { budgetBar, latencySparkline, ms, percent, shownState, stateBadge, uptimeBars } from './components.js';
import { incidentTimeline } from './incident-timeline.js';
import { isoTime, renderPage, shortTime } from './layout.js';

/** The four phase series on one time axis (points of each series may start at different times). */
function chartData(p: ProviderDetail): { times: number[]; series: { label: string; values: (number | null)[] }[] } {
  const phases: [string, SeriesPoint[]][] = [['DNS', p.phases.dns], ['Connect', p.phases.connect], ['TLS', p.phases.tls], ['First byte', p.phases.firstByte]];
  const times = [...new Set(phases.flatMap(([, pts]) => pts.map((x) => x.t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = phases.map(([label, pts]) => {
    const values: (number | null)[] = times.map(() => null);
    for (const x of pts) values[index.get(x.t)!] = x.p50Ms;
    return { label, values };
  });
  return { times: times.map((t) => t / 1000), series };
}

export function renderProviderPage(p: ProviderDetail, monitoring: MonitoringStatus, now: number): SafeHtml {
  const state = shownState(p, { providerId: p.id }, p.maintenance, now);
  const chart = chartData(p);
  const hasChart = chart.times.length > 0;
  const body = html`<section class="overall overall-${state}" data-state="${state}">
<h1>${p.name}</h1>
<p>${stateBadge(state)} · score ${p.lastSeen === null ? '–' : p.score.score.toFixed(0)} · error budget left ${budgetBar(p.errorBudgetRemaining, p.errorBudgetSpent)} · ${p.openIncidents} open incident${p.openIncidents === 1 ? '' : 's'} · last hour: ${p.failed} failed of ${p.total} calls · DNS (5 min): ${p.lookups.failed} failed of ${p.lookups.total} lookups</p>
${uptimeBars(p.uptimeDays, p.id)}
</section>
<section id="latency">
<h2>Latency by phase (median)</h2>
${hasChart ? html`<div class="chart" data-chart="phase-data" data-unit="ms"></div>
<script type="application/json" id="phase-data">${jsonForScript(chart)}</script>
<noscript><p class="muted">The chart needs JavaScript; the endpoint table below has the same medians.</p></noscript>` : html`<p class="muted">No latency data yet.</p>`}
<p class="muted">Median over the last hour: ${latencySparkline(p.latency)}</p>
</section>
<section id="endpoints">
<h2>Endpoints</h2>
${p.endpoints.length === 0 ? html`<p class="muted">None.</p>` : html`<table>
<thead><tr><th>Endpoint</th><th>State</th><th class="num">Score</th><th class="num">Success (1 h)</th><th class="num">p50</th><th class="num">p99</th><th>Components</th><th>Health</th></tr></thead>
<tbody>
${p.endpoints.map((e) => html`<tr data-endpoint="${e.id}"><td>${e.name}${e.service ? html`<br><span class="muted">${e.service}${e.region ? ` · ${e.region}` : ''}</span>` : ''}</td><td>${stateBadge(shownState(e, { providerId: p.id, endpointId: e.id }, p.maintenance, now))}</td>
<td class="num">${e.lastSeen === null ? '–' : e.score.score.toFixed(0)}</td><td class="num">${percent(e.successRatio)}</td><td class="num">${ms(e.p50Ms)}</td><td class="num">${ms(e.p99Ms)}</td>
<td>${Object.values(e.checks).map((c) => html`<span class="comp comp-${c.status}" title="${c.output ?? ''}">${c.measurement === 'certificateExpiry' ? 'certificate' : c.component} ${c.observedValue === null ? '' : c.observedUnit === 'ms' ? ms(c.observedValue) : c.observedUnit === 'd' ? `${c.observedValue} d left` : `${round(c.observedValue)} ${c.observedUnit}`}</span> `)}</td>
<td><a href="/api/v1/endpoints/${encodeURIComponent(e.id)}/health">JSON</a></td></tr>`)}
</tbody></table>`}
</section>
<section id="affected">
<h2>${p.affected.zones || p.affected.clusters ? 'Affected hosts, zones and clusters' : 'Affected hosts, processes and resolvers'}</h2>
${affectedTable(p)}
</section>
<section id="score">
<h2>Reliability score</h2>
<p class="muted">${p.score.formula}</p>
${p.score.components.length === 0 ? html`<p class="muted">No data yet.</p>` : html`<table>
<thead><tr><th>Component</th><th class="num">Value</th><th class="num">Weight</th><th class="num">Points</th><th>Detail</th></tr></thead>
<tbody>${p.score.components.map((c) => html`<tr><td>${c.name}</td><td class="num">${c.value.toFixed(3)}</td><td class="num">${c.weight.toFixed(2)}</td><td class="num">${c.points.toFixed(1)}</td><td>${c.detail}</td></tr>`)}</tbody></table>`}
${p.slos.length ? html`<h3>SLOs</h3><table><thead><tr><th>SLO</th><th class="num">Objective</th><th class="num">Window</th><th class="num">Attained</th><th>Budget left</th><th>Burn rates</th></tr></thead>
<tbody>${p.slos.map((s) => html`<tr><td>${s.slo}${s.thresholdMs !== undefined ? html` <span class="muted">(under ${ms(s.thresholdMs)})</span>` : ''}<br><span class="muted">${'timedCalls' in s.signals ? `${s.signals.timedCalls} timed calls` : `${s.signals.connects} connects, ${s.signals.checkRuns} check runs`}</span></td><td class="num">${percent(s.objective, 2)}</td><td class="num">${(s.windowMs / 86_400_000).toFixed(0)} d</td><td class="num">${percent(s.attained, 3)}</td><td>${budgetBar(s.budgetRemaining, s.budgetSpent)}</td>
<td>${Object.entries(s.burnRates).map(([w, v]) => html`<span class="burn">${w}: ${v === null ? '–' : v.toFixed(2)}</span> `)}</td></tr>`)}</tbody></table>` : ''}
</section>
<section id="timeline">
<h2>Incidents</h2>
${p.incidents.length === 0 ? html`<p class="muted">No incidents.</p>` : p.incidents.map((i) => incidentTimeline(i, now))}
</section>
<section id="maintenance">
<h2>Maintenance windows</h2>
${p.maintenance.length === 0 ? html`<p class="muted">None scheduled.</p>` : html`<ul>${p.maintenance.map((w) => html`<li>${shortTime(w.startsAt)} → ${shortTime(w.endsAt)}: ${w.reason} <span class="muted">(${w.createdBy})</span></li>`)}</ul>`}
</section>
<p><a href="/api/v1/providers/${encodeURIComponent(p.id)}">This provider as JSON</a></p>`;
  return renderPage({ title: p.name, section: 'provider', monitoring, body, charts: hasChart });
}

function affectedTable(p: ProviderDetail): SafeHtml {
  const rows: [string, BreakdownEntry][] = [
    ...p.affected.hosts.map((e): [string, BreakdownEntry] => ['host', e]),
    ...(p.affected.zones ?? []).map((e): [string, BreakdownEntry] => ['zone', e]),
    ...(p.affected.clusters ?? []).map((e): [string, BreakdownEntry] => ['cluster', e]),
    ...p.affected.processes.map((e): [string, BreakdownEntry] => ['process', e]),
    ...p.affected.resolvers.map((e): [string, BreakdownEntry] => ['resolver', e]),
  ];
  if (rows.length === 0) return html`<p class="muted">No breakdown yet (needs live capture).</p>`;
  return html`<table>
<thead><tr><th>Kind</th><th>Name</th><th class="num">Failed</th><th class="num">Of</th><th class="num">Failure ratio (5 min)</th></tr></thead>
<tbody>${rows.map(([kind, e]) => html`<tr><td>${kind}</td><td>${e.value}</td><td class="num">${e.failed}</td><td class="num">${e.total}</td><td class="num">${percent(e.failureRatio)}</td></tr>`)}</tbody></table>`;
}

function round(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3).replace(/\.?0+$/, '');
}
