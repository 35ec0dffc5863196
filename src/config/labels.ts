// The `labels:` section: endpoint labelling (src/external/), defaults first, then validation.
//
//   endpoints: [{provider, service, region, resource, cidrs: [..], hostnames: [patterns]}]
//   catalogue: [{provider, service, category, patterns, examples, counterExamples}]  (data/README.md)
//   dataDir: directory of refreshed IP-range files      ipRanges: [extra range files]
//   asn: {database: FILE.mmdb | "none"}                 (default: the npm dataset)
//   passiveDns: {maxEntries (200000), maxAddressesPerName (32), grace (10m)}
//   aws: {enabled (auto|true|false), region, profile, endpoint, refreshInterval (5m)}
//   watchLocalTraffic: false (captured connections to loopback, link-local and own addresses)
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { compilePattern, readCatalogueEntries } from '../external/feeds/catalogue.js';
import type { ConfiguredEndpoint } from '../external/sources/config-source.js';
import { parseCidr } from '../external/ip/ip-address.js';
import { defaultLabelsSettings, type LabelsSettings } from '../external/labels-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';

const path = (v: ConfigValue, context: ConfigContext) => {
  const p = v.string();
  return isAbsolute(p) ? p : join(context.dir, p);
};

function readEndpoint(item: ConfigValue): ConfiguredEndpoint {
  const o = item.object(['provider', 'service', 'region', 'resource', 'cidrs', 'hostnames']);
  const endpoint: ConfiguredEndpoint = { provider: o.get('provider').string(), cidrs: [], hostnames: [] };
  for (const key of ['service', 'region', 'resource'] as const) {
    const v = o.optional(key);
    if (v) endpoint[key] = v.string();
  }
  for (const c of o.optional('cidrs')?.listOrOne() ?? []) {
    if (!parseCidr(c.string().trim())) c.fail(`expected an address or CIDR prefix, got ${JSON.stringify(c.raw)}`);
    endpoint.cidrs.push(c.string().trim());
  }
  for (const h of o.optional('hostnames')?.listOrOne() ?? []) {
    try {
      compilePattern(h.string());
    } catch (err) {
      h.fail((err as Error).message);
    }
    endpoint.hostnames.push(h.string());
  }
  if (endpoint.cidrs.length === 0 && endpoint.hostnames.length === 0) item.fail('needs cidrs or hostnames');
  return endpoint;
}

export const labelsSection = defineSection({
  key: 'labels',
  defaultValue: defaultLabelsSettings,
  validate: (value: ConfigValue, context: ConfigContext): LabelsSettings => {
    const s = defaultLabelsSettings();
    const o = value.object(['endpoints', 'catalogue', 'dataDir', 'ipRanges', 'asn', 'passiveDns', 'aws', 'watchLocalTraffic']);
    s.endpoints = (o.optional('endpoints')?.list() ?? []).map(readEndpoint);
    const cat = o.optional('catalogue');
    if (cat) {
      const read = readCatalogueEntries(cat.raw, cat.path);
      if (!read.ok) throw new ConfigError(`${cat.file}: ${read.problem}`);
      s.catalogue = read.entries;
    }
    const dataDir = o.optional('dataDir');
    if (dataDir) s.dataDir = path(dataDir, context);
    s.ipRangeFiles = (o.optional('ipRanges')?.listOrOne() ?? []).map((v) => path(v, context));
    const asn = o.optional('asn');
    if (asn) {
      const db = asn.object(['database']).optional('database');
      if (db) s.asnDatabase = db.string() === 'none' ? 'none' : path(db, context);
    }
    const pd = o.optional('passiveDns');
    if (pd) {
      const p = pd.object(['maxEntries', 'maxAddressesPerName', 'grace']);
      const max = p.optional('maxEntries');
      if (max) s.passiveDns.maxEntries = max.number({ min: 1, max: 50_000_000, integer: true });
      const per = p.optional('maxAddressesPerName');
      if (per) s.passiveDns.maxAddressesPerName = per.number({ min: 1, max: 10_000, integer: true });
      const grace = p.optional('grace');
      if (grace) s.passiveDns.graceMs = grace.durationMs({ maxMs: 7 * 24 * 3600_000 });
    }
    const aws = o.optional('aws');
    if (aws) {
      const a = aws.object(['enabled', 'region', 'profile', 'endpoint', 'refreshInterval']);
      const enabled = a.optional('enabled');
      if (enabled) s.aws.enabled = enabled.raw === 'auto' ? 'auto' : enabled.boolean();
      const region = a.optional('region');
      if (region) s.aws.region = region.string();
      const profile = a.optional('profile');
      if (profile) s.aws.profile = profile.string();
      const endpoint = a.optional('endpoint');
      if (endpoint) s.aws.endpoint = endpoint.url(['http:', 'https:']).toString();
      const interval = a.optional('refreshInterval');
      if (interval) s.aws.refreshIntervalMs = interval.durationMs({ minMs: 10_000 });
    }
    const local = o.optional('watchLocalTraffic');
    if (local) s.watchLocalTraffic = local.boolean();
    return s;
  },
});
