// The HTML page for a missing provider or page: says what was not found, links back.
import { html, type SafeHtml } from '../html.js';
import type { MonitoringStatus } from '../status-sources.js';
import { renderPage } from './layout.js';

export function renderErrorPage(title: string, message: string, monitoring: MonitoringStatus): SafeHtml {
  return renderPage({ title, section: 'status', monitoring, body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the status page</a></p>` });
}
