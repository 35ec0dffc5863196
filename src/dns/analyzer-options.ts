// Builds the analyzer's options from the `dns` configuration section and the host's resolv.conf.
import type { DnsSettings } from './dns-settings.js';
import { readResolvConf, type ResolvConf } from './resolv-conf.js';
import type { DnsAnalyzerOptions } from './types.js';

export function dnsAnalyzerOptions(settings: DnsSettings, resolvConf: ResolvConf = readResolvConf(settings.resolvConf)): DnsAnalyzerOptions {
  return {
    timeoutMs: settings.timeoutMs,
    clientTimeoutMs: settings.clientTimeoutMs ?? resolvConf.timeoutMs,
    searchDomains: settings.searchDomains ?? resolvConf.search,
    // The stub resolver's nameservers are the cluster DNS (or the host's resolver) by definition.
    clusterDns: [...new Set([...settings.clusterDns, ...resolvConf.nameservers.filter((n) => !settings.nodeLocal.includes(n))])],
    nodeLocal: settings.nodeLocal,
    topN: settings.topN,
    windowMs: settings.windowMs,
    horizonMs: settings.horizonMs,
    minQueries: settings.minQueries,
  };
}
