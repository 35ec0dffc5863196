// The labeler: asks each source in the precedence order (configuration, AWS metadata,
// passive DNS, catalogue, published IP ranges, ASN) and caches the answer per address, so that
// labelling an address seen before costs one map lookup.
import { createAsnSource } from './sources/asn-source.js';
import type { AsnDatabase } from './feeds/asn-database.js';
import type { Catalogue } from './feeds/catalogue.js';
import { createCatalogueSource } from './sources/catalogue-source.js';
import { configNameProvider, createConfigSource, type ConfiguredEndpoint } from './sources/config-source.js';
import { createDnsSource } from './sources/dns-source.js';
import type { EndpointLabel, LabelQuery, LabelSource } from './endpoint-label.js';
import { internalLabel } from './sources/internal-source.js';
import { canonicalIp } from './ip/ip-address.js';
import type { RangeInfo } from './feeds/ip-range-feeds.js';
import { createIpRangeSource } from './sources/ip-range-source.js';
import { PassiveDns, type PassiveDnsOptions } from './sources/passive-dns.js';
import type { PrefixTrie } from './ip/prefix-trie.js';

export interface LabelerOptions {
  /** Operators' own endpoints (configuration); they win over every other source. */
  endpoints?: readonly ConfiguredEndpoint[];
  /** Cloud metadata source (AWS); refreshed by its owner, see createAwsMetadataSource. */
  aws?: AwsLikeSource;
  catalogue: Catalogue;
  ranges?: PrefixTrie<RangeInfo>;
  asn?: AsnDatabase;
  /** The passive DNS table the labelling stage feeds, or settings for a table of the labeler's own. */
  passiveDns?: PassiveDns | PassiveDnsOptions;
  /** Labels cached at most (least recently computed dropped first). */
  cacheSize?: number;
}

/** A source whose data changes as a whole (a metadata refresh): the labeler clears its cache then. */
export interface AwsLikeSource extends LabelSource {
  onChange?: (() => void) | undefined;
}

export interface Labeler {
  /** The label for an address; `hostname` is a name the caller knows (a check's host). Never throws. */
  label(ip: string, hostname?: string): EndpointLabel;
  /** The provider that owns a DNS name, from the catalogue; undefined when no entry names it. */
  nameProvider(name: string): string | undefined;
  readonly passiveDns: PassiveDns;
  /** Forgets cached labels (after reloading data). */
  invalidate(): void;
}

interface CacheEntry {
  label: EndpointLabel;
  /** Until when a label that relied on passive DNS holds, in passive DNS time. */
  validUntil: number;
}

export function createLabeler(options: LabelerOptions): Labeler {
  const pdns = options.passiveDns instanceof PassiveDns ? options.passiveDns : new PassiveDns(options.passiveDns);
  const cacheCap = options.cacheSize ?? 20_000;
  const cache = new Map<string, CacheEntry>();
  const hostKeys = new Map<string, Set<string>>();
  const rangeSource = options.ranges ? createIpRangeSource(options.ranges) : undefined;
  const sources: LabelSource[] = [];
  if (options.endpoints?.length) sources.push(createConfigSource(options.endpoints));
  const configName = options.endpoints?.length ? configNameProvider(options.endpoints) : undefined;
  if (options.aws) sources.push(options.aws);
  sources.push(createDnsSource(options.catalogue), createCatalogueSource(options.catalogue));
  sources.push({ name: 'ip-ranges', lookup: (q) => internalLabel(q) ?? rangeSource?.lookup(q) });
  const asnSource = options.asn ? createAsnSource(options.asn) : undefined;

  const forget = (ip: string) => {
    cache.delete(ip);
    const keys = hostKeys.get(ip);
    if (keys) {
      for (const k of keys) cache.delete(k);
      hostKeys.delete(ip);
    }
  };
  pdns.onAddressChange = forget;
  const clear = () => {
    cache.clear();
    hostKeys.clear();
  };
  if (options.aws) options.aws.onChange = clear;

  function compute(given: string, hostname: string | undefined): CacheEntry {
    // Sources see one textual form of the address; the label keeps the caller's.
    const ip = canonicalIp(given);
    const dns = pdns.lookup(ip);
    const internal = internalLabel({ ip });
    const query: LabelQuery = { ip, hostname, dns, special: internal !== undefined };
    let found: EndpointLabel | undefined;
    for (const source of sources) {
      found = source.lookup(query);
      if (found) break;
    }
    const asn = internal || !asnSource ? undefined : asnSource.lookup(query);
    const label: EndpointLabel = found ? { ...found } : asn ? { ...asn } : { ip, source: 'none', confidence: 0 };
    if (!label.hostname) {
      const name = hostname ?? dns?.name;
      if (name) label.hostname = name;
    }
    if (rangeSource && !internal && label.source !== 'ip-ranges') {
      const block = rangeSource.lookup(query);
      if (block?.provider && (block.provider !== label.provider || (block.service && block.service !== label.service))) {
        label.network = { provider: block.provider, ...(block.service ? { service: block.service } : {}), ...(block.region ? { region: block.region } : {}) };
      }
    }
    if (asn && label.asn === undefined) {
      label.asn = asn.asn;
      label.asOrg = asn.asOrg;
    }
    label.ip = given;
    const usedDns = dns !== undefined && (label.source === 'dns' || label.hostname === dns.name);
    return { label: Object.freeze(label), validUntil: usedDns ? dns.expiresAt : Infinity };
  }

  function label(ip: string, hostname?: string): EndpointLabel {
    const key = hostname === undefined ? ip : `${ip}|${hostname}`;
    const hit = cache.get(key);
    if (hit !== undefined && (hit.validUntil === Infinity || hit.validUntil >= pdns.now())) {
      return hit.label;
    }
    let entry: CacheEntry;
    try {
      entry = compute(ip, hostname);
    } catch {
      // A fault in one source must not stop labelling: answer "unknown" and do not cache.
      return { ip, source: 'none', confidence: 0 };
    }
    if (cache.size >= cacheCap) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
    cache.set(key, entry);
    if (hostname !== undefined) {
      let keys = hostKeys.get(ip);
      if (!keys) hostKeys.set(ip, (keys = new Set()));
      keys.add(key);
    }
    return entry.label;
  }

  return {
    label,
    // The operator's hostname patterns win over the catalogue, as they do for addresses.
    nameProvider: (name) => configName?.(name) ?? options.catalogue.match(name)?.provider,
    passiveDns: pdns,
    invalidate: clear,
  };
}
