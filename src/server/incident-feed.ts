// The incident history as an Atom feed (RFC 4287), for feed readers and chat integrations: one
// entry per incident, updated when it changes, its text the timeline. Every string is escaped.
import { escapeHtml } from './html.js';
import type { Incident } from '../health/alerts/incident.js';
import { durationText } from './pages/incident-timeline.js';

export interface FeedOptions {
  /** Absolute base URL of the agent ("http://host:port"), from the request. */
  base: string;
  /** Path of the feed itself and of the page it mirrors. */
  selfPath: string;
  pagePath: string;
  title: string;
  now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** When an incident last changed: its latest timeline entry, note or resolution. */
function updatedAt(i: Incident): number {
  return Math.max(i.openedAt, i.resolvedAt ?? 0, ...i.timeline.map((e) => e.at), ...i.notes.map((n) => n.at));
}

export function incidentFeed(incidents: readonly Incident[], o: FeedOptions): string {
  const x = escapeHtml;
  const updated = incidents.length ? Math.max(...incidents.map(updatedAt)) : o.now;
  const entries = incidents.map((i) => {
    const lines = [
      `${i.state === 'open' ? 'Open' : 'Resolved'} · ${i.severity} · ${i.providerId} · ${durationText((i.resolvedAt ?? o.now) - i.openedAt)}${i.resolvedAt === null ? ' so far' : ''}`,
      ...(i.attribution ? [`Attribution: ${i.attribution.scope}${i.attribution.targets.length ? ` (${i.attribution.targets.join(', ')})` : ''}: ${i.attribution.reason}`] : []),
      ...[...i.timeline].sort((a, b) => a.at - b.at).map((e) => `${iso(e.at)} ${e.kind.replace('_', ' ')}: ${e.text}`),
    ];
    return `<entry><id>urn:egresswatch:incident:${x(i.id)}</id><title type="text">${x(`[${i.state}] ${i.title} (${i.providerId})`)}</title>`
      + `<published>${iso(i.openedAt)}</published><updated>${iso(updatedAt(i))}</updated>`
      + `<link rel="alternate" type="text/html" href="${x(`${o.base}${o.pagePath}#incident-${encodeURIComponent(i.id)}`)}"/>`
      + `<category term="${x(i.severity)}"/><content type="text">${x(lines.join('\n'))}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${x(`${o.base}${o.selfPath}`)}</id><title type="text">${x(o.title)}</title>`
    + `<updated>${iso(updated)}</updated><author><name>egresswatch</name></author>`
    + `<link rel="self" type="application/atom+xml" href="${x(`${o.base}${o.selfPath}`)}"/><link rel="alternate" type="text/html" href="${x(`${o.base}${o.pagePath}`)}"/>`
    + `${entries.join('')}</feed>\n`;
}
