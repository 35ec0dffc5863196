// `egresswatch data refresh`: downloads the published cloud IP-range files (or imports them from
// a directory with --from), validates each and keeps the last good copy of any that fails.
import { readdirSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { rangeFeeds } from '../external/feeds/ip-range-feeds.js';
import { importRanges, refreshRanges, type FeedUpdate } from '../external/feeds/ip-range-store.js';
import { resolveDataDir } from '../external/feeds/label-data.js';
import { defaultLabelsSettings } from '../external/labels-settings.js';
import { flag, numberOpt, stringList, stringOpt } from './args.js';
import type { Command } from './command.js';

/** Exit status when at least one feed kept its previous copy (download or validation failed). */
export const EXIT_FEED_KEPT = 3;

const FEED_IDS = rangeFeeds.map((f) => f.id);

export const dataRefreshCommand: Command = {
  name: 'data refresh',
  summary: 'download (or import) the published cloud IP ranges used for labelling',
  usage: `egresswatch data refresh [--data DIR] [--from DIR] [--feed ID]... [--json]

Downloads AWS ip-ranges.json, Google Cloud cloud.json, Cloudflare's and Fastly's address lists
into the data directory. Each file is validated first: one that fails to download or to parse
leaves the previous good copy in place. Azure service tags have no stable address: import
ServiceTags_Public_*.json with --from.

Options:
  --data DIR        data directory (default: labels.dataDir, else $EGRESSWATCH_DATA_DIR, else
                    /var/lib/egresswatch/ip-ranges)
  --from DIR        import the files found in DIR instead of downloading (offline hosts); names
                    as written by refresh or the official ones (ip-ranges.json, cloud.json…)
  --feed ID         only this feed: ${FEED_IDS.join(', ')} (repeatable)
  --url ID=URL      download this feed from URL instead (a mirror; repeatable)
  --timeout SECONDS per download (default 30)
  --config FILE     configuration file (for labels.dataDir)
  --json            one JSON object per feed

Exit status: 0 when every feed was updated, ${EXIT_FEED_KEPT} when any kept its previous copy.`,
  options: {
    data: { type: 'string' },
    from: { type: 'string' },
    feed: { type: 'string', multiple: true },
    url: { type: 'string', multiple: true },
    timeout: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io, signal }) {
    const configFile = stringOpt(values, 'config');
    const settings = configFile ? loadConfig(configFile).labels : defaultLabelsSettings();
    const dir = resolveDataDir(settings, stringOpt(values, 'data'));
    const feeds = stringList(values, 'feed');
    const unknown = feeds.filter((f) => !FEED_IDS.includes(f));
    if (unknown.length) throw new UsageError(`--feed: unknown feed ${unknown.map((f) => JSON.stringify(f)).join(', ')} (expected ${FEED_IDS.join(', ')})`);
    const urls: Record<string, string> = {};
    for (const spec of stringList(values, 'url')) {
      const m = /^([a-z]+)=(https?:\/\/\S+)$/.exec(spec);
      if (!m || !FEED_IDS.includes(m[1])) throw new UsageError(`--url must be ID=URL with ID one of ${FEED_IDS.join(', ')}, got ${JSON.stringify(spec)}`);
      urls[m[1]] = m[2];
    }
    const timeout = numberOpt(values, 'timeout', { min: 1 }) ?? 30;
    const from = stringOpt(values, 'from');
    let results: FeedUpdate[];
    if (from) {
      let names: string[];
      try {
        names = readdirSync(from);
      } catch (err) {
        throw new UsageError(`--from: cannot read directory ${JSON.stringify(from)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      results = importRanges(from, dir, names).filter((r) => feeds.length === 0 || feeds.includes(r.id));
      if (results.length === 0) throw new UsageError(`--from: no range files found in ${JSON.stringify(from)}`);
    } else {
      results = await refreshRanges(dir, { ...(feeds.length ? { feeds } : {}), urls, timeoutMs: timeout * 1000, signal });
    }
    for (const r of results) {
      if (flag(values, 'json')) io.stdout.write(JSON.stringify({ ...r, dir }) + '\n');
      else io.stdout.write(`${r.id}: ${r.outcome}${r.prefixes !== undefined ? ` (${r.prefixes} prefixes)` : ''}${r.reason ? `: ${r.reason}` : ''}\n`);
    }
    return results.some((r) => r.outcome === 'kept') ? EXIT_FEED_KEPT : 0;
  },
};
