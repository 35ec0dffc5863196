// Private, loopback, link-local and other special-purpose addresses are "internal", unless a
// source earlier in the precedence list (configuration, AWS metadata, DNS) says more.
import type { EndpointLabel, LabelQuery } from '../endpoint-label.js';
import { parseAddress, specialRange } from '../ip/ip-address.js';

/** The internal label for a special-purpose address, or undefined for a public one. */
export function internalLabel(query: LabelQuery): EndpointLabel | undefined {
  const addr = parseAddress(query.ip);
  const range = addr && specialRange(addr);
  return range ? { ip: query.ip, provider: 'internal', service: range, source: 'ip-ranges', confidence: 0.9 } : undefined;
}
