// Operators' own names for endpoints (the `labels.endpoints` configuration): CIDRs or hostname
// patterns mapped to provider, service, region and resource. It wins over every other source.
import { compilePattern } from '../feeds/catalogue.js';
import type { EndpointLabel, LabelQuery, LabelSource } from '../endpoint-label.js';
import { parseCidr } from '../ip/ip-address.js';
import { PrefixTrie } from '../ip/prefix-trie.js';

export interface ConfiguredEndpoint {
  provider: string;
  service?: string;
  region?: string;
  resource?: string;
  /** Addresses or prefixes, IPv4 or IPv6. */
  cidrs: string[];
  /** Hostname patterns in the catalogue syntax; matched against the caller's name and names from DNS. */
  hostnames: string[];
}

type HostnamePatterns = Array<{ regex: RegExp; endpoint: ConfiguredEndpoint }>;

function hostnamePatterns(endpoints: readonly ConfiguredEndpoint[]): HostnamePatterns {
  return endpoints.flatMap((e) => e.hostnames.map((h) => ({ regex: compilePattern(h).regex, endpoint: e })));
}

/** The configured provider that owns a DNS name (its hostname patterns), for lookups of the name. */
export function configNameProvider(endpoints: readonly ConfiguredEndpoint[]): (name: string) => string | undefined {
  const patterns = hostnamePatterns(endpoints);
  return (name) => {
    const lower = name.toLowerCase().replace(/\.$/, '');
    return patterns.find((p) => p.regex.test(lower))?.endpoint.provider;
  };
}

export function createConfigSource(endpoints: readonly ConfiguredEndpoint[]): LabelSource {
  const trie = new PrefixTrie<ConfiguredEndpoint>();
  for (const e of endpoints) {
    for (const c of e.cidrs) {
      const cidr = parseCidr(c);
      if (!cidr) throw new Error(`invalid CIDR ${JSON.stringify(c)}`); // validated by the config section already
      trie.insert(cidr, e, (first) => first);
    }
  }
  const patterns = hostnamePatterns(endpoints);
  const make = (ip: string, e: ConfiguredEndpoint, hostname: string | undefined): EndpointLabel => {
    const label: EndpointLabel = { ip, provider: e.provider, source: 'config', confidence: 1 };
    if (e.service) label.service = e.service;
    if (e.region) label.region = e.region;
    if (e.resource) label.resource = e.resource;
    if (hostname) label.hostname = hostname;
    return label;
  };
  return {
    name: 'config',
    lookup(query: LabelQuery): EndpointLabel | undefined {
      const byAddress = trie.lookup(query.ip);
      const hostname = query.hostname ?? query.dns?.name;
      if (byAddress) return make(query.ip, byAddress, hostname);
      if (patterns.length === 0) return undefined;
      const names = [query.hostname, query.dns?.name, ...(query.dns?.chain ?? [])];
      for (const name of names) {
        if (!name) continue;
        const lower = name.toLowerCase().replace(/\.$/, '');
        const hit = patterns.find((p) => p.regex.test(lower));
        if (hit) return make(query.ip, hit.endpoint, hostname ?? lower);
      }
      return undefined;
    },
  };
}
