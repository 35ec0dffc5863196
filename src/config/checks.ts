// The `checks:` section: blackbox check definitions (src/blackbox/), defaults first, then validation.
//
// Every check: name, type (http|dns|tcp|tls), schedule (cron) or interval (default 60s),
// timeout (5s, at most the interval), retries (0) and retryBackoff (1s, doubling), provider,
// service, failureThreshold (3 failed runs in a row page), successThreshold (2 passing runs
// recover). Durations: "500ms", "5s", "2m", "1h" or a number of seconds.
//   http: url, method (GET), headers, body, followRedirects (true), maxRedirects (10), http2
//         (false), tls {caFile, insecureSkipVerify, serverName}, proxy (http://host:port, CONNECT),
//         resolver (host[:53]), maxBodyBytes (1 MiB), expect {status ([200-299]; numbers or "2xx"),
//         bodyContains, bodyNotContains, bodyMatches, json [{path, equals}],
//         headers [{name, equals, matches, present}], httpVersion ("1.1"|"2"), maxMs}
//   dns:  resolver (host[:53]), transport (udp|tcp), query {name, type (A)}, recursionDesired
//         (true), expect {rcodes ([NOERROR]), answers, minAnswers, maxMs}
//   tcp:  target host:port, send, expect {contains, matches, maxMs}
//   tls:  target host[:443], tls {...}, warnDays (21), failDays (7), minVersion, expect {maxMs}
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Cron } from 'croner';
import type {
  Check, CheckBase, CheckSchedule, DnsCheck, HeaderExpectation, HttpCheck, JsonPathExpectation, TcpCheck, TlsCheck, TlsClientSettings,
} from '../blackbox/types.js';
import type { ConfigObject, ConfigValue } from './config-value.js';
import { defineSection, type ConfigContext } from './section.js';

const CHECK_TYPES = ['http', 'dns', 'tcp', 'tls'] as const;
const COMMON_KEYS = ['name', 'type', 'schedule', 'interval', 'timeout', 'retries', 'retryBackoff', 'provider', 'service', 'failureThreshold', 'successThreshold'];
const TYPE_KEYS: Record<(typeof CHECK_TYPES)[number], string[]> = {
  http: ['url', 'method', 'headers', 'body', 'followRedirects', 'maxRedirects', 'http2', 'tls', 'proxy', 'resolver', 'maxBodyBytes', 'expect'],
  dns: ['resolver', 'transport', 'query', 'recursionDesired', 'expect'],
  tcp: ['target', 'send', 'expect'],
  tls: ['target', 'tls', 'warnDays', 'failDays', 'minVersion', 'expect'],
};
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'PTR', 'CAA'] as const;
export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 5_000,
  retries: 0,
  retryBackoffMs: 1_000,
  maxRedirects: 10,
  maxBodyBytes: 1 << 20,
  warnDays: 21,
  failDays: 7,
  failureThreshold: 3,
  successThreshold: 2,
};

export const checksSection = defineSection({
  key: 'checks',
  defaultValue: (): Check[] => [],
  validate: (value: ConfigValue, context: ConfigContext): Check[] => {
    const seen = new Set<string>();
    return value.list().map((item) => rememberName(item, readCheck(item, context), seen));
  },
});

/** Check names are unique: the second use of one is rejected at its name. */
export function rememberName(item: ConfigValue, check: Check, seen: Set<string>): Check {
  if (seen.has(check.name)) item.object(Object.keys(item.raw as object)).get('name').fail(`duplicate check name "${check.name}"`);
  seen.add(check.name);
  return check;
}

