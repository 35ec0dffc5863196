// The DNS page's charts: for each of the busiest resolvers, its rates (queries, NXDOMAIN, SERVFAIL,
// timeouts per second) and latency (p50, p99) over the last hour (per minute) and the last day
// (per ten minutes). Drawn by charts.js from the JSON embedded here; a table of the last hour
// stands in without JavaScript.
import type { ResolverHistorySeries, ResolverMinute } from '../../dns/types.js';
import { html, jsonForScript, type SafeHtml } from '../html.js';

const MINUTE = 60_000;
const CHARTED = 4;

interface ChartData {
  times: number[];
  series: Array<{ label: string; values: Array<number | null> }>;
}

/** Minutes summed into `stepMs` buckets (latency: the bucket's worst p50 and p99). */
function buckets(minutes: readonly ResolverMinute[], stepMs: number): ResolverMinute[] {
  if (stepMs === MINUTE) return [...minutes];
  const out = new Map<number, ResolverMinute>();
  for (const m of minutes) {
    const t = m.t - (m.t % stepMs);
    const b = out.get(t);
    if (!b) out.set(t, { ...m, t });
    else {
      for (const k of ['queries', 'answered', 'timeouts', 'nxdomain', 'servfail', 'refused'] as const) b[k] += m[k];
      b.p50Ms = Math.max(b.p50Ms ?? 0, m.p50Ms ?? 0) || null;
      b.p99Ms = Math.max(b.p99Ms ?? 0, m.p99Ms ?? 0) || null;
    }
  }
  return [...out.values()];
}

/** Per-second rates; the bucket still filling is divided by the time it has covered, not its whole span. */
function rates(ms: readonly ResolverMinute[], stepMs: number, now: number): ChartData {
  const seconds = (m: ResolverMinute) => Math.max(1, Math.min(stepMs, now - m.t)) / 1000;
  const per = (k: 'queries' | 'nxdomain' | 'servfail' | 'timeouts') => ms.map((m) => Math.round((m[k] / seconds(m)) * 100) / 100);
  return { times: ms.map((m) => m.t / 1000), series: [{ label: 'queries/s', values: per('queries') }, { label: 'NXDOMAIN/s', values: per('nxdomain') }, { label: 'SERVFAIL/s', values: per('servfail') }, { label: 'timeouts/s', values: per('timeouts') }] };
}

function latency(ms: readonly ResolverMinute[]): ChartData {
  return { times: ms.map((m) => m.t / 1000), series: [{ label: 'p50', values: ms.map((m) => m.p50Ms) }, { label: 'p99', values: ms.map((m) => m.p99Ms) }] };
}

function chart(id: string, title: string, unit: string, data: ChartData): SafeHtml {
  return html`<figure class="resolver-chart"><figcaption>${title}</figcaption><div class="chart" data-chart="${id}" data-unit="${unit}"></div>
<script type="application/json" id="${id}">${jsonForScript(data)}</script></figure>`;
}

export function resolverCharts(history: readonly ResolverHistorySeries[], now: number): SafeHtml {
  const shown = history.slice(0, CHARTED);
  if (shown.length === 0) return html``;
  return html`<section id="resolver-charts"><h2>Resolvers over time</h2>
${shown.map((r, i) => {
    const hour = r.minutes.filter((m) => m.t >= now - 60 * MINUTE);
    const day = buckets(r.minutes, 10 * MINUTE);
    const last = hour[hour.length - 1];
    return html`<h3>${r.server}</h3>
<p class="muted">Latest minute: ${last ? `${last.queries} queries, ${last.nxdomain} NXDOMAIN, ${last.servfail} SERVFAIL, ${last.timeouts} timeouts, p50 ${last.p50Ms?.toFixed(1) ?? '–'} ms, p99 ${last.p99Ms?.toFixed(1) ?? '–'} ms` : 'no queries in the last hour'}</p>
<div class="chart-pair">${chart(`rh-rate-${i}`, 'Last hour, per minute', '/s', rates(hour, MINUTE, now))}${chart(`rh-lat-${i}`, 'Last hour, latency', 'ms', latency(hour))}</div>
<div class="chart-pair">${chart(`rd-rate-${i}`, 'Last day, per 10 minutes', '/s', rates(day, 10 * MINUTE, now))}${chart(`rd-lat-${i}`, 'Last day, latency (worst of 10 minutes)', 'ms', latency(day))}</div>`;
  })}
</section>`;
}
