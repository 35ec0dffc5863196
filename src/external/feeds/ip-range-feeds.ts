// The published cloud IP-range files egresswatch understands: where each is published, what
// file it is kept in, and how to parse and validate it into prefixes with provider, service and
// region. Parsing never throws: a file that is not the expected shape yields a one-line problem.
import { parseCidr, type Cidr } from '../ip/ip-address.js';

export interface RangeInfo {
  provider: string;
  service?: string;
  region?: string;
}

export interface RangeEntry {
  cidr: Cidr;
  info: RangeInfo;
}

export type FeedParseResult =
  | { ok: true; entries: RangeEntry[]; malformed: number; version?: string }
  | { ok: false; problem: string };

export interface RangeFeed {
  /** Short id used on the command line and in messages: aws, gcp, cloudflare, fastly, azure. */
  id: string;
  /** File name inside the data directory. */
  file: string;
  /** Official download address; undefined when the file can only be imported (Azure). */
  url?: string;
  parse(text: string): FeedParseResult;
}

/** Shares one info object per (provider, service, region): tens of thousands of prefixes, few distinct labels. */
class InfoPool {
  // Nested maps rather than a joined key: no string is built per prefix.
  private readonly pool = new Map<string, Map<string, Map<string, RangeInfo>>>();
  get(provider: string, service: string | undefined, region: string | undefined): RangeInfo {
    let byService = this.pool.get(provider);
    if (!byService) this.pool.set(provider, (byService = new Map()));
    let byRegion = byService.get(service ?? '');
    if (!byRegion) byService.set(service ?? '', (byRegion = new Map()));
    let info = byRegion.get(region ?? '');
    if (!info) {
      info = { provider };
      if (service) info.service = service;
      if (region) info.region = region;
      byRegion.set(region ?? '', info);
    }
    return info;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, problem: `not JSON (${(err as Error).message.split('\n')[0]})` };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects entries, counting the malformed; fails when nothing usable was found. */
class EntryCollector {
  readonly entries: RangeEntry[] = [];
  malformed = 0;
  readonly pool = new InfoPool();
  add(prefix: unknown, provider: string, service?: string, region?: string): void {
    const cidr = typeof prefix === 'string' ? parseCidr(prefix) : undefined;
    if (!cidr) {
      this.malformed++;
      return;
    }
    this.entries.push({ cidr, info: this.pool.get(provider, service, region) });
  }
  /** Calls `each` for every object in the list; anything else counts as malformed. */
  eachRecord(list: unknown, each: (record: Record<string, unknown>) => void): void {
    for (const item of list as unknown[]) {
      if (isRecord(item)) each(item);
      else this.malformed++;
    }
  }
  result(what: string, version?: string): FeedParseResult {
    if (this.entries.length === 0) return { ok: false, problem: `${what}: no valid prefixes` };
    return { ok: true, entries: this.entries, malformed: this.malformed, version };
  }
}

const awsServiceNames = new Map<string, string>();

/** AWS service names ("S3", "API_GATEWAY") as label services ("s3", "api-gateway"); AMAZON is no service. */
function awsService(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === 'AMAZON') return undefined;
  let s = awsServiceNames.get(name);
  if (s === undefined) awsServiceNames.set(name, (s = name.toLowerCase().replace(/_/g, '-')));
  return s;
}

function awsRegion(region: unknown): string | undefined {
  return typeof region === 'string' && region !== 'GLOBAL' ? region : undefined;
}

/**
 * A JSON feed: the text parsed, the document checked for the lists it must hold (`expected` names
 * them in the one-line problem), then `collect` adds its prefixes and returns the feed's version.
 */
function parseJsonFeed(
  what: string,
  text: string,
  expected: string,
  hasLists: (doc: Record<string, unknown>) => boolean,
  collect: (doc: Record<string, unknown>, out: EntryCollector) => string | undefined,
): FeedParseResult {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, problem: `${what}: ${json.problem}` };
  const doc = json.value;
  if (!isRecord(doc) || !hasLists(doc)) return { ok: false, problem: `${what}: expected ${expected}` };
  const out = new EntryCollector();
  const version = collect(doc, out);
  return out.result(what, version);
}

const stringOf = (v: unknown) => (typeof v === 'string' ? v : undefined);

export const awsFeed: RangeFeed = {
  id: 'aws',
  file: 'aws-ip-ranges.json',
  url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
  parse: (text) =>
    parseJsonFeed('aws ip-ranges.json', text, '"prefixes" and "ipv6_prefixes" lists', (doc) => Array.isArray(doc.prefixes) && Array.isArray(doc.ipv6_prefixes), (doc, out) => {
      out.eachRecord(doc.prefixes, (p) => out.add(p.ip_prefix, 'aws', awsService(p.service), awsRegion(p.region)));
      out.eachRecord(doc.ipv6_prefixes, (p) => out.add(p.ipv6_prefix, 'aws', awsService(p.service), awsRegion(p.region)));
      return stringOf(doc.createDate);
    }),
};

