// Reads a resolv.conf: the stub resolver's nameservers, search list and options, which tell the
// analysis the resolver's role, its retry timeout (the 5 s stall) and the ndots search behaviour.
import { readFileSync } from 'node:fs';

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
  /** options timeout:N, in ms (glibc default 5 s). */
  timeoutMs: number;
  attempts: number;
  /** single-request, single-request-reopen, use-vc… as written. */
  options: string[];
}

export function defaultResolvConf(): ResolvConf {
  return { nameservers: [], search: [], ndots: 1, timeoutMs: 5_000, attempts: 2, options: [] };
}

/** Parses resolv.conf text; unknown lines are ignored, as the C library does. */
export function parseResolvConf(text: string): ResolvConf {
  const conf = defaultResolvConf();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...args] = line.split(/\s+/);
    if (key === 'nameserver' && args[0]) conf.nameservers.push(args[0].replace(/%.*$/, ''));
    else if (key === 'search' || key === 'domain') conf.search = args.map((d) => d.toLowerCase().replace(/\.$/, '')).filter(Boolean);
    else if (key === 'options') {
      for (const opt of args) {
        const [name, value] = opt.split(':');
        const n = Number(value);
        if (name === 'ndots' && Number.isInteger(n) && n >= 0) conf.ndots = Math.min(n, 15);
        else if (name === 'timeout' && Number.isInteger(n) && n >= 1) conf.timeoutMs = Math.min(n, 30) * 1000;
        else if (name === 'attempts' && Number.isInteger(n) && n >= 1) conf.attempts = Math.min(n, 5);
        else conf.options.push(opt);
      }
    }
  }
  return conf;
}

/** Reads the file; an absent or unreadable file gives the C library's defaults. */
export function readResolvConf(path: string): ResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return defaultResolvConf();
  }
}
