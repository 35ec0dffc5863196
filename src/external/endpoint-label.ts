// The endpoint label and the one contract every labelling source implements.
import type { PassiveDnsName } from './sources/passive-dns.js';

/** Where a label came from, in the order of precedence the labeler applies. */
export type LabelSourceName = 'config' | 'aws' | 'dns' | 'catalogue' | 'ip-ranges' | 'asn';

/** The precedence list: an earlier source's label wins over a later one's. */
export const LABEL_SOURCE_ORDER: readonly LabelSourceName[] = ['config', 'aws', 'dns', 'catalogue', 'ip-ranges', 'asn'];

/**
 * What egresswatch knows about one remote address. `source` is "none" (confidence 0) when no
 * source knew anything; provider is then absent and the address is grouped by ASN organisation.
 */
export interface EndpointLabel {
  ip: string;
  /** e.g. "stripe", "aws", "internal". */
  provider?: string;
  /** e.g. "api", "rds", "s3". */
  service?: string;
  /** Cloud region when the name, the metadata or the published range carries one. */
  region?: string;
  /** The name the application asked for (passive DNS) or that the caller gave. */
  hostname?: string;
  /** A named resource within the service: database, bucket, load balancer, function, instance. */
  resource?: string;
  source: LabelSourceName | 'none';
  /** How sure the source is, 0..1. */
  confidence: number;
  /**
   * The provider is only the registrable domain of a name nothing else knows: one per domain the
   * host contacts, so the engine keeps a bounded number of them (the rest count as "other").
   */
  discovered?: true;
  /**
   * Who operates the address block, from the published cloud ranges, when the label itself came
   * from another source and says something else ("api.example.com" served from AWS CloudFront).
   */
  network?: { provider: string; service?: string; region?: string };
  /** Autonomous system number and organisation, filled from the ASN database whatever the source. */
  asn?: number;
  asOrg?: string;
}

/** What a source is asked: the address, and hostnames already known for it. */
export interface LabelQuery {
  ip: string;
  /** A hostname the caller knows (e.g. a check's URL host); it wins over names from DNS. */
  hostname?: string;
  /** What passive DNS knows about the address, looked up once by the labeler. */
  dns?: PassiveDnsName;
  /** True for private, loopback and other special-purpose addresses. */
  special?: boolean;
}

/**
 * One labelling source: configuration, AWS metadata, passive DNS, catalogue, IP ranges or ASN.
 * lookup never throws for expected failures (no data, stale data): it returns undefined.
 */
export interface LabelSource {
  readonly name: LabelSourceName;
  lookup(query: LabelQuery): EndpointLabel | undefined;
}
