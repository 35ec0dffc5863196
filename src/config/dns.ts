// The `dns:` section: settings of DNS analysis (src/dns/), defaults first, then validation.
//
//   dns:
//     timeout: 5s              a query unanswered this long is a timeout
//     resolvConf: /etc/resolv.conf   nameservers (cluster DNS role), search list, options timeout/ndots
//     clusterDns: [10.96.0.10] Kubernetes DNS service addresses (role cluster-dns)
//     nodeLocal: [169.254.20.10]     node-local DNS cache addresses (role node-local)
//     searchDomains: [...]     overrides the search list of resolvConf (ndots amplification)
//     clientTimeout: 5s        overrides resolvConf's options timeout (the stall signature's gap)
//     topN: 20                 rows kept in the zone and name tables; the rest is "other"
//     window: 10s              health window (rates, spike baselines, load vs latency)
//     horizon: 5m              how far back findings look
//     minQueries: 3            evidence needed before a finding is raised
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { defaultDnsSettings, type DnsSettings } from '../dns/dns-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';

const KEYS = ['timeout', 'resolvConf', 'clusterDns', 'nodeLocal', 'searchDomains', 'clientTimeout', 'topN', 'window', 'horizon', 'minQueries'];

function addresses(v: ConfigValue): string[] {
  return v.listOrOne().map((item) => {
    const text = item.string().trim();
    if (isIP(text) === 0) item.fail(`expected an IP address, got ${JSON.stringify(text)}`);
    return text;
  });
}

export const dnsSection = defineSection({
  key: 'dns',
  defaultValue: defaultDnsSettings,
  validate: (value: ConfigValue, context: ConfigContext): DnsSettings => {
    const o = value.object(KEYS);
    const s = defaultDnsSettings();
    const timeout = o.optional('timeout');
    if (timeout) s.timeoutMs = timeout.durationMs({ minMs: 100, maxMs: 60_000 });
    const conf = o.optional('resolvConf');
    if (conf) {
      const path = conf.string();
      s.resolvConf = isAbsolute(path) ? path : join(context.dir, path);
    }
    const cluster = o.optional('clusterDns');
    if (cluster) s.clusterDns = addresses(cluster);
    const local = o.optional('nodeLocal');
    if (local) s.nodeLocal = addresses(local);
    const search = o.optional('searchDomains');
    if (search) s.searchDomains = search.listOrOne().map((d) => d.string().trim().toLowerCase().replace(/\.$/, ''));
    const client = o.optional('clientTimeout');
    if (client) s.clientTimeoutMs = client.durationMs({ minMs: 100, maxMs: 60_000 });
    const topN = o.optional('topN');
    if (topN) s.topN = topN.number({ min: 1, max: 10_000, integer: true });
    const windowV = o.optional('window');
    if (windowV) s.windowMs = windowV.durationMs({ minMs: 1_000, maxMs: 3_600_000 });
    const horizon = o.optional('horizon');
    if (horizon) s.horizonMs = horizon.durationMs({ minMs: s.windowMs, maxMs: 7 * 86_400_000 });
    const minQueries = o.optional('minQueries');
    if (minQueries) s.minQueries = minQueries.number({ min: 1, max: 1_000_000, integer: true });
    return s;
  },
});
