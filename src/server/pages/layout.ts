// The frame of every page: head with the stylesheet and chart script, navigation, and the banner
// that says what this agent cannot monitor (e.g. capture unavailable).
import { html, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';

export interface PageFrame {
  title: string;
  /** Which navigation entry is current. */
  section: 'status' | 'dns' | 'provider' | 'incidents';
  monitoring: MonitoringStatus;
  body: SafeHtml;
  /** Load uPlot and the chart script (pages with charts only). */
  charts?: boolean;
  /** The Atom feed of the page's incidents (default: every incident). */
  feed?: string;
}

export function renderPage(frame: PageFrame): SafeHtml {
  const m = frame.monitoring;
  const nav = (href: string, label: string, key: PageFrame['section']) => html`<a href="${href}"${frame.section === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · ${m.site?.title ?? 'egresswatch'}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/status.css">
<link rel="alternate" type="application/atom+xml" title="Incidents" href="${frame.feed ?? '/incidents.atom'}">
${frame.charts ? html`<link rel="stylesheet" href="/assets/uplot.min.css">
<script src="/assets/uplot.iife.min.js" defer></script>
<script src="/assets/charts.js" defer></script>` : ''}
</head>
<body>
<header class="top">
<span class="brand">${m.site?.logoUrl ? html`<img src="${m.site.logoUrl}" alt="" height="24"> ` : ''}${m.site?.title ?? 'egresswatch'}</span>
<nav>${nav('/', 'Providers', 'status')} ${nav('/incidents', 'Incidents', 'incidents')} ${nav('/dns', 'DNS', 'dns')}</nav>
<span class="meta">v${m.version} · up since <time datetime="${new Date(m.startedAt).toISOString()}">${shortTime(m.startedAt)}</time></span>
</header>
${monitoringBanner(m)}
<main>
${frame.body}
</main>
<footer>Server-rendered; charts need JavaScript, everything else works without it. JSON: <a href="/api/v1/providers">/api/v1/providers</a> · <a href="/metrics">/metrics</a></footer>
</body>
</html>
`;
}

function monitoringBanner(m: MonitoringStatus): SafeHtml {
  // A stage that cannot do its job (the store not writing) or works with less (shedding detail)
  // heads the banner: the figures below are still current, but the on-call engineer must know the
  // agent itself needs attention. Capture that is not live has its own line; live capture that
  // loses records is a fault like the others.
  const faults = Object.entries(m.stages).filter(([name, stage]) => stage.status !== 'pass' && name !== 'dns' && !(name === 'capture' && m.capture.state !== 'live'));
  if (m.capture.state === 'live' && m.notMonitored.length === 0 && faults.length === 0) return html``;
  return html`<section class="banner" id="monitoring-gaps" role="status">
${faults.map(([name, stage]) => html`<p class="agent-fault"><strong>${stage.status === 'fail' ? 'Agent fault' : 'Agent'} (${name}):</strong> ${stage.detail}</p>`)}
${m.capture.state === 'live' ? html`<strong>Note:</strong>` : html`<strong>Capture ${m.capture.state}:</strong> ${m.capture.detail}`}
${m.notMonitored.length ? html`<ul>${m.notMonitored.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
</section>`;
}

/** "2026-11-23 12:04:05 UTC" from ms since the epoch: to the second, with its timezone, unambiguous. */
export function shortTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The ISO form for <time datetime>. */
export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
