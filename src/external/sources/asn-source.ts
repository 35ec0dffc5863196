// The last source: who announces the address. It names no provider, only the ASN and its
// organisation, by which unknown addresses are grouped.
import type { AsnDatabase } from '../feeds/asn-database.js';
import type { EndpointLabel, LabelQuery, LabelSource } from '../endpoint-label.js';

export function createAsnSource(db: AsnDatabase): LabelSource {
  return {
    name: 'asn',
    lookup(query: LabelQuery): EndpointLabel | undefined {
      const r = db.lookup(query.ip);
      return r ? { ip: query.ip, source: 'asn', confidence: 0.2, asn: r.asn, asOrg: r.org } : undefined;
    },
  };
}
