// Alerts: the conditions the engine raises and resolves, with the attribution of each problem.

export type AlertSeverity = 'page' | 'ticket' | 'info';

/** Where a problem lies, and why the engine thinks so. */
export interface Attribution {
  /**
   * local: this host's resolver, NAT or network; provider: the provider itself; host/zone: some hosts
   * or one zone; resolver: one resolver; process: only some client processes; unknown.
   */
  scope: 'local' | 'provider' | 'host' | 'zone' | 'resolver' | 'process' | 'unknown';
  /** What is named: host names, zone, resolver address or provider id. */
  targets: string[];
  /** One sentence, e.g. "4 unrelated providers failed together from this host: local network or resolver". */
  reason: string;
}

/** An alert the engine raises (firing) or clears (resolved). */
export interface Alert {
  /** De-duplication key: same fingerprint = same alert. */
  fingerprint: string;
  /** e.g. "SloBurnRatePage", "SloBurnRateTicket", "LatencyAnomaly", "DnsResolverDown". */
  name: string;
  severity: AlertSeverity;
  state: 'firing' | 'resolved';
  providerId: string | null;
  endpointId: string | null;
  summary: string;
  /** Extra labels (slo, window, resolver…), all strings. */
  labels: Record<string, string>;
  /** Figures behind the decision (burn rates, significance, counts). */
  values: Record<string, number>;
  attribution: Attribution | null;
  startsAt: number;
  endsAt: number | null;
  /** Last time the condition was evaluated true. */
  lastSeenAt: number;
}

/** State the alert evaluator keeps across restarts (active alerts, for de-duplication and resolve). */
export interface AlertState {
  active: Alert[];
}

