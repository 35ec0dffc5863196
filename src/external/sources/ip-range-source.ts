// Labels addresses from published cloud IP ranges: every feed's prefixes in one prefix trie,
// longest match wins; for the same prefix, a named service wins over a provider-wide entry
// (AWS lists many prefixes twice: once as AMAZON, once as EC2 or S3).
import type { EndpointLabel, LabelQuery, LabelSource } from '../endpoint-label.js';
import type { RangeEntry, RangeInfo } from '../feeds/ip-range-feeds.js';
import { PrefixTrie } from '../ip/prefix-trie.js';

function preferSpecific(existing: RangeInfo, incoming: RangeInfo): RangeInfo {
  if (existing.service === undefined && incoming.service !== undefined) return incoming;
  return existing;
}

/** Builds the trie; a service's prefixes keep its label when a provider-wide copy repeats them. */
export function buildRangeTrie(entrySets: Iterable<readonly RangeEntry[]>): PrefixTrie<RangeInfo> {
  const trie = new PrefixTrie<RangeInfo>();
  for (const entries of entrySets) for (const e of entries) trie.insert(e.cidr, e.info, preferSpecific);
  return trie;
}

/** Published ranges say who operates the address block; confidence is lower without a service. */
export function createIpRangeSource(trie: PrefixTrie<RangeInfo>): LabelSource {
  return {
    name: 'ip-ranges',
    lookup(query: LabelQuery): EndpointLabel | undefined {
      const info = trie.lookup(query.ip);
      if (!info) return undefined;
      const label: EndpointLabel = { ip: query.ip, provider: info.provider, source: 'ip-ranges', confidence: info.service ? 0.7 : 0.5 };
      if (info.service) label.service = info.service;
      if (info.region) label.region = info.region;
      return label;
    },
  };
}
