// Labels an address from the name the host resolved it from (passive DNS): the catalogue names
// the asked name or any CNAME on the way; otherwise the registrable domain is the provider.
import { getDomain } from 'tldts';
import type { Catalogue } from '../feeds/catalogue.js';
import { labelFromMatch } from './catalogue-source.js';
import type { EndpointLabel, LabelQuery, LabelSource } from '../endpoint-label.js';

export function createDnsSource(catalogue: Catalogue): LabelSource {
  return {
    name: 'dns',
    lookup(query: LabelQuery): EndpointLabel | undefined {
      const dns = query.dns;
      if (!dns) return undefined;
      for (const name of [dns.name, ...dns.chain]) {
        const m = catalogue.match(name);
        if (m) return labelFromMatch(query.ip, dns.name, m, 'dns', 0.9);
      }
      // A private address behind an unknown name is better called internal (by the range source).
      if (query.special) return undefined;
      const domain = getDomain(dns.name, { allowPrivateDomains: true });
      return { ip: query.ip, provider: domain ?? dns.name, hostname: dns.name, source: 'dns', confidence: 0.5, discovered: true };
    },
  };
}