export const gcpFeed: RangeFeed = {
  id: 'gcp',
  file: 'gcp-cloud.json',
  url: 'https://www.gstatic.com/ipranges/cloud.json',
  parse: (text) =>
    parseJsonFeed('gcp cloud.json', text, 'a "prefixes" list', (doc) => Array.isArray(doc.prefixes), (doc, out) => {
      out.eachRecord(doc.prefixes, (p) => {
        const scope = typeof p.scope === 'string' && p.scope !== 'global' ? p.scope : undefined;
        out.add(p.ipv4Prefix ?? p.ipv6Prefix, 'gcp', 'cloud', scope);
      });
      return stringOf(doc.creationTime);
    }),
};

/** Cloudflare's API form ({"result":{"ipv4_cidrs":[…],"ipv6_cidrs":[…]}}) or its plain one-prefix-a-line lists. */
export const cloudflareFeed: RangeFeed = {
  id: 'cloudflare',
  file: 'cloudflare-ips.json',
  url: 'https://api.cloudflare.com/client/v4/ips',
  parse(text) {
    if (!text.trimStart().startsWith('{')) {
      const out = new EntryCollector();
      for (const line of text.split('\n')) if (line.trim()) out.add(line.trim(), 'cloudflare', 'cdn');
      return out.result('cloudflare ranges');
    }
    const lists = (doc: Record<string, unknown>) => (isRecord(doc.result) ? doc.result : {});
    return parseJsonFeed('cloudflare ips', text, 'result.ipv4_cidrs and result.ipv6_cidrs lists', (doc) => Array.isArray(lists(doc).ipv4_cidrs) && Array.isArray(lists(doc).ipv6_cidrs), (doc, out) => {
      const result = lists(doc);
      for (const p of [...(result.ipv4_cidrs as unknown[]), ...(result.ipv6_cidrs as unknown[])]) out.add(p, 'cloudflare', 'cdn');
      return stringOf(result.etag);
    });
  },
};

export const fastlyFeed: RangeFeed = {
  id: 'fastly',
  file: 'fastly-public-ip-list.json',
  url: 'https://api.fastly.com/public-ip-list',
  parse: (text) =>
    parseJsonFeed('fastly public-ip-list', text, 'an "addresses" list', (doc) => Array.isArray(doc.addresses), (doc, out) => {
      for (const p of [...(doc.addresses as unknown[]), ...(Array.isArray(doc.ipv6_addresses) ? doc.ipv6_addresses : [])]) out.add(p, 'fastly', 'cdn');
      return undefined;
    }),
};

/**
 * Azure service tags (ServiceTags_Public_*.json). Microsoft publishes it under a weekly-changing
 * name, so it is imported from a file rather than downloaded. Only regional tags of a service
 * ("Storage.WestEurope") and service-wide tags are used; the catch-all "AzureCloud" tags give
 * provider and region without a service.
 */
export const azureFeed: RangeFeed = {
  id: 'azure',
  file: 'azure-service-tags.json',
  parse: (text) =>
    parseJsonFeed('azure service tags', text, 'a "values" list', (doc) => Array.isArray(doc.values), (doc, out) => {
      out.eachRecord(doc.values, (v) => {
        const props = v.properties;
        if (!isRecord(props) || !Array.isArray(props.addressPrefixes)) {
          out.malformed++;
          return;
        }
        const system = typeof props.systemService === 'string' && props.systemService ? props.systemService.toLowerCase() : undefined;
        const region = typeof props.region === 'string' && props.region ? props.region : undefined;
        for (const p of props.addressPrefixes) out.add(p, 'azure', system, region);
      });
      return typeof doc.changeNumber === 'number' ? String(doc.changeNumber) : undefined;
    }),
};

export const rangeFeeds: readonly RangeFeed[] = [awsFeed, gcpFeed, cloudflareFeed, fastlyFeed, azureFeed];

/** Guesses a feed from a file's name, for `--ip-ranges FILE`. */
export function feedForFile(name: string): RangeFeed | undefined {
  const base = name.toLowerCase().split('/').pop() ?? '';
  if (base.includes('servicetags') || base.includes('service-tags') || base.includes('azure')) return azureFeed;
  if (base.includes('cloudflare')) return cloudflareFeed;
  if (base.includes('fastly')) return fastlyFeed;
  if (base.includes('cloud.json') || base.includes('gcp') || base.includes('goog')) return gcpFeed;
  if (base.includes('ip-ranges') || base.includes('aws')) return awsFeed;
  return rangeFeeds.find((f) => f.file === base);
}
