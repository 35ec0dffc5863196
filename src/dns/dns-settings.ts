// Settings of DNS analysis (the `dns:` section): timeouts, resolver roles, table sizes, windows.

export interface DnsSettings {
  timeoutMs: number;
  resolvConf: string;
  clusterDns: string[];
  nodeLocal: string[];
  searchDomains?: string[];
  clientTimeoutMs?: number;
  topN: number;
  windowMs: number;
  horizonMs: number;
  minQueries: number;
}

export function defaultDnsSettings(): DnsSettings {
  return { timeoutMs: 5_000, resolvConf: '/etc/resolv.conf', clusterDns: [], nodeLocal: [], topN: 20, windowMs: 10_000, horizonMs: 300_000, minQueries: 3 };
}

