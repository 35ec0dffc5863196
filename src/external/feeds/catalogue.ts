// The provider catalogue: hostname patterns naming providers and managed services, with the
// service, region and resource taken from the name where it carries them.
//
// Pattern syntax (documented in data/README.md; also used for entries in the configuration):
//   labels are matched case-insensitively, separated by dots;
//   *            any characters within one label (at least one)
//   **           one or more whole labels (only as the first label)
//   {service} {region} {resource}     capture one label, or part of one ("s3-{region}"); a
//                region is letters and dashes with optional trailing digits ("eu-west-1", "westeurope")
//   {resource+}  capture one or more whole labels (bucket names with dots)
// Patterns are tried longest literal suffix first, then in file order.

export interface CatalogueExample {
  host: string;
  service?: string;
  region?: string;
  resource?: string;
}

export interface CatalogueEntry {
  provider: string;
  /** Fixed service name; a {service} capture overrides it. */
  service?: string;
  /** Kind of dependency: payments, messaging, email, identity, observability, database… */
  category?: string;
  patterns: string[];
  /** Names this entry must match (checked by the tests), with the fields it must extract. */
  examples: CatalogueExample[];
  /** Names it must not match. */
  counterExamples: string[];
}

export interface CatalogueMatch {
  provider: string;
  service?: string;
  region?: string;
  resource?: string;
  category?: string;
  /** The pattern that matched, for explaining a label. */
  pattern: string;
}

interface CompiledPattern {
  entry: CatalogueEntry;
  pattern: string;
  regex: RegExp;
}

const LABEL_CHARS = '[a-z0-9_-]';
/** Regions look like "eu-west-1", "europe-west1", "westeurope", "use1", "us21": words, then digits. */
const REGION_CHARS = '[a-z]+(?:-[a-z]+)*(?:-?[0-9]+)?';
const CAPTURES = new Set(['service', 'region', 'resource']);

/** AWS ElastiCache and a few others write regions in a short form ("use1"). */
const AWS_SHORT_REGIONS: Record<string, string> = {
  use1: 'us-east-1', use2: 'us-east-2', usw1: 'us-west-1', usw2: 'us-west-2', euw1: 'eu-west-1', euw2: 'eu-west-2',
  euw3: 'eu-west-3', euc1: 'eu-central-1', euc2: 'eu-central-2', eun1: 'eu-north-1', eus1: 'eu-south-1', aps1: 'ap-south-1',
  apse1: 'ap-southeast-1', apse2: 'ap-southeast-2', apne1: 'ap-northeast-1', apne2: 'ap-northeast-2', apne3: 'ap-northeast-3',
  cac1: 'ca-central-1', sae1: 'sa-east-1', mes1: 'me-south-1', afs1: 'af-south-1', ape1: 'ap-east-1',
};

