// `egresswatch run`: the monitor. Wires every stage in one place: live capture (or a clear note
// that it is unavailable), DNS analysis, labelling, the reliability engine and embedded store, the
// check scheduler, and the status server with its JSON API and /metrics; then stops them in order.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckScheduler } from '../blackbox/scheduler.js';
import { checkPolicies } from '../blackbox/schedule-rate.js';
import { sections, type Config } from '../config/sections.js';
import type { DnsAnalyzer } from '../dns/dns-analyzer.js';
import { readResolvConf } from '../dns/resolv-conf.js';
import type { DnsSnapshot } from '../dns/types.js';
import { EgressError, UsageError, oneLine } from '../errors.js';
import { identityProblem, learnIdentity } from '../identity.js';
import type { CaptureEvent, ProbeResult } from '../events.js';
import { AlertingStage } from '../alert/alerting-stage.js';
import { createReliabilityEngine, type ReliabilityEngine } from '../health/reliability-engine.js';
import { dnsFindingInputOf } from '../health/dns-finding-input.js';
import { StatusServer, type ListenAddress } from '../server/http-server.js';
import { MetricsExporter } from '../server/metrics.js';
import type { OtlpMetricsExport } from '../server/otlp-export.js';
import { RemoteWriter } from '../server/remote-write.js';
import type { MonitoringStatus, ServerSources } from '../server/status-sources.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { AgentFaults } from './agent-faults.js';
import { captureLossLine, engineStage, storeStage } from './stage-lines.js';
import { LabelingStage } from '../external/labeling-stage.js';
import type { LabeledSink } from '../external/labeled-event.js';
import { parsePort, stringList, stringOpt } from './args.js';
import type { Command } from './command.js';
import { createRunLog, type LogFormat, type RunLog } from './run-log.js';

const VERSION = '0.1.0';
const DEFAULT_DATA_DIR = '.egresswatch';
/** The DNS snapshot is recomputed at most this often, however often pages are asked for. */
const DNS_SNAPSHOT_MAX_AGE_MS = 1000;
const SUMMARY_EVERY_MS = 60_000;
/** How long after the engine's first events the extra tick runs: the first results of a burst land together. */
const FIRST_RESULTS_TICK_MS = 250;
/** What live capture alone provides: said once when it is unavailable, and shown on the page. */
const CAPTURE_SIGNALS = [
  'passive DNS analysis (resolver health, rcodes, findings such as conntrack races and ndots amplification)',
  'outbound TCP connect success, latency, resets and retransmits per provider',
  'which hosts and processes are affected',
];

