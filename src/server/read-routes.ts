// The read-only routes: the HTML pages, the JSON API, the health+json documents, /metrics,
// /healthz and the static assets.
import { endpointHealth, healthHttpStatus, HEALTH_CONTENT_TYPE, type HealthCheckEntry, type HealthStatus } from './endpoint-health.js';
import type { MetricsExporter } from './metrics.js';
import { renderDnsPage } from './pages/dns-page.js';
import { renderErrorPage } from './pages/error-page.js';
import { renderProviderPage } from './pages/provider-page.js';
import { acceptsGzip } from './accept-encoding.js';
import { parseListDays } from './provider-list.js';
import type { SnapshotViews } from './snapshot-views.js';
import { apiError, htmlReply, jsonReply, textReply } from './reply.js';
import { stateBadgeSvg, uptimeBadgeSvg } from './badges.js';
import { incidentFeed } from './incident-feed.js';
import { renderIncidentsPage } from './pages/incidents-page.js';
import type { Router } from './router.js';
import type { StaticAssets } from './static-assets.js';
import type { ServerSources } from './status-sources.js';
import { maintenanceConcerns } from '../health/alerts/suppression.js';
import type { ProviderDetail } from '../health/snapshot/health-snapshot.js';

export interface ReadRouteDeps {
  sources: ServerSources;
  metrics: MetricsExporter;
  assets: StaticAssets;
  /** Per-snapshot renders (provider table, provider list), prepared when a snapshot is published. */
  views: SnapshotViews;
}