/** Turns one pattern into an anchored regular expression and its literal suffix (for the index). */
export function compilePattern(pattern: string): { regex: RegExp; suffix: string } {
  const labels = pattern.toLowerCase().split('.');
  if (labels.some((l) => l === '')) throw new Error(`pattern "${pattern}" has an empty label`);
  const parts = labels.map((label, i) => {
    if (label === '**') {
      if (i !== 0) throw new Error(`pattern "${pattern}": ** is only allowed as the first label`);
      return `(?:${LABEL_CHARS}+\\.)*${LABEL_CHARS}+`;
    }
    if (label === '{resource+}') {
      if (i !== 0) throw new Error(`pattern "${pattern}": {resource+} is only allowed as the first label`);
      return `(?<resource>(?:${LABEL_CHARS}+\\.)*${LABEL_CHARS}+)`;
    }
    let out = '';
    const token = /\{([a-z+]+)\}|\*|([^{*]+)/g;
    for (let m = token.exec(label); m; m = token.exec(label)) {
      if (m[0] === '*') out += `${LABEL_CHARS}+`;
      else if (m[1] !== undefined) {
        if (!CAPTURES.has(m[1])) throw new Error(`pattern "${pattern}": unknown capture {${m[1]}} (use {service}, {region}, {resource} or {resource+})`);
        out += `(?<${m[1]}>${m[1] === 'region' ? REGION_CHARS : `${LABEL_CHARS}+`})`;
      } else {
        if (!/^[a-z0-9_-]+$/.test(m[2])) throw new Error(`pattern "${pattern}": unexpected characters in "${m[2]}"`);
        out += m[2];
      }
    }
    return out;
  });
  const counts = new Map<string, number>();
  for (const name of pattern.matchAll(/\{([a-z]+)\+?\}/g)) counts.set(name[1], (counts.get(name[1]) ?? 0) + 1);
  for (const [name, n] of counts) if (n > 1) throw new Error(`pattern "${pattern}": {${name}} appears twice`);
  const literal: string[] = [];
  for (let i = labels.length - 1; i >= 0 && /^[a-z0-9_-]+$/.test(labels[i]); i--) literal.unshift(labels[i]);
  return { regex: new RegExp(`^${parts.join('\\.')}$`), suffix: literal.join('.') };
}

/** Lower-cases and strips a trailing dot. */
function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export class Catalogue {
  /** Patterns by literal suffix ("" for patterns without one). */
  private readonly index = new Map<string, CompiledPattern[]>();
  private readonly cache = new Map<string, CatalogueMatch | null>();
  private readonly cacheCap: number;
  readonly entries: readonly CatalogueEntry[];

  /** Entries earlier in the list win among patterns with the same literal suffix. */
  constructor(entries: readonly CatalogueEntry[], options: { cacheSize?: number } = {}) {
    this.entries = entries;
    this.cacheCap = options.cacheSize ?? 20_000;
    for (const entry of entries) {
      for (const pattern of entry.patterns) {
        const { regex, suffix } = compilePattern(pattern);
        let list = this.index.get(suffix);
        if (!list) this.index.set(suffix, (list = []));
        list.push({ entry, pattern, regex });
      }
    }
  }

  /** The entry a hostname belongs to, with the parts its name carries; undefined when none. */
  match(hostname: string): CatalogueMatch | undefined {
    const host = normaliseHost(hostname);
    const cached = this.cache.get(host);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.search(host);
    if (this.cache.size >= this.cacheCap) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(host, found ?? null);
    return found;
  }

  private search(host: string): CatalogueMatch | undefined {
    const labels = host.split('.');
    for (let k = 0; k <= labels.length; k++) {
      const suffix = labels.slice(k).join('.');
      const list = this.index.get(suffix);
      if (!list) continue;
      for (const p of list) {
        const m = p.regex.exec(host);
        if (!m) continue;
        const g = m.groups ?? {};
        const result: CatalogueMatch = { provider: p.entry.provider, pattern: p.pattern };
        const service = g.service ?? p.entry.service;
        if (service) result.service = service;
        if (g.region) result.region = p.entry.provider === 'aws' ? AWS_SHORT_REGIONS[g.region] ?? g.region : g.region;
        if (g.resource) result.resource = g.resource;
        if (p.entry.category) result.category = p.entry.category;
        return result;
      }
    }
    return undefined;
  }
}

/** Validates raw catalogue entries (from data/ or configuration); returns a problem with its path, or the entries. */
export function readCatalogueEntries(raw: unknown, where: string): { ok: true; entries: CatalogueEntry[] } | { ok: false; problem: string } {
  if (!Array.isArray(raw)) return { ok: false, problem: `${where}: expected a list of entries` };
  const entries: CatalogueEntry[] = [];
  for (let i = 0; i < raw.length; i++) {
    const at = `${where}[${i}]`;
    const e = raw[i] as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return { ok: false, problem: `${at}: expected a mapping` };
    const known = ['provider', 'service', 'category', 'patterns', 'examples', 'counterExamples'];
    const unknown = Object.keys(e).find((k) => !known.includes(k));
    if (unknown) return { ok: false, problem: `${at}.${unknown}: unknown key (expected one of: ${known.join(', ')})` };
    if (typeof e.provider !== 'string' || !e.provider.trim()) return { ok: false, problem: `${at}.provider: expected a non-empty string` };
    for (const key of ['service', 'category'] as const) {
      if (e[key] !== undefined && typeof e[key] !== 'string') return { ok: false, problem: `${at}.${key}: expected a string` };
    }
    if (!Array.isArray(e.patterns) || e.patterns.length === 0 || !e.patterns.every((p) => typeof p === 'string')) {
      return { ok: false, problem: `${at}.patterns: expected a non-empty list of strings` };
    }
    for (const p of e.patterns as string[]) {
      try {
        compilePattern(p);
      } catch (err) {
        return { ok: false, problem: `${at}.patterns: ${(err as Error).message}` };
      }
    }
    const examples: CatalogueExample[] = [];
    for (const ex of Array.isArray(e.examples) ? e.examples : []) {
      if (typeof ex === 'string') examples.push({ host: ex });
      else if (typeof ex === 'object' && ex !== null && typeof (ex as CatalogueExample).host === 'string') examples.push(ex as CatalogueExample);
      else return { ok: false, problem: `${at}.examples: expected host names or {host, service, region, resource}` };
    }
    const counterExamples = Array.isArray(e.counterExamples) ? e.counterExamples.filter((c): c is string => typeof c === 'string') : [];
    entries.push({
      provider: e.provider,
      ...(typeof e.service === 'string' ? { service: e.service } : {}),
      ...(typeof e.category === 'string' ? { category: e.category } : {}),
      patterns: e.patterns as string[],
      examples,
      counterExamples,
    });
  }
  return { ok: true, entries };
}
