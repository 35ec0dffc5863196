// The page's static files (stylesheet, chart script, uPlot from its npm package), read once at
// start and served with an ETag: shipped with the package, never fetched from a CDN.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply } from './reply.js';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The package root: the nearest parent with both package.json and data/server. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data', 'server'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('egresswatch: data/server not found above the server module; the package is incomplete');
    dir = up;
  }
}

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor() {
    const root = packageRoot();
    const require = createRequire(import.meta.url);
    const uplotDir = dirname(require.resolve('uplot'));
    const files: [string, string, string][] = [
      ['status.css', join(root, 'data', 'server', 'status.css'), 'text/css; charset=utf-8'],
      ['charts.js', join(root, 'data', 'server', 'charts.js'), 'text/javascript; charset=utf-8'],
      ['uplot.iife.min.js', join(uplotDir, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
      ['uplot.min.css', join(uplotDir, 'uPlot.min.css'), 'text/css; charset=utf-8'],
    ];
    for (const [name, path, type] of files) {
      const body = readFileSync(path);
      this.assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
    }
  }

  /** The reply for /assets/<name>, a 304 when the client has it, undefined when unknown. */
  reply(name: string, ifNoneMatch: string | undefined): Reply | undefined {
    const asset = this.assets.get(name);
    if (!asset) return undefined;
    const headers = { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'public, max-age=3600' };
    if (ifNoneMatch === asset.etag) return { status: 304, headers, body: '' };
    return { status: 200, headers, body: asset.body };
  }
}
