// The `server:` section: where the status page, JSON API and /metrics listen, and the bearer
// token that turns on the write operations (incident notes, maintenance windows, silences).
//
//   server:
//     listen: 127.0.0.1:9797   # host:port; `run --listen` overrides; [::1]:9797 for IPv6
//     token: "…"               # at least 16 characters; absent (and no tokenFile): writes are off
//     tokenFile: ./token       # or read the token from a file (relative to the config file)
//     hosts: [status.internal] # names the page is reached by, besides IP literals, localhost and this host's name
//     metricsTopN: 50          # providers and resolvers with their own /metrics series; the rest: "other"
//     maxConnections: 256      # open connections at most; more are closed at once
//     maxConnectionsPerClient: 32  # from one client address
//     page:
//       title: Payments platform   # header and page titles
//       logoUrl: https://example.com/logo.svg   # or a path on this server
//       groups: [{name: Payments, providers: [stripe, adyen]}]   # shown together, in this order
//       hide: [internal]           # left out of the overview page
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { defaultServerSettings, type PageSettings, type ServerSettings } from '../server/server-settings.js';
import type { ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';

const MIN_TOKEN_LENGTH = 16;

export const serverSection = defineSection({
  key: 'server',
  defaultValue: defaultServerSettings,
  validate: (value: ConfigValue, context: ConfigContext): ServerSettings => {
    const d = defaultServerSettings();
    const o = value.object(['listen', 'token', 'tokenFile', 'metricsTopN', 'hosts', 'maxConnections', 'maxConnectionsPerClient', 'page']);
    let token: string | undefined;
    if (o.has('token') && o.has('tokenFile')) o.get('tokenFile').fail('has both token and tokenFile; use only one');
    const t = o.optional('token');
    if (t) token = checkToken(t, t.string());
    const f = o.optional('tokenFile');
    if (f) {
      const path = f.string();
      const full = isAbsolute(path) ? path : join(context.dir, path);
      let text: string;
      try {
        text = readFileSync(full, 'utf8');
      } catch (err) {
        return f.fail(`cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      token = checkToken(f, text.trim());
    }
    return {
      listen: o.optional('listen')?.hostPort() ?? d.listen,
      ...(token !== undefined ? { token } : {}),
      metricsTopN: o.optional('metricsTopN')?.number({ min: 1, max: 10_000, integer: true }) ?? d.metricsTopN,
      hosts: (o.optional('hosts')?.listOrOne() ?? []).map((h) => h.string()),
      page: pageSettings(o.optional('page'), d.page),
      limits: {
        ...d.limits,
        maxConnections: o.optional('maxConnections')?.number({ min: 8, max: 100_000, integer: true }) ?? d.limits.maxConnections,
        maxPerClient: o.optional('maxConnectionsPerClient')?.number({ min: 1, max: 100_000, integer: true }) ?? d.limits.maxPerClient,
      },
    };
  },
});

function pageSettings(value: ConfigValue | undefined, d: PageSettings): PageSettings {
  if (!value) return d;
  const o = value.object(['title', 'logoUrl', 'groups', 'hide']);
  const title = o.optional('title');
  const logo = o.optional('logoUrl');
  let logoUrl: string | null = null;
  if (logo) {
    logoUrl = logo.string();
    if (!/^https?:\/\/[^\s"'<>]+$/.test(logoUrl) && !/^\/[^\s"'<>]*$/.test(logoUrl)) logo.fail('must be an http(s) URL or a path starting with "/"');
  }
  const groups = (o.optional('groups')?.listOrOne() ?? []).map((g) => {
    const go = g.object(['name', 'providers']);
    return { name: go.get('name').string(), providers: go.get('providers').listOrOne().map((p) => p.string()) };
  });
  return { title: title ? title.string() : d.title, logoUrl, groups, hide: (o.optional('hide')?.listOrOne() ?? []).map((h) => h.string()) };
}

function checkToken(where: ConfigValue, token: string): string {
  if (token.length < MIN_TOKEN_LENGTH) where.fail(`the token must be at least ${MIN_TOKEN_LENGTH} characters (got ${token.length})`);
  if (/\s/.test(token)) where.fail('the token must not contain spaces');
  return token;
}
