// The ASN lookup contract shared by the MaxMind-format reader and the CSV range dataset.

export interface AsnRecord {
  asn: number;
  org: string;
}

export interface AsnDatabase {
  /** Human description for messages, e.g. "GeoLite2-ASN.mmdb" or the npm dataset's name. */
  readonly description: string;
  lookup(ip: string): AsnRecord | undefined;
}
