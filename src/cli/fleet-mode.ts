// `egresswatch run --fleet`: the status page, JSON API and health JSON of a whole fleet, computed
// from every agent's series in a Prometheus-compatible engine; no capture, checks or rollups of its
// own. The fleet snapshot is rebuilt every refresh interval and served from memory, so a page
// never waits on a query. Its incidents, their notes and maintenance windows are kept in a store
// of its own (the data directory), so a restart loses none of what operators wrote.
import { oneLine, EgressError } from '../errors.js';
import { fleetIncidentChanged, fleetIncidentId, mergeFleetIncident, resolvedFleetIncident } from '../fleet/fleet-incidents.js';
import { buildFleetView, type FleetSloSettings } from '../fleet/fleet-snapshot.js';
import type { FleetSettings } from '../fleet/fleet-settings.js';
import { PrometheusClient } from '../fleet/prometheus-client.js';
import type { HostIdentity } from '../identity.js';
import type { Incident } from '../health/alerts/incident.js';
import { StatusServer, type ListenAddress } from '../server/http-server.js';
import { MetricsExporter } from '../server/metrics.js';
import type { ServerSettings } from '../server/server-settings.js';
import type { MonitoringStatus, ServerSources } from '../server/status-sources.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { maintenanceConcerns } from '../health/alerts/suppression.js';
import type { RunLog } from './run-log.js';

export interface FleetModeOptions {
  fleet: FleetSettings & { prometheusUrl: string };
  /** Where incidents, notes and maintenance windows are kept. */
  dataDir: string;
  /** The SLOs and burn-rate windows shown per provider (the configuration's, as on the agents). */
  slos: FleetSloSettings;
  server: ServerSettings;
  listen: ListenAddress;
  identity: HostIdentity;
  version: string;
  log: RunLog;
  signal: AbortSignal;
  formatAddress: (a: ListenAddress) => string;
}

const DAY = 86_400_000;

export async function runFleetMode(opts: FleetModeOptions): Promise<number> {
  const { log, fleet } = opts;
  const status: MonitoringStatus = {
    startedAt: Date.now(), version: opts.version,
    capture: { state: 'off', detail: `fleet view: the agents capture; this instance reads ${fleet.prometheusUrl}` },
    notMonitored: [], checks: 0, resolvers: [],
    stages: { fleet: { status: 'warn', detail: `first query of ${fleet.prometheusUrl} under way` } },
    site: { title: opts.server.page.title, logoUrl: opts.server.page.logoUrl },
  };
  const store = new LowdbStore({ dir: opts.dataDir, onNotice: (line) => log.warn(line) });
  const opened = await store.open();
  for (const notice of opened.notices) log.warn(notice);
  status.stages.store = { status: 'pass', detail: store.description };
  const sources: ServerSources = { store, overview: { groups: opts.server.page.groups, hide: opts.server.page.hide }, dns: () => undefined, monitoring: () => status, now: Date.now };
  const metrics = new MetricsExporter({ sources, version: opts.version, identity: opts.identity, topN: opts.server.metricsTopN });
  const server = new StatusServer({ sources, metrics, token: opts.server.token, hosts: opts.server.hosts, limits: opts.server.limits, logoUrl: opts.server.page.logoUrl, onError: (line) => log.error(`status server: ${line}`) });
  let bound: ListenAddress;
  try {
    bound = await server.listen(opts.listen);
  } catch (err) {
    throw new EgressError('config', `cannot listen on ${opts.formatAddress(opts.listen)}: ${oneLine(err)}`);
  }
  const url = `http://${opts.formatAddress(bound)}/`;
  log.info(`fleet view: ${url} from ${fleet.prometheusUrl}, every ${fleet.refreshIntervalMs / 1000} s`, { url });
  log.info(`ready in ${Date.now() - status.startedAt} ms`, { url });

  const prom = new PrometheusClient(fleet.prometheusUrl);
  // Open incidents by their provider's key ("fleet-<provider>"), those of an earlier run included.
  const open = new Map<string, Incident>();
  for (const inc of await store.listIncidents()) if (inc.state === 'open' && inc.id.startsWith('fleet-')) open.set(`fleet-${inc.providerId}`, inc);
  let failing = false;
  const refresh = async () => {
    const t0 = performance.now();
    try {
      const view = await buildFleetView(prom, Date.now(), opts.slos);
      const maintenance = await store.listMaintenance();
      for (const p of view.snapshot.providers) p.maintenance = maintenance.filter((w) => maintenanceConcerns(w, p.id) && w.endsAt > view.snapshot.at - 7 * DAY);
      await store.putSnapshot(view.snapshot);
      const now = view.snapshot.at;
      for (const inc of view.incidents) {
        // An incident keeps its id, opening time, timeline and notes; a later one gets its own.
        const id = open.get(inc.id)?.id ?? fleetIncidentId(inc);
        const stored = await store.getIncident(id);
        const kept = mergeFleetIncident(inc, stored, id, now);
        open.set(inc.id, kept);
        if (fleetIncidentChanged(kept, stored)) await store.putIncident(kept);
      }
      for (const [key, inc] of open) {
        if (view.incidents.some((i) => i.id === key)) continue;
        open.delete(key);
        await store.putIncident(resolvedFleetIncident((await store.getIncident(inc.id)) ?? inc, now));
      }
      await server.warm();
      const ms = Math.round(performance.now() - t0);
      status.stages.fleet = { status: 'pass', detail: `${view.hosts.length} hosts, ${view.snapshot.providers.length} providers from ${fleet.prometheusUrl} (${prom.stats.queries} queries so far; this refresh ${ms} ms)` };
      if (failing) log.info(`fleet view: ${fleet.prometheusUrl} answers again`);
      failing = false;
    } catch (err) {
      status.stages.fleet = { status: 'fail', detail: `${fleet.prometheusUrl}: ${oneLine(err)}; the page shows the last view` };
      if (!failing) log.warn(`fleet view: querying ${fleet.prometheusUrl} failed (${oneLine(err)}); retrying every ${fleet.refreshIntervalMs / 1000} s`);
      failing = true;
    }
  };
  let running = refresh();
  const timer = setInterval(() => {
    running = running.then(refresh);
  }, fleet.refreshIntervalMs);

  await new Promise<void>((done) => (opts.signal.aborted ? done() : opts.signal.addEventListener('abort', () => done(), { once: true })));
  clearInterval(timer);
  await running;
  await server.close();
  await store.close();
  log.info(`stopped: fleet view (${prom.stats.queries} queries, ${prom.stats.failures} failed)`);
  return 0;
}
