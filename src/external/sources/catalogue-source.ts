// The catalogue as a label source, and the label a catalogue match gives (also used by the DNS
// and configuration sources).
import type { Catalogue, CatalogueMatch } from '../feeds/catalogue.js';
import type { EndpointLabel, LabelQuery, LabelSource } from '../endpoint-label.js';

/**
 * The catalogue as a label source: it names the hostname the caller gave (a check's host).
 * Names learned from DNS go through the passive DNS source, which uses the same catalogue.
 */
export function createCatalogueSource(catalogue: Catalogue): LabelSource {
  return {
    name: 'catalogue',
    lookup(query: LabelQuery): EndpointLabel | undefined {
      if (!query.hostname) return undefined;
      const m = catalogue.match(query.hostname);
      return m ? labelFromMatch(query.ip, query.hostname, m, 'catalogue', 0.85) : undefined;
    },
  };
}

export function labelFromMatch(ip: string, hostname: string, m: CatalogueMatch, source: 'catalogue' | 'dns' | 'config', confidence: number): EndpointLabel {
  const label: EndpointLabel = { ip, provider: m.provider, hostname, source, confidence };
  if (m.service) label.service = m.service;
  if (m.region) label.region = m.region;
  if (m.resource) label.resource = m.resource;
  return label;
}