export function addReadRoutes(router: Router, { sources, metrics, assets, views }: ReadRouteDeps): void {
  const { store } = sources;

  // The provider table and the provider list change only with the snapshot (and maintenance):
  // kept per snapshot (views) so a page view costs no render, only the page around the table.

  router.add('GET', '/', async ({ req }) => {
    const parts = await views.statusPage();
    const headers = { 'content-type': 'text/html; charset=utf-8', vary: 'accept-encoding' };
    // Most of the page is 90 bars per provider: browsers get it compressed (prepared by warm()).
    const gz = acceptsGzip(req.headers['accept-encoding']) ? views.gzippedPage(parts) : undefined;
    if (gz) return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: gz };
    return { status: 200, headers, body: [parts.head, parts.table.bytes, parts.tail] };
  });
  router.add('GET', '/providers/{id}', async ({ params }) => {
    const provider = await providerWithLatest(sources, params.id);
    if (!provider) return htmlReply(renderErrorPage('Provider not found', `No provider with id "${params.id}" in the latest snapshot.`, sources.monitoring()), 404);
    return htmlReply(renderProviderPage(provider, sources.monitoring(), sources.now()));
  });
  router.add('GET', '/dns', () => htmlReply(renderDnsPage(sources.dns(), sources.monitoring())));

  router.add('GET', '/api/v1/providers', async ({ url }) => {
    const days = parseListDays(url.searchParams.get('days'));
    if (typeof days === 'string') return apiError(400, 'bad_request', days);
    const snapshot = await store.getSnapshot();
    // The summaries are listed (a copy of every provider) only when the body is not prepared yet.
    const providers = views.hasList(snapshot, snapshot?.at, days) ? [] : await store.listProviders();
    const body = views.list(snapshot, snapshot?.at, () => providers, days);
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
  });
  router.add('GET', '/api/v1/providers/{id}', async ({ params }) => {
    const provider = await providerWithLatest(sources, params.id);
    return provider ? jsonReply(provider) : apiError(404, 'not_found', `no provider with id ${JSON.stringify(params.id)}`);
  });
  router.add('GET', '/api/v1/endpoints', async ({ url }) => {
    const provider = url.searchParams.get('provider');
    const endpoints = await store.listEndpoints();
    return jsonReply({ endpoints: provider === null ? endpoints : endpoints.filter((e) => e.providerId === provider) });
  });
  router.add('GET', '/api/v1/endpoints/{id}', async ({ params }) => {
    const endpoint = await store.getEndpoint(params.id);
    return endpoint ? jsonReply(endpoint) : apiError(404, 'not_found', `no endpoint with id ${JSON.stringify(params.id)}`);
  });
  router.add('GET', '/api/v1/endpoints/{id}/health', async ({ params }) => {
    const endpoint = await store.getEndpoint(params.id);
    if (!endpoint) return apiError(404, 'not_found', `no endpoint with id ${JSON.stringify(params.id)}`);
    const health = endpointHealth(endpoint, sources.monitoring().version);
    return { status: healthHttpStatus(health.status), headers: { 'content-type': HEALTH_CONTENT_TYPE }, body: JSON.stringify(health) };
  });
  router.add('GET', '/api/v1/incidents', async ({ url }) => {
    const state = url.searchParams.get('state');
    if (state !== null && state !== 'open' && state !== 'resolved') return apiError(400, 'bad_request', `state must be "open" or "resolved", got ${JSON.stringify(state)}`);
    const provider = url.searchParams.get('provider');
    return jsonReply({ incidents: await store.listIncidents({ ...(state ? { state } : {}), ...(provider ? { providerId: provider } : {}) }) });
  });
  router.add('GET', '/api/v1/incidents/{id}', async ({ params }) => {
    const incident = await store.getIncident(params.id);
    return incident ? jsonReply(incident) : apiError(404, 'not_found', `no incident with id ${JSON.stringify(params.id)}`);
  });
  router.add('GET', '/api/v1/maintenance', async () => jsonReply({ maintenance: await store.listMaintenance() }));
  router.add('GET', '/api/v1/silences', async () => jsonReply({ silences: await store.listSilences() }));
  router.add('GET', '/api/v1/dns/resolvers', () => {
    const snapshot = sources.dns();
    // The latency sketch is the analyzer's internal state (hundreds of buckets): the quantiles are in latencyMs.
    return jsonReply({ running: snapshot !== undefined, resolvers: (snapshot?.resolvers ?? []).map(({ latencySketch: _sketch, ...r }) => r) });
  });
  router.add('GET', '/api/v1/dns/findings', () => {
    const snapshot = sources.dns();
    return jsonReply({ running: snapshot !== undefined, findings: snapshot?.findings ?? [] });
  });

  router.add('GET', '/metrics', async () => textReply(await metrics.render(), 200, metrics.contentType));
  router.add('GET', '/healthz', () => {
    const m = sources.monitoring();
    const now = new Date(sources.now()).toISOString();
    const checks: Record<string, HealthCheckEntry[]> = {};
    let status: HealthStatus = 'pass';
    const rank: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
    for (const [name, stage] of Object.entries(m.stages)) {
      checks[name] = [{ componentId: name, componentType: 'component', observedValue: stage.status === 'pass' ? 1 : 0, observedUnit: 'up', status: stage.status, time: now, output: stage.detail }];
      if (rank[stage.status] > rank[status]) status = stage.status;
    }
    const body = { status, version: '1', releaseId: m.version, serviceId: 'egresswatch', description: 'egresswatch agent', checks, ...(m.notMonitored.length ? { notes: m.notMonitored } : {}) };
    return { status: healthHttpStatus(status), headers: { 'content-type': HEALTH_CONTENT_TYPE }, body: JSON.stringify(body) };
  });
  // Incident history: 90 days, newest first, as a page and as Atom feeds (all, or one provider's).
  const DAY_MS = 86_400_000;
  // The store answers newest first, those open at some point in [from, to).
  const history = (providerId?: string, from = sources.now() - 90 * DAY_MS, to?: number) => store.listIncidents({ from, ...(to !== undefined ? { to } : {}), ...(providerId ? { providerId } : {}) });
  router.add('GET', '/incidents', async ({ url }) => {
    const provider = url.searchParams.get('provider') ?? undefined;
    const day = url.searchParams.get('day') ?? undefined;
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) return apiError(400, 'bad_request', 'day must be YYYY-MM-DD');
    const dayStart = day === undefined ? undefined : Date.parse(`${day}T00:00:00Z`);
    const incidents = await (dayStart === undefined ? history(provider) : history(provider, dayStart, dayStart + DAY_MS));
    return htmlReply(renderIncidentsPage({ incidents, provider, day, now: sources.now() }, sources.monitoring()));
  });
  const feed = (body: string) => ({ status: 200, headers: { 'content-type': 'application/atom+xml; charset=utf-8' }, body });
  const baseOf = (host: string | undefined) => `http://${host ?? 'localhost'}`;
  router.add('GET', '/incidents.atom', async ({ req }) => feed(incidentFeed(await history(), { base: baseOf(req.headers.host), selfPath: '/incidents.atom', pagePath: '/incidents', title: 'egresswatch incidents', now: sources.now() })));
  router.add('GET', '/providers/{id}/incidents.atom', async ({ req, params }) => {
    const path = `/providers/${encodeURIComponent(params.id)}`;
    return feed(incidentFeed(await history(params.id), { base: baseOf(req.headers.host), selfPath: `${path}/incidents.atom`, pagePath: `/incidents?provider=${encodeURIComponent(params.id)}`, title: `egresswatch incidents: ${params.id}`, now: sources.now() }));
  });

  // Badges to embed elsewhere: cacheable for a minute, an unknown provider gets a grey badge (404).
  const badge = (svg: string, status = 200) => ({ status, headers: { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'public, max-age=60' }, body: svg });
  router.add('GET', '/badges/{id}/state.svg', async ({ params }) => {
    const p = await store.getProvider(params.id);
    return badge(stateBadgeSvg(p?.name ?? params.id, p?.state), p ? 200 : 404);
  });
  router.add('GET', '/badges/{id}/uptime.svg', async ({ params, url }) => {
    const days = Number(url.searchParams.get('days') ?? 30);
    if (!Number.isInteger(days) || days < 1 || days > 90) return apiError(400, 'bad_request', 'days must be a whole number from 1 to 90');
    const p = await store.getProvider(params.id);
    return badge(uptimeBadgeSvg(p?.name ?? params.id, p?.uptimeDays ?? [], days), p ? 200 : 404);
  });
  router.add('GET', '/assets/{name}', ({ params, req }) => assets.reply(params.name, req.headers['if-none-match']) ?? textReply('no such asset\n', 404));
}

/**
 * The provider from the latest snapshot, with its incidents and maintenance windows read from the
 * store now: a note or window added through the API shows at once, not after the next tick.
 */
async function providerWithLatest(sources: ServerSources, id: string): Promise<ProviderDetail | undefined> {
  const [provider, incidents, maintenance] = await Promise.all([sources.store.getProvider(id), sources.store.listIncidents({ providerId: id }), sources.store.listMaintenance()]);
  if (!provider) return undefined;
  return { ...provider, incidents, maintenance: maintenance.filter((w) => maintenanceConcerns(w, id)) };
}
