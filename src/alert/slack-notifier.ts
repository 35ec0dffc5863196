// Slack-compatible incoming webhook: one message per batch with a text fallback and blocks.
import type { Alert } from '../health/alerts/alert.js';
import { postJson, redactUrl, type PostOptions } from './http-post.js';
import type { NotificationBatch, Notifier } from './notifier.js';

/** Slack mrkdwn treats &, < and > as markup; names from the network must not inject links or mentions. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function line(a: Alert): string {
  const icon = a.state === 'resolved' ? ':white_check_mark:' : a.severity === 'page' ? ':rotating_light:' : ':warning:';
  const where = a.attribution ? ` _${slackEscape(a.attribution.reason)}_` : '';
  return `${icon} *${slackEscape(a.name)}* ${slackEscape(a.summary)}${where}`;
}

export function slackPayload(batch: NotificationBatch): { text: string; blocks: unknown[] } {
  const title = batch.firing.length > 0
    ? `[FIRING:${batch.firing.length}] ${slackEscape(batch.groupKey)}`
    : `[RESOLVED] ${slackEscape(batch.groupKey)}`;
  const lines = [...batch.firing, ...batch.resolved].map(line);
  return {
    text: `${title}\n${lines.join('\n')}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } },
    ],
  };
}

export class SlackNotifier implements Notifier {
  readonly description: string;
  constructor(private readonly opts: PostOptions) {
    this.description = `slack ${redactUrl(opts.url)}`;
  }

  send(batch: NotificationBatch): Promise<void> {
    return postJson(this.opts, slackPayload(batch));
  }
}
