// Prometheus Alertmanager: POST /api/v2/alerts with labels, annotations, startsAt and (for resolved alerts) endsAt.
//
// Alertmanager keeps an alert firing until its endsAt passes, so firing alerts are sent with an
// endsAt a little beyond the next repeat (it then resolves them on its own if this agent dies), and
// resolved alerts with their real endsAt.
import type { Alert } from '../health/alerts/alert.js';
import { postJson, redactUrl, type PostOptions } from './http-post.js';
import type { NotificationBatch, Notifier } from './notifier.js';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Label names must match [a-zA-Z_][a-zA-Z0-9_]*. */
function labelName(k: string): string {
  const s = k.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(s) ? s : `_${s}`;
}

export function alertmanagerAlerts(batch: NotificationBatch, firingTtlMs: number): AlertmanagerAlert[] {
  const one = (a: Alert): AlertmanagerAlert => {
    const labels: Record<string, string> = { alertname: a.name, severity: a.severity, egresswatch_group: batch.groupKey, fingerprint: a.fingerprint };
    if (a.providerId) labels.provider = a.providerId;
    if (a.endpointId) labels.endpoint = a.endpointId;
    for (const [k, v] of Object.entries(a.labels)) labels[labelName(k)] = v;
    const annotations: Record<string, string> = { summary: a.summary };
    if (a.attribution) {
      annotations.attribution = a.attribution.scope;
      annotations.attribution_reason = a.attribution.reason;
    }
    if (batch.incident) annotations.incident = batch.incident.id;
    const endsAt = a.state === 'resolved' ? (a.endsAt ?? batch.at) : batch.at + firingTtlMs;
    return { labels, annotations, startsAt: new Date(a.startsAt).toISOString(), endsAt: new Date(endsAt).toISOString() };
  };
  return [...batch.firing, ...batch.resolved].map(one);
}

export interface AlertmanagerOptions extends PostOptions {
  /** How long Alertmanager should keep a firing alert without news from us. */
  firingTtlMs: number;
}

export class AlertmanagerNotifier implements Notifier {
  readonly description: string;
  private readonly endpoint: string;
  constructor(private readonly opts: AlertmanagerOptions) {
    this.endpoint = new URL('api/v2/alerts', opts.url.endsWith('/') ? opts.url : `${opts.url}/`).toString();
    this.description = `alertmanager ${redactUrl(opts.url)}`;
  }

  send(batch: NotificationBatch): Promise<void> {
    return postJson({ ...this.opts, url: this.endpoint }, alertmanagerAlerts(batch, this.opts.firingTtlMs));
  }
}
