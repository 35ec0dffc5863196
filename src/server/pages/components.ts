// Pieces shared by the pages: state badges, 90-day uptime bars with hover figures, latency
// sparklines as inline SVG (no JavaScript needed), percentages and durations.
import { escapeHtml, html, trusted, type SafeHtml } from '../html.js';
import type { DayUptime, HealthState, SeriesPoint } from '../../health/snapshot/health-snapshot.js';
import { maintenanceCovers, type MaintenanceWindow, type SuppressionTarget } from '../../health/alerts/suppression.js';

/** A state as shown: the engine's, or no data yet, or under a maintenance window. */
export type ShownState = HealthState | 'unknown' | 'maintenance';

const STATE_LABEL: Record<ShownState, string> = {
  operational: 'Operational',
  degraded: 'Degraded',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  maintenance: 'Maintenance',
  unknown: 'No data',
};

export function stateBadge(state: ShownState): SafeHtml {
  return html`<span class="state state-${state}">${STATE_LABEL[state]}</span>`;
}

export function stateLabel(state: ShownState): string {
  return STATE_LABEL[state];
}

export function percent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  // Two significant digits under 1 ms: a loopback or same-rack handshake of 0.04 ms is not "0.0 ms".
  if (value > 0 && value < 1) return value < 0.01 ? '<0.01 ms' : `${value.toPrecision(2).replace(/0+$/, '')} ms`;
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}

function barClass(day: DayUptime): string {
  if (day.uptimePct === null) return day.maintenance ? 'b-maint' : 'b-none';
  if (day.uptimePct >= 99.9) return 'b-ok';
  if (day.uptimePct >= 99) return 'b-warn';
  return 'b-bad';
}

const BAR_W = 5;
const BAR_H = 24;

/**
 * 90 bars, one per day, newest right; each rect's <title> is the hover text, and a day with
 * incidents links to that day's incident history. Built by plain
 * concatenation because the home page draws hundreds of these; the text still goes through
 * escapeHtml like everything else.
 */
export function uptimeBars(days: readonly DayUptime[], providerId: string, slots = 90): SafeHtml {
  const offset = Math.max(0, slots - days.length);
  let out = `<svg class="bars" viewBox="0 0 ${slots * BAR_W} ${BAR_H}" width="${slots * BAR_W}" height="${BAR_H}" role="img" aria-label="daily uptime, last ${slots} days">`;
  for (let i = 0; i < offset; i++) out += `<rect x="${i * BAR_W}" width="${BAR_W - 1}" height="${BAR_H}" class="b-empty"/>`;
  const shown = days.length > slots ? days.slice(days.length - slots) : days;
  for (let i = 0; i < shown.length; i++) {
    const d = shown[i];
    const figures = d.uptimePct === null
      ? `${d.day}: no data${d.maintenance ? ', maintenance' : ''}`
      : `${d.day}: ${d.uptimePct.toFixed(3)}% up, ${d.failed} failed of ${d.total}${d.p50Ms !== null ? `, median ${ms(d.p50Ms)}` : ''}${d.p99Ms !== null ? `, p99 ${ms(d.p99Ms)}` : ''}${d.incidents ? `, ${d.incidents} incident${d.incidents > 1 ? 's' : ''}` : ''}${d.maintenance ? ', maintenance' : ''}`;
    const bar = `<rect x="${(offset + i) * BAR_W}" width="${BAR_W - 1}" height="${BAR_H}" class="${barClass(d)}"><title>${escapeHtml(figures)}</title></rect>`;
    // A day with incidents links to them.
    out += d.incidents ? `<a href="/incidents?provider=${escapeHtml(encodeURIComponent(providerId))}&amp;day=${d.day}">${bar}</a>` : bar;
  }
  return trusted(out + '</svg>');
}

/** A latency sparkline as an SVG polyline scaled to its own maximum; gaps break the line. */
export function sparkline(values: readonly (number | null)[], width = 120, height = 24): SafeHtml {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return html`<span class="muted">no data</span>`;
  const max = Math.max(...finite) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  let paths = '';
  let current = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current) paths += `<polyline points="${current.trim()}"/>`;
      current = '';
      return;
    }
    current += `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)} `;
  });
  if (current) paths += `<polyline points="${current.trim()}"/>`;
  const last = finite[finite.length - 1];
  return trusted(`<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="latency, latest ${escapeHtml(ms(last))}"><title>latest ${escapeHtml(ms(last))}, max ${escapeHtml(ms(max))}</title>${paths}</svg>`);
}

/** The error budget left as a bar and a figure; negative means overspent. */
/** The error budget left, never below 0 %: a spent budget reads "exhausted" and how many times over. */
export function budgetBar(remaining: number | null, spent: number | null = null): SafeHtml {
  if (remaining === null) return html`<span class="muted">–</span>`;
  const clamped = Math.max(0, Math.min(1, remaining));
  const exhausted = remaining <= 0 || (spent !== null && spent >= 1);
  const cls = exhausted ? 'bad' : remaining < 0.25 ? 'warn' : 'ok';
  const text = exhausted ? `exhausted${spent !== null ? ` (spent ${spent >= 10 ? spent.toFixed(0) : spent.toFixed(1)}×)` : ''}` : percent(remaining, 1);
  return html`<span class="budget"><svg class="budget-bar" viewBox="0 0 60 8" width="60" height="8"><rect width="60" height="8" class="budget-bg"/><rect width="${(clamped * 60).toFixed(1)}" height="8" class="budget-${cls}"/></svg> ${text}</span>`;
}

/**
 * The state a row shows: maintenance while a window covers it (the engine's rule: the provider, or
 * the endpoint, or everything), "no data" before any observation.
 */
export function shownState(item: { state: HealthState; lastSeen: number | null }, target: SuppressionTarget, windows: readonly MaintenanceWindow[], now: number): ShownState {
  if (windows.some((w) => maintenanceCovers(w, target, now))) return 'maintenance';
  if (item.lastSeen === null) return 'unknown';
  return item.state;
}

/** Median latency points for a sparkline. */
export function p50Values(points: readonly SeriesPoint[]): (number | null)[] {
  return points.map((p) => p.p50Ms);
}

/**
 * The hour's median latency of successful calls as a sparkline with its latest value, so it reads
 * without hovering (failed calls say how long the failure took, not how fast the provider is).
 */
export function latencySparkline(points: readonly SeriesPoint[]): SafeHtml {
  const values = p50Values(points);
  const last = [...values].reverse().find((v) => v !== null);
  if (last === undefined) return html`<span class="latest muted">no successful call timed in the last hour</span>`;
  // The sparkline's scale runs from 0 to the hour's highest median: said in words beside it.
  const max = Math.max(...values.filter((v): v is number => v !== null));
  return html`${sparkline(values)} <span class="latest">p50 ${ms(last)} <span class="muted">(scale 0–${ms(max)})</span></span>`;
}