/** One check of the list (the validate command reads each on its own to report every problem). */
export function readCheck(item: ConfigValue, context: ConfigContext): Check {
  // The type decides which keys are allowed, so read it before checking the others.
  const type = item.object(Object.keys((item.raw as object | null) ?? {})).get('type').oneOf(CHECK_TYPES);
  const o = item.object([...COMMON_KEYS, ...TYPE_KEYS[type]]);
  const name = o.get('name').string();
  if (!NAME.test(name)) o.get('name').fail(`expected letters, digits, ".", "_" or "-" (at most 100), got ${JSON.stringify(name)}`);
  const schedule = readSchedule(o);
  const timeoutMs = o.optional('timeout')?.durationMs({ minMs: 1 }) ?? DEFAULTS.timeoutMs;
  if ('intervalMs' in schedule && timeoutMs > schedule.intervalMs) o.get('timeout').fail(`must not exceed the interval (${schedule.intervalMs / 1000}s)`);
  const base = {
    name,
    schedule,
    timeoutMs,
    retries: o.optional('retries')?.number({ min: 0, max: 10, integer: true }) ?? DEFAULTS.retries,
    retryBackoffMs: o.optional('retryBackoff')?.durationMs() ?? DEFAULTS.retryBackoffMs,
    provider: o.optional('provider')?.string(),
    service: o.optional('service')?.string(),
    failureThreshold: o.optional('failureThreshold')?.number({ min: 1, max: 100, integer: true }) ?? DEFAULTS.failureThreshold,
    successThreshold: o.optional('successThreshold')?.number({ min: 1, max: 100, integer: true }) ?? DEFAULTS.successThreshold,
  };
  switch (type) {
    case 'http': return readHttp(o, base, context);
    case 'dns': return readDns(o, base);
    case 'tcp': return readTcp(o, base);
    case 'tls': return readTls(o, base, context);
  }
}

type Base = Omit<CheckBase, 'type' | 'maxMs'>;

function readSchedule(o: ConfigObject): CheckSchedule {
  if (!o.has('schedule') && !o.has('interval')) return { intervalMs: DEFAULTS.intervalMs };
  if (o.exactlyOne(['schedule', 'interval']) === 'interval') return { intervalMs: o.get('interval').durationMs({ minMs: 1000 }) };
  const v = o.get('schedule');
  const cron = v.string();
  try {
    new Cron(cron, { paused: true }).stop();
  } catch (err) {
    v.fail(`invalid cron expression ${JSON.stringify(cron)}: ${(err as Error).message}`);
  }
  return { cron };
}

