// An incident as the pages show it: its title, state and duration, attribution, and the timeline
// with operators' notes (provider page, incident history).
import { html, type SafeHtml } from '../html.js';
import type { Incident } from '../../health/alerts/incident.js';
import { isoTime, shortTime } from './layout.js';

/** "35 s", "4 min", "2 h 05 min", "3 d 4 h". */
export function durationText(msLong: number): string {
  const s = Math.max(0, Math.round(msLong / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** An incident as an article: title, state, duration, attribution, then its timeline with the notes. */
export function incidentTimeline(i: Incident, now: number): SafeHtml {
  // Notes are also in the timeline (the store appends them there); show each entry once, by time.
  const entries = [...i.timeline].sort((a, b) => a.at - b.at);
  const noted = new Set(entries.filter((e) => e.kind === 'note').map((e) => `${e.at}|${e.text}`));
  const notes = i.notes.filter((n) => !noted.has(`${n.at}|${n.text}`) && !entries.some((e) => e.kind === 'note' && e.at === n.at));
  return html`<article class="incident sev-${i.severity}" id="incident-${i.id}">
<h3>${i.title} <span class="muted">${i.state} · ${i.severity} · ${durationText((i.resolvedAt ?? now) - i.openedAt)}${i.resolvedAt === null ? ' so far' : ''} · ${i.id}</span></h3>
${i.attribution ? html`<p>Attribution: <em>${i.attribution.scope}</em>${i.attribution.targets.length ? html` (${i.attribution.targets.join(', ')})` : ''}: ${i.attribution.reason}</p>` : ''}
<ol class="timeline">${entries.map((e) => html`<li class="entry-${e.kind}"><time datetime="${isoTime(e.at)}">${shortTime(e.at)}</time> <strong>${e.kind.replace('_', ' ')}</strong> ${e.text}</li>`)}
${notes.map((n) => html`<li class="entry-note"><time datetime="${isoTime(n.at)}">${shortTime(n.at)}</time> <strong>note</strong> ${n.text} <span class="muted">(${n.author})</span></li>`)}</ol>
</article>`;
}
