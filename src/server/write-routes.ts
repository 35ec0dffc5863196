// The routes that change state: incident notes, maintenance windows and silences. Each needs
// the configured bearer token (checkWriteAccess runs before any lookup, so an unauthenticated
// caller learns nothing about ids), and validates its JSON body into one-line 400 messages.
import { randomBytes } from 'node:crypto';
import type { MaintenanceWindow, Silence } from '../health/alerts/suppression.js';
import { apiError, jsonReply, type Reply } from './reply.js';
import type { Handler, RequestContext, Router } from './router.js';
import type { ServerSources } from './status-sources.js';
import { checkWriteAccess } from './write-access.js';

/** A body field failed validation; the message names the field. */
class BadField extends Error {}

type Body = Record<string, unknown>;

function parseBody(ctx: RequestContext): Body {
  const type = ctx.req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BadField('the body must be JSON (Content-Type: application/json)');
  let value: unknown;
  try {
    value = JSON.parse(ctx.body.toString('utf8'));
  } catch (err) {
    throw new BadField(`the body is not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadField('the body must be a JSON object');
  return value as Body;
}

function text(body: Body, key: string, opts: { required: boolean; max?: number }): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (opts.required) throw new BadField(`"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw new BadField(`"${key}" must be a non-empty string`);
  const max = opts.max ?? 2000;
  if (v.length > max) throw new BadField(`"${key}" must be at most ${max} characters`);
  return v;
}

/** An instant as an ISO-8601 string or ms since the epoch. */
function instant(body: Body, key: string, fallback?: number): number {
  const v = body[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new BadField(`"${key}" is required (an ISO-8601 time or ms since the epoch)`);
  }
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new BadField(`"${key}" must be an ISO-8601 time or ms since the epoch, got ${JSON.stringify(v)}`);
  return ms;
}

/** How far from now a maintenance window or silence may start or end: a year. */
const MAX_SPAN_MS = 366 * 86_400_000;

/** endsAt after startsAt, both within a year of now (the year 275760 is a typo, not a plan). */
function checkSpan(item: { startsAt: number; endsAt: number }, now: number): void {
  if (item.endsAt <= item.startsAt) throw new BadField('"endsAt" must be after "startsAt"');
  for (const key of ['startsAt', 'endsAt'] as const) {
    if (Math.abs(item[key] - now) > MAX_SPAN_MS) throw new BadField(`"${key}" must be within a year of now, got ${new Date(item[key]).toISOString()}`);
  }
}

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export function addWriteRoutes(router: Router, sources: ServerSources, token: string | undefined): void {
  const { store } = sources;
  /** Wraps a handler: token first, then body errors become 400s. */
  const guarded = (handler: Handler): Handler => async (ctx) => {
    const denied = checkWriteAccess(ctx.req, token);
    if (denied) return denied;
    try {
      return await handler(ctx);
    } catch (err) {
      if (err instanceof BadField) return apiError(400, 'bad_request', err.message);
      throw err;
    }
  };

  router.add('POST', '/api/v1/incidents/{id}/notes', guarded(async (ctx) => {
    const body = parseBody(ctx);
    const note = { at: sources.now(), author: text(body, 'author', { required: false, max: 100 }) ?? 'operator', text: text(body, 'text', { required: true })! };
    const incident = await store.addIncidentNote(ctx.params.id, note);
    return incident ? jsonReply(incident, 201) : apiError(404, 'not_found', `no incident with id ${JSON.stringify(ctx.params.id)}`);
  }));

  router.add('POST', '/api/v1/maintenance', guarded(async (ctx) => {
    const body = parseBody(ctx);
    const now = sources.now();
    const window: MaintenanceWindow = {
      id: newId('mw'),
      scope: text(body, 'scope', { required: false, max: 300 }) ?? '*',
      startsAt: instant(body, 'startsAt', now),
      endsAt: instant(body, 'endsAt'),
      reason: text(body, 'reason', { required: true })!,
      createdBy: text(body, 'createdBy', { required: false, max: 100 }) ?? 'operator',
      createdAt: now,
    };
    checkSpan(window, now);
    await store.putMaintenance(window);
    return jsonReply(window, 201);
  }));
  router.add('DELETE', '/api/v1/maintenance/{id}', guarded(async ({ params }) => (await store.deleteMaintenance(params.id)) ? noContent() : apiError(404, 'not_found', `no maintenance window with id ${JSON.stringify(params.id)}`)));

  router.add('POST', '/api/v1/silences', guarded(async (ctx) => {
    const body = parseBody(ctx);
    const now = sources.now();
    const silence: Silence = {
      id: newId('sil'),
      providerId: text(body, 'providerId', { required: false, max: 300 }),
      endpointId: text(body, 'endpointId', { required: false, max: 300 }),
      alertName: text(body, 'alertName', { required: false, max: 200 }),
      startsAt: instant(body, 'startsAt', now),
      endsAt: instant(body, 'endsAt'),
      comment: text(body, 'comment', { required: true })!,
      createdBy: text(body, 'createdBy', { required: false, max: 100 }) ?? 'operator',
      createdAt: now,
    };
    checkSpan(silence, now);
    for (const k of ['providerId', 'endpointId', 'alertName'] as const) if (silence[k] === undefined) delete silence[k];
    await store.putSilence(silence);
    return jsonReply(silence, 201);
  }));
  router.add('DELETE', '/api/v1/silences/{id}', guarded(async ({ params }) => (await store.deleteSilence(params.id)) ? noContent() : apiError(404, 'not_found', `no silence with id ${JSON.stringify(params.id)}`)));
}

function noContent(): Reply {
  return { status: 204, headers: {}, body: '' };
}