function readTlsSettings(v: ConfigValue | undefined, context: ConfigContext): TlsClientSettings {
  if (!v) return { insecureSkipVerify: false };
  const o = v.object(['caFile', 'insecureSkipVerify', 'serverName']);
  const settings: TlsClientSettings = {
    insecureSkipVerify: o.optional('insecureSkipVerify')?.boolean() ?? false,
    serverName: o.optional('serverName')?.string(),
  };
  const caFile = o.optional('caFile');
  if (caFile) {
    const path = caFile.string();
    const full = isAbsolute(path) ? path : join(context.dir, path);
    let pem: string;
    try {
      pem = readFileSync(full, 'utf8');
    } catch (err) {
      return caFile.fail(`cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) caFile.fail(`${JSON.stringify(path)} holds no PEM certificate`);
    settings.ca = pem;
    settings.caFile = full;
  }
  return settings;
}

/** Status codes: numbers or classes like "2xx". */
function readStatuses(v: ConfigValue): number[] {
  const out: number[] = [];
  for (const item of v.listOrOne()) {
    if (typeof item.raw === 'string' && /^[1-5]xx$/.test(item.raw)) {
      const base = Number(item.raw[0]) * 100;
      for (let s = base; s < base + 100; s++) out.push(s);
    } else {
      if (typeof item.raw !== 'number') item.fail(`expected a status code or a class like "2xx", got ${JSON.stringify(item.raw)}`);
      out.push(item.number({ min: 100, max: 599, integer: true }));
    }
  }
  return out;
}

function readHttp(o: ConfigObject, base: Base, context: ConfigContext): HttpCheck {
  const url = o.get('url').url(['http:', 'https:']);
  const headers = o.optional('headers')?.stringMap({ nonEmpty: false }) ?? {};
  const e = o.optional('expect')?.object(['status', 'bodyContains', 'bodyNotContains', 'bodyMatches', 'json', 'headers', 'httpVersion', 'maxMs']);
  const json: JsonPathExpectation[] = (e?.optional('json')?.listOrOne() ?? []).map((item) => {
    const j = item.object(['path', 'equals']);
    const equals = j.has('equals') ? j.get('equals').raw : null;
    if (typeof equals === 'object' && equals !== null) j.get('equals').fail('expected a string, number, boolean or null');
    return { path: j.get('path').string(), equals: equals as JsonPathExpectation['equals'] };
  });
  const headerExpectations: HeaderExpectation[] = (e?.optional('headers')?.listOrOne() ?? []).map((item) => {
    const x = item.object(['name', 'equals', 'matches', 'present']);
    return { name: x.get('name').string(), equals: x.optional('equals')?.string({ nonEmpty: false }), matches: x.optional('matches')?.regex(), present: x.optional('present')?.boolean() };
  });
  const proxy = o.optional('proxy');
  return {
    ...base,
    type: 'http',
    url: url.href,
    method: o.optional('method')?.oneOf(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) ?? 'GET',
    headers,
    body: o.optional('body')?.string({ nonEmpty: false }),
    followRedirects: o.optional('followRedirects')?.boolean() ?? true,
    maxRedirects: o.optional('maxRedirects')?.number({ min: 0, max: 50, integer: true }) ?? DEFAULTS.maxRedirects,
    http2: o.optional('http2')?.boolean() ?? false,
    tls: readTlsSettings(o.optional('tls'), context),
    proxy: proxy ? proxy.url(['http:']).origin : undefined,
    resolver: o.optional('resolver')?.hostPort(53),
    maxBodyBytes: o.optional('maxBodyBytes')?.number({ min: 0, integer: true }) ?? DEFAULTS.maxBodyBytes,
    maxMs: e?.optional('maxMs')?.number({ min: 0 }),
    expect: {
      status: e?.has('status') ? readStatuses(e.get('status')) : range(200, 300),
      bodyContains: (e?.optional('bodyContains')?.listOrOne() ?? []).map((v) => v.string()),
      bodyNotContains: (e?.optional('bodyNotContains')?.listOrOne() ?? []).map((v) => v.string()),
      bodyMatches: (e?.optional('bodyMatches')?.listOrOne() ?? []).map((v) => v.regex()),
      json,
      headers: headerExpectations,
      httpVersion: e?.optional('httpVersion')?.oneOf(['1.1', '2']),
    },
  };
}

function readDns(o: ConfigObject, base: Base): DnsCheck {
  const q = o.get('query').object(['name', 'type']);
  const e = o.optional('expect')?.object(['rcodes', 'rcode', 'answers', 'minAnswers', 'maxMs']);
  const rcodes = e?.optional('rcodes') ?? e?.optional('rcode');
  return {
    ...base,
    type: 'dns',
    resolver: o.get('resolver').hostPort(53),
    transport: o.optional('transport')?.oneOf(['udp', 'tcp']) ?? 'udp',
    query: { name: q.get('name').string().replace(/\.$/, ''), type: q.optional('type')?.oneOf(DNS_RECORD_TYPES) ?? 'A' },
    recursionDesired: o.optional('recursionDesired')?.boolean() ?? true,
    maxMs: e?.optional('maxMs')?.number({ min: 0 }),
    expect: {
      rcodes: rcodes ? rcodes.listOrOne().map((v) => v.oneOf(DNS_RCODES)) : ['NOERROR'],
      answers: (e?.optional('answers')?.listOrOne() ?? []).map((v) => v.string()),
      minAnswers: e?.optional('minAnswers')?.number({ min: 0, integer: true }),
    },
  };
}

function readTcp(o: ConfigObject, base: Base): TcpCheck {
  const e = o.optional('expect')?.object(['contains', 'matches', 'maxMs']);
  return {
    ...base,
    type: 'tcp',
    target: o.get('target').hostPort(),
    send: o.optional('send')?.string({ nonEmpty: false }),
    expectContains: e?.optional('contains')?.string(),
    expectMatches: e?.optional('matches')?.regex(),
    maxMs: e?.optional('maxMs')?.number({ min: 0 }),
  };
}

function readTls(o: ConfigObject, base: Base, context: ConfigContext): TlsCheck {
  const e = o.optional('expect')?.object(['maxMs']);
  const warnDays = o.optional('warnDays')?.number({ min: 0, integer: true }) ?? DEFAULTS.warnDays;
  const failDays = o.optional('failDays')?.number({ min: 0, integer: true }) ?? DEFAULTS.failDays;
  if (failDays > warnDays) o.get('failDays').fail(`must not exceed warnDays (${warnDays})`);
  return {
    ...base,
    type: 'tls',
    target: o.get('target').hostPort(443),
    tls: readTlsSettings(o.optional('tls'), context),
    warnDays,
    failDays,
    minVersion: o.optional('minVersion')?.oneOf(TLS_VERSIONS),
    maxMs: e?.optional('maxMs')?.number({ min: 0 }),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
