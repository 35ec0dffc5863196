// Status badges to embed in a README or a wiki, in the flat style of shields.io: a grey label and
// a coloured message, as SVG. Text is escaped like every page; widths come from a per-character
// estimate of Verdana 11 px, so no font file is needed.
import { escapeHtml } from './html.js';
import type { DayUptime, HealthState } from '../health/snapshot/health-snapshot.js';

/** shields.io's colours. */
const COLORS = { green: '#4c1', yellowgreen: '#a4a61d', yellow: '#dfb317', orange: '#fe7d37', red: '#e05d44', grey: '#9f9f9f' } as const;
type BadgeColor = keyof typeof COLORS;

const STATE: Record<HealthState, { text: string; color: BadgeColor }> = {
  operational: { text: 'operational', color: 'green' },
  degraded: { text: 'degraded', color: 'yellow' },
  partial_outage: { text: 'partial outage', color: 'orange' },
  major_outage: { text: 'major outage', color: 'red' },
};

/** Approximate width in px of text in Verdana 11 px: narrow, wide and average characters. */
function textWidth(text: string): number {
  let w = 0;
  for (const c of text) w += /[ilI.,:;'|!]/.test(c) ? 3.5 : /[mwMW@%]/.test(c) ? 10 : /[A-Z0-9]/.test(c) ? 7.5 : 6.5;
  return Math.ceil(w);
}

/** A flat badge: `label` on grey, `message` on `color`. */
export function badgeSvg(label: string, message: string, color: BadgeColor): string {
  const lw = textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  const l = escapeHtml(label);
  const m = escapeHtml(message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}"><title>${l}: ${m}</title>`
    + `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`
    + `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`
    + `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${COLORS[color]}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`
    + `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`
    + `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>`
    + `<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${m}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`;
}

/** The state badge of a provider (unknown provider or no data: grey). */
export function stateBadgeSvg(name: string, state: HealthState | undefined): string {
  const s = state ? STATE[state] : { text: 'no data', color: 'grey' as const };
  return badgeSvg(name, s.text, s.color);
}

/** The uptime badge over the last `days` days of `uptime` (successful calls over all calls). */
export function uptimeBadgeSvg(name: string, uptime: readonly DayUptime[], days: number): string {
  const window = uptime.slice(-days);
  const total = window.reduce((n, d) => n + d.total, 0);
  const failed = window.reduce((n, d) => n + d.failed, 0);
  const label = `${name} uptime ${days}d`;
  if (total === 0) return badgeSvg(label, 'no data', 'grey');
  const pct = ((total - failed) / total) * 100;
  const color: BadgeColor = pct >= 99.9 ? 'green' : pct >= 99 ? 'yellowgreen' : pct >= 95 ? 'yellow' : pct >= 90 ? 'orange' : 'red';
  // Never round up to 100 %: 99.996 % is shown as 99.99 %.
  const shown = pct === 100 ? '100%' : `${(Math.floor(pct * 100) / 100).toFixed(2)}%`;
  return badgeSvg(label, shown, color);
}
