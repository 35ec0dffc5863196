// Who this agent is, in every series it exports and every event it records: a fleet's agents
// must never collide. `host` defaults to the machine's hostname; cluster and zone are optional.
import { hostname } from 'node:os';

export interface HostIdentity {
  host: string;
  cluster: string | null;
  zone: string | null;
}

export function defaultIdentity(): HostIdentity {
  return { host: hostname(), cluster: null, zone: null };
}

/** The identity as Prometheus labels: host always, cluster and zone when known. */
export function identityLabels(id: HostIdentity): Record<string, string> {
  const out: Record<string, string> = { host: id.host };
  if (id.cluster) out.cluster = id.cluster;
  if (id.zone) out.zone = id.zone;
  return out;
}

/** A host, cluster or zone name: printable, no spaces, at most 253 characters (a DNS name's length). */
export function identityProblem(value: string): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value.length > 253) return `is ${value.length} characters long (at most 253)`;
  if (!/^[\x21-\x7e]+$/.test(value)) return 'must be printable ASCII without spaces';
  return undefined;
}

/**
 * What cloud metadata adds to an identity: the zone and cluster it names that the configuration
 * left unset, and the values it names that cannot be labels (with why).
 */
export function learnIdentity(id: HostIdentity, found: { zone?: string; cluster?: string }): { learnt: { zone?: string; cluster?: string }; rejected: string[] } {
  const learnt: { zone?: string; cluster?: string } = {};
  const rejected: string[] = [];
  for (const key of ['zone', 'cluster'] as const) {
    const value = found[key];
    if (id[key] || value === undefined) continue;
    const problem = identityProblem(value);
    if (problem) rejected.push(`the ${key} ${problem}, left out: ${JSON.stringify(value)}`);
    else learnt[key] = value;
  }
  return { learnt, rejected };
}