export const runCommand: Command = {
  name: 'run',
  summary: 'run the monitor: capture, DNS analysis, checks, store and status page',
  usage: `egresswatch run [--config FILE] [--listen ADDR] [--data DIR] [--host NAME] [--log-format text|json]

Starts live capture (eBPF; needs root), DNS analysis, the blackbox checks of the configuration,
the embedded store and the status page with its JSON API and Prometheus /metrics. Without
capture privileges it still runs the checks and the page, and says what is not monitored.
Stops cleanly on SIGTERM or SIGINT: the store is flushed and capture detached.
SIGHUP reloads the configuration file: checks are added, changed and removed without
restarting the others; a file that does not validate is rejected and the running one stays.

Options:
  --config FILE        YAML configuration (default: none; every section has working defaults)
  --listen ADDR        host:port of the status page (default 127.0.0.1:9797; port 0 picks one)
  --data DIR           data directory of the store (default: store.dir, else ./${DEFAULT_DATA_DIR};
                       the fleet view's incidents, notes and maintenance: ./${DEFAULT_DATA_DIR}-fleet)
  --fleet              run as the fleet view: the page and API of every agent, from
                       fleet.prometheusUrl or --prometheus-url (no capture, checks or rollups)
  --prometheus-url URL the Prometheus-compatible query API the fleet view reads (implies --fleet,
                       as fleet.prometheusUrl in the configuration does)
  --host NAME          this host's name in every exported series and record (default:
                       identity.host, else the machine's hostname)
  --log-format FORMAT  text (default, for people) or json (one object per line, for machines)
  --dns-port PORT      also treat this port as DNS, besides 53 and capture.dnsPorts (repeatable)
  --interface NAME     capture DNS packets on this interface only (repeatable; default
                       capture.interfaces, else every interface)`,
  options: {
    config: { type: 'string' },
    listen: { type: 'string' },
    data: { type: 'string' },
    host: { type: 'string' },
    fleet: { type: 'boolean' },
    'prometheus-url': { type: 'string' },
    'log-format': { type: 'string' },
    'dns-port': { type: 'string', multiple: true },
    interface: { type: 'string', multiple: true },
  },
  async run({ values, io, signal }) {
    const startedAt = Date.now();
    const format = stringOpt(values, 'log-format') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format must be "text" or "json", got ${JSON.stringify(format)}`);
    const log = createRunLog(io, format as LogFormat);
    // Libraries' process warnings (deprecations, runtime notices) go through the same log, so
    // --log-format json stays one JSON object per line.
    process.removeAllListeners('warning');
    process.on('warning', (w) => log.warn(`${w.name}: ${oneLine(w)}`));
    // A fault in one check or stage must not stop the monitoring of everything else: a rejected
    // promise nobody awaited is reported in one line and the agent keeps running.
    process.on('unhandledRejection', (err) => log.error(`internal error (the agent keeps running): ${oneLine(err)}`));
    const configFile = stringOpt(values, 'config');
    // The YAML parser loads only when there is a file to read: starting without one stays quick.
    const config: Config = configFile ? (await import('../config/load.js')).loadConfig(configFile) : defaultConfig();
    const hostText = stringOpt(values, 'host');
    if (hostText !== undefined) {
      const problem = identityProblem(hostText);
      if (problem) throw new UsageError(`--host ${problem}`);
      config.identity.host = hostText;
    }
    const listenText = stringOpt(values, 'listen');
    const listen = listenText === undefined ? config.server.listen : parseListen(listenText);
    const prometheusUrl = stringOpt(values, 'prometheus-url') ?? config.fleet.prometheusUrl;
    if (values.fleet === true || prometheusUrl) {
      if (!prometheusUrl) throw new UsageError('--fleet needs --prometheus-url URL (or fleet.prometheusUrl in the configuration)');
      if (!/^https?:\/\/[^/]/.test(prometheusUrl)) throw new UsageError(`--prometheus-url must be an http or https URL, got ${JSON.stringify(prometheusUrl)}`);
      const { runFleetMode } = await import('./fleet-mode.js');
      // Its own directory by default: an agent and a fleet view started in one place never share a store.
      const fleetDataDir = resolve(stringOpt(values, 'data') ?? config.store.dir ?? `${DEFAULT_DATA_DIR}-fleet`);
      process.umask(0o077);
      return runFleetMode({ fleet: { ...config.fleet, prometheusUrl }, dataDir: fleetDataDir, slos: { slos: config.slos, rules: config.alerts.burnRates }, server: config.server, listen, identity: config.identity, version: VERSION, log, signal, formatAddress });
    }
    // Before anything is opened or printed: this may start node again, in place, with a heap
    // limit sized from the memory ceiling.
    const { applyHeapLimit, currentHeapLimitMB } = await import('./heap-limit.js');
    const heapNote = await applyHeapLimit(config.store.limits.memoryBytes);
    log.info(`memory: ceiling ${config.store.limits.memoryBytes / 1_048_576} MB (store.memoryLimitMB), JS heap limit ${currentHeapLimitMB()} MB${heapNote === 'already set' ? '' : ` (${heapNote})`}`);
    const dataDir = resolve(stringOpt(values, 'data') ?? config.store.dir ?? DEFAULT_DATA_DIR);
    const dnsPorts = [...new Set([...config.capture.dnsPorts, ...stringList(values, 'dns-port').map((p) => parsePort(p, '--dns-port'))])];
    const interfaces = stringList(values, 'interface').length ? stringList(values, 'interface') : config.capture.interfaces;
    const resolvConf = readResolvConf(config.dns.resolvConf);
    log.info(`configuration: ${configFile ?? 'none, defaults'}; ${config.checks.length} check${config.checks.length === 1 ? '' : 's'}; resolvers ${resolvConf.nameservers.join(', ') || 'none found'} (${config.dns.resolvConf})`, { config: configFile ?? null, checks: config.checks.length, resolvers: resolvConf.nameservers });

    const status: MonitoringStatus = {
      startedAt, version: VERSION,
      capture: { state: 'starting', detail: 'attaching eBPF programs' },
      notMonitored: config.checks.length ? [] : ['no blackbox checks configured (add a "checks:" section)'],
      checks: config.checks.length,
      resolvers: resolvConf.nameservers,
      stages: {},
      site: { title: config.server.page.title, logoUrl: config.server.page.logoUrl },
    };

    // Store first: everything else writes into it. What the agent writes is its owner's alone
    // (incident notes, process names, the hosts this machine talks to): files 0600, directories 0700.
    process.umask(0o077);
    const store = new LowdbStore({ dir: dataDir, onNotice: (line) => log.warn(line) });
    const opened = await store.open();
    for (const notice of opened.notices) log.warn(notice);
    status.stages.store = { status: 'pass', detail: store.description };
    log.info(`store: ${store.description}`, { dataDir });

    const engine: ReliabilityEngine = createReliabilityEngine({
      store, settings: { rollups: config.store, slos: config.slos, alerts: config.alerts, checks: checkPolicies(config.checks) }, hostName: config.identity.host,
      log: (line) => log.warn(line),
    });
    // Labelling data takes seconds to load (ranges, ASN dataset, AWS metadata): it loads in the
    // background while the page is already up, and events wait for it in the stage's bounded
    // queue, so the engine gets them labelled from the first one.
    // The first results reach the page at once rather than at the first periodic tick
    // (store.flushInterval, 10 s): one extra tick a moment after the engine first gets events.
    let tickSoon: (() => void) | undefined;
    // The same labelled stream feeds /metrics' counters (set once the exporter exists, below).
    let traffic: LabeledSink | undefined;
    const sink: LabeledSink = {
      ingestEvents: (events) => {
        engine.ingestEvents(events);
        traffic?.ingestEvents(events);
        if (tickSoon) setTimeout(tickSoon, FIRST_RESULTS_TICK_MS).unref();
        tickSoon = undefined;
      },
      ingestLookups: (lookups) => {
        engine.ingestLookups(lookups);
        traffic?.ingestLookups(lookups);
      },
    };
    const labels = new LabelingStage({ settings: config.labels, sink, log: (line) => log.info(line), ownPid: process.pid });
    // Alerting is its own stage: it notifies from each tick's result, and a slow receiver never
    // holds up the next tick.
    const alerting = new AlertingStage({ settings: config.alerts, log: (line) => log.warn(line) });
    const engineSummary = `${config.slos.length} SLOs, ${config.alerts.notifiers.length} notifiers`;
    status.stages.engine = { status: 'pass', detail: engineSummary };
    // Created once its module has loaded, after the page is up.
    let analyzer: DnsAnalyzer | undefined;
    let dnsSnapshot: DnsSnapshot | undefined;
    let dnsSnapshotAt = 0;
    const sources: ServerSources = {
      store,
      overview: { groups: config.server.page.groups, hide: config.server.page.hide },
      dns: () => {
        if (status.capture.state !== 'live' || !analyzer) return undefined;
        const now = Date.now();
        if (!dnsSnapshot || now - dnsSnapshotAt > DNS_SNAPSHOT_MAX_AGE_MS) {
          analyzer.advance(now);
          dnsSnapshot = analyzer.snapshot();
          dnsSnapshotAt = now;
        }
        return dnsSnapshot;
      },
      monitoring: () => status,
      now: Date.now,
    };

    const metrics = new MetricsExporter({ sources, version: VERSION, identity: config.identity, topN: config.server.metricsTopN });
    const server = new StatusServer({ sources, metrics, token: config.server.token, hosts: config.server.hosts, limits: config.server.limits, logoUrl: config.server.page.logoUrl, onError: (line) => log.error(`status server: ${line}`) });
    metrics.watchConnections(server.refused);
    traffic = metrics.traffic;
    // Hosts that cannot be scraped push the same series (remoteWrite in the configuration).
    let remoteWriter: RemoteWriter | undefined;
    if (config.remoteWrite) {
      remoteWriter = new RemoteWriter({ settings: config.remoteWrite, collect: () => metrics.collect(), log: (line, level) => (level === 'warn' ? log.warn(line) : log.info(line)) });
      const stats = remoteWriter.stats;
      metrics.watchCounters([
        ['egresswatch_remote_write_pushes_total', 'Pushes of every series to the remote-write endpoint that it accepted.', () => stats.pushes],
        ['egresswatch_remote_write_failures_total', 'Pushes to the remote-write endpoint that failed (network error, timeout or an HTTP error).', () => stats.failures],
        ['egresswatch_remote_write_samples_total', 'Samples the remote-write endpoint accepted.', () => stats.samples],
      ]);
      remoteWriter.start();
    }
    // Or with OTLP, to an OpenTelemetry collector (otlp in the configuration).
    let otlp: OtlpMetricsExport | undefined;
    if (config.otlp) {
      const settings = config.otlp;
      const { OtlpMetricsExport: Export } = await import('../server/otlp-export.js');
      const exporter = new Export({ settings, identity: config.identity, version: VERSION, collect: () => metrics.collect(), log: (line, level) => (level === 'warn' ? log.warn(line) : log.info(line)) });
      metrics.watchCounters([
        ['egresswatch_otlp_exports_total', 'Exports of every series to the OTLP endpoint that it accepted.', () => exporter.stats.exports],
        ['egresswatch_otlp_failures_total', 'Exports to the OTLP endpoint that failed.', () => exporter.stats.failures],
      ]);
      await exporter.start();
      otlp = exporter;
    }
    let bound: ListenAddress;
    try {
      bound = await server.listen(listen);
    } catch (err) {
      await store.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new EgressError('config', `cannot listen on ${formatAddress(listen)}: ${code === 'EADDRINUSE' ? 'the address is in use' : code === 'EADDRNOTAVAIL' ? 'no such local address' : oneLine(err)}`);
    }
    const url = `http://${formatAddress(bound)}/`;
    status.stages.server = { status: 'pass', detail: `listening on ${url}` };
    log.info(`status page: ${url} (JSON: ${url}api/v1/providers, metrics: ${url}metrics; writes ${config.server.token ? 'need the bearer token' : 'are off: no server.token'})`, { url });

    // Everything the first request does not need loads after it, in the background: capture and
    // DNS analysis (attaching BPF programs takes a while), the checks, labelling.
    const counts = { events: 0, dns: 0, tcp: 0, probes: 0, probeFailures: 0, ticks: 0 };
    let stopping = false;
    const captureStop = new AbortController();
    // Settles once capture is attached or known to be unavailable: then root is no longer needed.
    let captureSettled!: () => void;
    const captureAttached = new Promise<void>((resolve) => (captureSettled = resolve));
    // Pod names for processes in pods, from the Kubernetes API when in a cluster (or configured).
    const inCluster = existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token') && !!process.env.KUBERNETES_SERVICE_HOST;
    const k8s = config.capture.kubernetes === 'on' || (config.capture.kubernetes === 'auto' && (inCluster || config.capture.kubeconfig !== null));
    const pods = k8s
      ? import('../bpf/kubernetes-pods.js').then(async ({ KubernetesPods }) => {
        const watcher = new KubernetesPods({ nodeName: process.env.NODE_NAME ?? config.identity.host, kubeconfig: config.capture.kubeconfig ?? undefined, log: (line) => log.warn(line) });
        await watcher.start();
        log.info(`kubernetes: ${watcher.size} pods on node ${process.env.NODE_NAME ?? config.identity.host}`);
        return watcher;
      }).catch((err: unknown) => {
        log.warn(`kubernetes: pod names unavailable (${oneLine(err)}); processes in pods are named by pod UID`);
        return undefined;
      })
      : Promise.resolve(undefined);
    let podNames: { name(uid: string): string | undefined } | undefined;
    void pods.then((p) => (podNames = p));
    const captureDone = (async () => {
      const [{ createLiveSource }, { createDnsAnalyzer }, { dnsAnalyzerOptions }] = await Promise.all([
        import('../bpf/live-source.js'), import('../dns/dns-analyzer.js'), import('../dns/analyzer-options.js'),
      ]);
      if (stopping) return;
      const dnsAnalyzer = createDnsAnalyzer(dnsAnalyzerOptions(config.dns, resolvConf), labels.analyzerHooks());
      analyzer = dnsAnalyzer;
      let lossLoggedAt = -Infinity;
      const source = createLiveSource({
        dnsPorts, interfaces, conntrackIntervalMs: config.capture.conntrackIntervalMs, ringBytes: config.capture.ringBytes,
        podName: (uid) => podNames?.name(uid),
        onLost: (lost) => {
          status.captureLost = lost;
          const line = captureLossLine(lost);
          status.stages.capture = { status: 'warn', detail: `${status.capture.detail}; ${line}` };
          // Once a minute at most: a sustained overload must not flood the log too.
          if (Date.now() - lossLoggedAt >= 60_000) {
            lossLoggedAt = Date.now();
            log.warn(`capture: ${line}`, { lost });
          }
        },
        ready: () => {
          status.capture = { state: 'live', detail: `live eBPF capture on ${interfaces.join(', ') || 'every interface'}, DNS ports ${dnsPorts.join(', ')}` };
          status.stages.capture = { status: 'pass', detail: status.capture.detail };
          status.stages.dns = { status: 'pass', detail: 'analysing captured DNS' };
          log.info(`capture: ${status.capture.detail}`);
          captureSettled();
        },
      });
      const summary = await source.run((batch) => ingestCapture(batch, dnsAnalyzer, labels, counts), captureStop.signal);
      const lost = Object.values(summary.lost).reduce((a, b) => a + b, 0);
      if (lost) log.warn(`capture lost ${lost} records before user space ${JSON.stringify(summary.lost)}`);
    })().catch((err: unknown) => captureUnavailable(status, log, oneLine(err))).finally(captureSettled);
    const privileges = captureAttached.then(async () => {
      if (stopping) return;
      const [{ dropPrivileges }, { loadCaptureAddon }] = await Promise.all([import('../bpf/privilege-drop.js'), import('../bpf/addon-loader.js')]);
      const outcome = dropPrivileges({ user: config.capture.user, dataDir, reads: [...(configFile ? [resolve(configFile)] : []), ...(config.capture.kubeconfig ? [config.capture.kubeconfig] : [])], setNoNewPrivs: () => loadCaptureAddon().setNoNewPrivs(), because: status.capture.state === 'live' ? 'capture attached' : 'capture unavailable, so nothing needs root' });
      if (outcome.dropped || process.getuid?.() !== 0) log.info(outcome.line);
      else log.warn(outcome.line);
    }).catch((err: unknown) => log.error(`privileges: still root, giving them up failed: ${oneLine(err)}`));

    let scheduler: CheckScheduler | undefined;
    const failing = new Set<string>();
    const agentFaults = new AgentFaults();
    const startChecks = async (checks: Config['checks']) => {
      const [{ createCheckRunner }, { CheckScheduler: Scheduler }] = await Promise.all([import('../blackbox/check-runner.js'), import('../blackbox/scheduler.js')]);
      const run = createCheckRunner();
      if (stopping) return;
      scheduler = new Scheduler({
        checks,
        run,
        onResult: (result) => onProbe(result, labels, metrics, counts, failing, agentFaults, log),
      });
      scheduler.start();
      status.stages.checks = { status: 'pass', detail: `${checks.length} checks scheduled` };
      log.info(`checks: ${checks.map((c) => c.name).join(', ')}`);
    };
    const checksStarted = (config.checks.length === 0 ? Promise.resolve() : startChecks(config.checks)).catch((err: unknown) => {
      status.stages.checks = { status: 'warn', detail: oneLine(err) };
      log.error(`checks could not start: ${oneLine(err)}`);
    });

    // SIGHUP reloads the configuration file: checks are added, changed and removed without
    // touching the others; a file that does not validate is rejected and the running one stays.
    let running = config;
    let reloading = Promise.resolve();
    const reload = () => {
      reloading = reloading.then(async () => {
        if (stopping) return;
        if (!configFile) return log.warn('SIGHUP: started without --config, there is no file to reload');
        let next: Config;
        try {
          next = (await import('../config/load.js')).loadConfig(configFile);
        } catch (err) {
          return log.error(`reload rejected, the running configuration stays: ${oneLine(err)}`);
        }
        await checksStarted;
        if (stopping) return;
        const change = scheduler ? scheduler.update(next.checks) : { added: next.checks.map((c) => c.name), changed: [], removed: [], unchanged: [] };
        if (!scheduler && next.checks.length) await startChecks(next.checks);
        for (const name of change.removed) failing.delete(name);
        metrics.forgetChecks(change.removed);
        engine.configureChecks(checkPolicies(next.checks));
        status.checks = next.checks.length;
        status.notMonitored = status.notMonitored.filter((m) => !m.startsWith('no blackbox checks'));
        if (next.checks.length === 0) status.notMonitored.unshift('no blackbox checks configured (add a "checks:" section)');
        if (scheduler) status.stages.checks = { status: 'pass', detail: `${next.checks.length} checks scheduled` };
        const later = sections.filter((s) => s.key !== 'checks' && JSON.stringify(running[s.key]) !== JSON.stringify(next[s.key])).map((s) => s.key);
        running = next;
        const list = (what: string, names: string[]) => (names.length ? [`${what} ${names.join(', ')}`] : []);
        const parts = [...list('added', change.added), ...list('changed', change.changed), ...list('removed', change.removed)];
        log.info(`configuration reloaded from ${configFile}: checks ${parts.join('; ') || 'unchanged'} (${change.unchanged.length} kept their schedule)${later.length ? `; changes to ${later.join(', ')} take effect at the next start` : ''}`, { ...change, restartNeeded: later });
      }).catch((err: unknown) => log.error(`reload failed: ${oneLine(err)}`));
    };
    process.on('SIGHUP', reload);

    // The engine's tick flushes buckets, evaluates SLOs and alerts, and publishes the snapshot the
    // page shows; DNS findings join it as alert inputs. One tick at a time, the first one now.
    let ticking = Promise.resolve();
    const tick = () => {
      ticking = ticking.then(async () => {
        const snap = sources.dns();
        if (snap) engine.reportDnsFindings(snap.findings.map(dnsFindingInputOf));
        const result = await engine.tick();
        counts.ticks++;
        status.stages.store = storeStage(store.description, engine.storeStatus());
        status.stages.engine = engineStage(engineSummary, engine);
        status.limits = { shedding: engine.memoryStatus().shedding, foldedEvents: engine.counters().aggregator.folded + engine.counters().aggregator.foldedProviders };
        const fault = agentFaults.current(Date.now());
        if (scheduler) status.stages.checks = fault ? { status: 'fail', detail: fault } : { status: 'pass', detail: `${running.checks.length} checks scheduled` };
        alerting.consume(result).catch((err: unknown) => log.error(`alerting failed: ${oneLine(err)}`));
        // The page, the provider list and /metrics for the new snapshot, prepared before anyone asks.
        await server.warm();
      }).catch((err: unknown) => log.error(`reliability tick failed: ${oneLine(err)}`));
    };
    tick();
    tickSoon = tick;
    const tickTimer = setInterval(tick, config.store.flushIntervalMs);
    const summaryTimer = setInterval(() => log.info(`${counts.events} events captured (${counts.dns} DNS, ${counts.tcp} TCP; ${labels.localSkipped} connection events to this host itself and ${labels.ownSkipped} of the checks' own connections left out), ${counts.probes} check runs (${counts.probeFailures} failed), ${engine.counters().bucketsWritten} buckets stored`, { ...counts, localSkipped: labels.localSkipped, ownSkipped: labels.ownSkipped }), SUMMARY_EVERY_MS);
    for (const t of [tickTimer, summaryTimer]) t.unref();
    log.info(`ready in ${Date.now() - startedAt} ms`, { startupMs: Date.now() - startedAt });
    // Labelling loads once everything is up (AWS metadata may take seconds). The bundled ASN
    // dataset is left out unless a database file is configured: parsing it blocks for seconds,
    // and an ASN alone never names a provider, which is all the engine asks of labels.
    const labelsReady = labels.load({ asnDatabase: config.labels.asnDatabase ?? 'none' }).then(
      () => {
        // Zone and cluster not configured come from the cloud metadata, once: series scraped
        // before it loaded (seconds after start) carry the host label alone.
        const { learnt, rejected } = learnIdentity(config.identity, labels.placement());
        for (const why of rejected) log.warn(`identity: from AWS metadata, ${why}`);
        if (Object.keys(learnt).length === 0) return;
        Object.assign(config.identity, learnt);
        metrics.setIdentity(config.identity);
        log.info(`identity: ${Object.entries(learnt).map(([k, v]) => `${k} ${v}`).join(', ')}, from AWS metadata`, learnt);
      },
      (err: unknown) => log.warn(`labels unavailable (${oneLine(err)}): endpoints are grouped as "unknown"`),
    );

    await new Promise<void>((done) => (signal.aborted ? done() : signal.addEventListener('abort', () => done(), { once: true })));
    const reason = signal.reason instanceof Error ? signal.reason.message : 'stop requested';
    log.info(`stopping (${reason})`);
    await reloading;
    for (const t of [tickTimer, summaryTimer]) clearInterval(t);
    stopping = true;
    await checksStarted;
    await scheduler?.stop();
    captureStop.abort();
    await captureDone;
    await privileges;
    analyzer?.advance(Date.now());
    await labelsReady;
    await ticking;
    await engine.close().catch((err: unknown) => log.error(`final store flush failed: ${oneLine(err)}`));
    await alerting.close().catch(() => undefined);
    labels.close();
    await remoteWriter?.stop();
    await otlp?.stop();
    await (await pods)?.stop();
    await server.close();
    // The store's last attempt ignores its pause; what it still cannot write is lost, and said so.
    const flushed = await store.close().then(() => true, (err: unknown) => {
      log.error(`${oneLine(err)}: what was not yet written is lost`);
      return false;
    });
    // Until here a SIGHUP is answered (ignored while stopping) rather than ending the process unflushed.
    process.off('SIGHUP', reload);
    const sent = alerting.counters;
    log.info(`stopped: ${flushed ? 'store flushed' : 'store NOT flushed'} (${engine.counters().bucketsWritten} buckets in total), capture detached, ${scheduler?.stats.runs ?? 0} check runs, ${sent.delivered} notifications delivered (${sent.failed} given up)`, { ...counts, dropped: labels.dropped, localSkipped: labels.localSkipped, ownSkipped: labels.ownSkipped, notificationsDelivered: sent.delivered, notificationsFailed: sent.failed });
    return flushed ? 0 : 1;
  },
};

