// Generic JSON webhook: POSTs the batch as a stable JSON document (times as ISO strings and ms).
import type { Alert } from '../health/alerts/alert.js';
import { postJson, redactUrl, type PostOptions } from './http-post.js';
import type { NotificationBatch, Notifier } from './notifier.js';

export interface WebhookAlertJson {
  fingerprint: string;
  name: string;
  severity: string;
  status: 'firing' | 'resolved';
  provider: string | null;
  endpoint: string | null;
  summary: string;
  labels: Record<string, string>;
  values: Record<string, number>;
  attribution: Alert['attribution'];
  startsAt: string;
  startsAtMs: number;
  endsAt: string | null;
  endsAtMs: number | null;
}

export interface WebhookPayload {
  version: 1;
  groupKey: string;
  status: 'firing' | 'resolved';
  sentAt: string;
  alerts: WebhookAlertJson[];
  incident: { id: string; title: string; state: string; openedAt: string } | null;
}

function alertJson(a: Alert): WebhookAlertJson {
  return {
    fingerprint: a.fingerprint,
    name: a.name,
    severity: a.severity,
    status: a.state,
    provider: a.providerId,
    endpoint: a.endpointId,
    summary: a.summary,
    labels: a.labels,
    values: a.values,
    attribution: a.attribution,
    startsAt: new Date(a.startsAt).toISOString(),
    startsAtMs: a.startsAt,
    endsAt: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
    endsAtMs: a.endsAt,
  };
}

export function webhookPayload(batch: NotificationBatch): WebhookPayload {
  return {
    version: 1,
    groupKey: batch.groupKey,
    status: batch.firing.length > 0 ? 'firing' : 'resolved',
    sentAt: new Date(batch.at).toISOString(),
    alerts: [...batch.firing, ...batch.resolved].map(alertJson),
    incident: batch.incident
      ? { id: batch.incident.id, title: batch.incident.title, state: batch.incident.state, openedAt: new Date(batch.incident.openedAt).toISOString() }
      : null,
  };
}

export class WebhookNotifier implements Notifier {
  readonly description: string;
  constructor(private readonly opts: PostOptions) {
    this.description = `webhook ${redactUrl(opts.url)}`;
  }

  send(batch: NotificationBatch): Promise<void> {
    return postJson(this.opts, webhookPayload(batch));
  }
}
