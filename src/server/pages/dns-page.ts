// GET /dns: resolvers with health, latency and rcode mix, and charts of the busiest over the last
// hour and day; current findings (conntrack race, ndots amplification, upstream failure…) with
// their evidence and the suggested fix.
import type { DnsFinding, DnsSnapshot, ResolverHealth } from '../../dns/types.js';
import { html, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';
import { ms, percent, stateBadge, type ShownState } from './components.js';
import { renderPage, shortTime } from './layout.js';
import { resolverCharts } from './resolver-charts.js';

/** A resolver's state from its own figures: timeouts and SERVFAIL/REFUSED answers. */
export function resolverState(r: ResolverHealth): ShownState {
  if (r.queries === 0) return 'unknown';
  const bad = r.timeouts + (r.rcodes.SERVFAIL ?? 0) + (r.rcodes.REFUSED ?? 0);
  const ratio = bad / r.queries;
  if (r.answered === 0) return 'major_outage';
  if (ratio >= 0.2) return 'partial_outage';
  if (ratio >= 0.01) return 'degraded';
  return 'operational';
}

export function renderDnsPage(snapshot: DnsSnapshot | undefined, monitoring: MonitoringStatus): SafeHtml {
  const resolvers = snapshot?.resolvers ?? [];
  const findings = [...(snapshot?.findings ?? [])].sort((a, b) => sevRank(b.severity) - sevRank(a.severity) || b.lastSeenMs - a.lastSeenMs);
  const body = html`<h1>DNS</h1>
${snapshot ? html`<p class="muted">${snapshot.transactions} transactions analysed (${snapshot.answered} answered, ${snapshot.timeouts} timed out, ${snapshot.pending} pending)${snapshot.lastEventMs !== null ? ` · last event ${shortTime(snapshot.lastEventMs)}` : ''}</p>` : html`<p class="muted">DNS analysis is not running: it needs live capture${monitoring.capture.state !== 'live' ? html` (${monitoring.capture.detail})` : ''}.</p>`}
<section id="findings">
<h2>Findings</h2>
${findings.length === 0 ? html`<p class="muted">No current findings.</p>` : findings.map(finding)}
</section>
<section id="resolvers">
<h2>Resolvers</h2>
${resolvers.length === 0 ? html`<p class="muted">No resolver seen yet${monitoring.resolvers.length ? html` (the host uses: ${monitoring.resolvers.join(', ')})` : ''}.</p>` : html`<table>
<thead><tr><th>Resolver</th><th>State</th><th class="num">Queries</th><th class="num">Timeouts</th><th class="num">p50</th><th class="num">p99</th><th class="num">Clients</th><th>Rcodes</th></tr></thead>
<tbody>
${resolvers.map(resolverRow)}
</tbody></table>`}
</section>
${snapshot ? resolverCharts(snapshot.history, snapshot.lastEventMs ?? Date.now()) : ''}
${snapshot && snapshot.recentProblems.length ? html`<section id="problems"><h2>Recent failed or stalled queries</h2><table>
<thead><tr><th>Time</th><th>Name</th><th>Type</th><th>Resolver</th><th>Outcome</th><th>Process</th></tr></thead>
<tbody>${snapshot.recentProblems.slice(-50).reverse().map((t) => html`<tr><td>${shortTime(t.ts)}</td><td class="qname">${t.qname}</td><td>${t.qtype}</td><td>${t.server}</td><td>${t.outcome === 'answered' ? t.rcode ?? 'answered' : t.outcome}${t.stalled ? ' (stalled)' : ''}</td><td>${t.comm ?? ''}${t.pid !== undefined ? `[${t.pid}]` : ''}</td></tr>`)}</tbody></table></section>` : ''}
${snapshot && snapshot.names.length ? html`<section id="names"><h2>Names</h2><table>
<thead><tr><th>Name</th><th>Process</th><th class="num">Queries</th><th class="num">Failures</th><th class="num">Timeouts</th><th class="num">Mean latency</th></tr></thead>
<tbody>${snapshot.names.map((n) => html`<tr><td class="qname">${n.name}</td><td>${n.process}</td><td class="num">${n.queries}</td><td class="num">${n.failures}</td><td class="num">${n.timeouts}</td><td class="num">${ms(n.meanLatencyMs)}</td></tr>`)}</tbody></table></section>` : ''}`;
  return renderPage({ title: 'DNS', section: 'dns', monitoring, body, charts: (snapshot?.history.length ?? 0) > 0 });
}

function sevRank(s: DnsFinding['severity']): number {
  return s === 'critical' ? 2 : s === 'warning' ? 1 : 0;
}

function resolverRow(r: ResolverHealth): SafeHtml {
  const answered = Object.values(r.rcodes).reduce((a, b) => a + b, 0);
  const mix = Object.entries(r.rcodes).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return html`<tr data-resolver="${r.server}"><td>${r.server} <span class="muted">${r.role}</span></td><td>${stateBadge(resolverState(r))}</td>
<td class="num">${r.queries}</td><td class="num">${r.timeouts} <span class="muted">(${percent(r.queries ? r.timeouts / r.queries : null, 1)})</span></td>
<td class="num">${ms(r.latencyMs.p50)}</td><td class="num">${ms(r.latencyMs.p99)}</td><td class="num">${r.clients}</td>
<td>${mix.map(([code, n]) => html`<span class="rcode rcode-${code === 'NOERROR' ? 'ok' : code === 'NXDOMAIN' ? 'nx' : 'bad'}">${code} ${percent(answered ? n / answered : null, 1)}</span> `)}</td></tr>
`;
}

/** Evidence values are kind-specific: numbers and strings shown as they are, anything else as JSON. */
function evidenceText(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function finding(f: DnsFinding): SafeHtml {
  return html`<article class="finding sev-${f.severity}" data-kind="${f.kind}">
<h3>${f.summary} <span class="muted">${f.kind.replace(/_/g, ' ')} · ${f.severity}</span></h3>
<p class="muted">${f.count} occurrences · since ${shortTime(f.firstSeenMs)} · last ${shortTime(f.lastSeenMs)}${f.resolver ? html` · resolver ${f.resolver}` : ''}${f.zone ? html` · zone ${f.zone}` : ''}</p>
<h4>Evidence</h4>
<ul class="evidence">
${f.name ? html`<li>name: <span class="qname">${f.name}</span></li>` : ''}
${f.clients.length ? html`<li>clients: ${f.clients.join(', ')}</li>` : ''}
${f.processes.length ? html`<li>processes: ${f.processes.join(', ')}</li>` : ''}
${Object.entries(f.evidence).map(([k, v]) => html`<li>${k}: ${evidenceText(v)}</li>`)}
</ul>
<h4>Suggested fix</h4>
${f.mitigations && f.mitigations.length ? html`<ul class="fix">${f.mitigations.map((m) => html`<li>${m}</li>`)}</ul>` : html`<p class="muted">No known remedy; the evidence above shows where to look.</p>`}
</article>`;
}