/** Every section's default, as an absent file would give. */
function defaultConfig(): Config {
  return Object.fromEntries(sections.map((s) => [s.key, s.defaultValue()])) as Config;
}

/** --listen: host:port, [v6]:port; port 0 asks the system for a free port (tests). */
function parseListen(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen must be host:port or [ipv6]:port, got ${JSON.stringify(text)}`);
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError(`--listen port must be between 0 and 65535, got ${JSON.stringify(text)}`);
  return { host: m[1], port };
}

function formatAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function captureUnavailable(status: MonitoringStatus, log: RunLog, why: string): void {
  status.capture = { state: 'unavailable', detail: why };
  status.notMonitored = [...status.notMonitored, ...CAPTURE_SIGNALS.map((s) => `not monitored: ${s}`)];
  status.stages.capture = { status: 'warn', detail: why };
  status.stages.dns = { status: 'warn', detail: 'no DNS analysis without capture' };
  log.warn(`capture unavailable: ${why}; checks and the status page run, but these are not monitored: ${CAPTURE_SIGNALS.join('; ')}`, { capture: 'unavailable', reason: why });
}

function ingestCapture(batch: readonly CaptureEvent[], analyzer: DnsAnalyzer, labels: LabelingStage, counts: { events: number; dns: number; tcp: number }): void {
  counts.events += batch.length;
  for (const ev of batch) {
    if (ev.type === 'dns') counts.dns++;
    else if (ev.type === 'tcp') counts.tcp++;
  }
  analyzer.ingest(batch);
  labels.ingest(batch);
}

function onProbe(result: ProbeResult, labels: LabelingStage, metrics: MetricsExporter, counts: { probes: number; probeFailures: number }, failing: Set<string>, agentFaults: AgentFaults, log: RunLog): void {
  counts.probes++;
  metrics.observeProbe(result, labels.labelProbe(result).provider);
  if (agentFaults.record(result, Date.now(), (line) => log.error(line, { check: result.check, error: result.error }))) return;
  labels.ingest([result]);
  // People hear about a check when it changes between passing and failing, not on every run.
  if (!result.ok) {
    counts.probeFailures++;
    if (!failing.has(result.check)) log.warn(`check ${result.check} failed: ${result.error?.kind}: ${result.error?.message}`, { check: result.check, error: result.error });
    failing.add(result.check);
  } else if (failing.delete(result.check)) log.info(`check ${result.check} passes again`, { check: result.check });
}
