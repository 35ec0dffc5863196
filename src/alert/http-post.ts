// POSTs a JSON body with a timeout; turns every failure into a NotificationError (5xx, 429 and network errors are retryable).
import { NotificationError } from './notifier.js';

export interface PostOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Receivers' replies are untrusted: only a short, single-line excerpt goes into messages. */
function excerpt(text: string): string {
  const one = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

/** Logs must not show query strings or paths that may carry tokens (Slack URLs do). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : '/'}`;
  } catch {
    return '(invalid URL)';
  }
}

export async function postJson(opts: PostOptions, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no reply within ${opts.timeoutMs} ms` : e.cause?.code ?? e.message;
    throw new NotificationError(`POST ${redactUrl(opts.url)} failed: ${why}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return;
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  throw new NotificationError(`POST ${redactUrl(opts.url)} answered HTTP ${res.status}${text ? `: ${excerpt(text)}` : ''}`, retryable);
}
