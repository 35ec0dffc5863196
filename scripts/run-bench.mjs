// Runs one compiled benchmark (dist/bench/NAME.js) with its arguments, or lists them.
// Usage: npm run bench -- NAME [ARGS...]; each benchmark prints JSON figures beside its peer's.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('dist', 'bench');
const [name, ...args] = process.argv.slice(2);
const available = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort() : [];
if (!name) {
  console.log(`usage: npm run bench -- NAME [ARGS...]\nbenchmarks (build first: npm run build):\n  ${available.join('\n  ')}`);
  process.exit(available.length ? 0 : 1);
}
const file = join(dir, `${name.replace(/\.(ts|js)$/, '')}.js`);
if (!existsSync(file)) {
  console.error(`run-bench: no benchmark ${JSON.stringify(name)} in ${dir} (run npm run build first)`);
  process.exit(2);
}
const res = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
process.exit(res.status ?? 1);
