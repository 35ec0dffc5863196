// The validated `labels:` configuration: what the endpoint labeler is built from.
import type { CatalogueEntry } from './feeds/catalogue.js';
import type { ConfiguredEndpoint } from './sources/config-source.js';

export interface AwsMetadataSettings {
  /** "auto": on when the SDK finds credentials; true: on, and a missing credential is reported; false: off. */
  enabled: boolean | 'auto';
  region?: string;
  /** Shared-config profile; default: the SDK's default chain. */
  profile?: string;
  /** EC2 API endpoint override (VPC endpoint, or a test server). */
  endpoint?: string;
  refreshIntervalMs: number;
}

export interface PassiveDnsSettings {
  maxEntries: number;
  maxAddressesPerName: number;
  graceMs: number;
}

export interface LabelsSettings {
  endpoints: ConfiguredEndpoint[];
  /** Extra catalogue entries, tried before the shipped ones. */
  catalogue: CatalogueEntry[];
  /** Where `egresswatch data refresh` keeps range files; undefined: the default data directory. */
  dataDir?: string;
  /** Extra range files to load (feed recognised by file name). */
  ipRangeFiles: string[];
  /** MaxMind-format ASN database; undefined: the npm dataset; "none": no ASN lookups. */
  asnDatabase?: string;
  passiveDns: PassiveDnsSettings;
  aws: AwsMetadataSettings;
  /**
   * Whether captured connections to loopback, link-local and this host's own addresses count as
   * calls to a provider. Off by default: they are the host talking to itself, not a dependency.
   * Checks count wherever their target is.
   */
  watchLocalTraffic: boolean;
}

export function defaultLabelsSettings(): LabelsSettings {
  return {
    endpoints: [],
    catalogue: [],
    ipRangeFiles: [],
    passiveDns: { maxEntries: 200_000, maxAddressesPerName: 32, graceMs: 10 * 60_000 },
    aws: { enabled: 'auto', refreshIntervalMs: 5 * 60_000 },
    watchLocalTraffic: false,
  };
}
