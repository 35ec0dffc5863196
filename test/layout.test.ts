// The data flow of README's "How it fits together", read from the imports: each folder of src/
// imports only the stages before it, so data moves one way (sources → events → DNS analysis and
// labels → aggregation → alerting and surfaces) and there are no import cycles between stages.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/paths.js';

const src = join(repoRoot, 'src');
/** Files directly in src/ (events, clock, errors, time slicing): shared by every stage. */
const SHARED = '(src)';

/** What each stage may import besides itself and the shared files. */
const ALLOWED: Record<string, readonly string[]> = {
  sketch: [],
  capture: [],
  bpf: ['capture'],
  blackbox: [],
  dns: ['sketch'],
  external: ['dns'],
  health: ['dns', 'external', 'sketch'],
  alert: ['health'],
  store: ['health', 'sketch'],
  // server: /metrics counts the labelled events as they pass (external's LabeledSink).
  server: ['dns', 'external', 'health', 'store'],
  // fleet: the health snapshot from a Prometheus-compatible engine, with the engine's own rules.
  fleet: ['health'],
  // config validates files into the settings types each stage owns.
  config: ['alert', 'blackbox', 'bpf', 'dns', 'external', 'fleet', 'health', 'server', 'store'],
  // cli wires every stage together (the `run` command) and runs single stages (check, label…).
  cli: ['alert', 'blackbox', 'bpf', 'capture', 'config', 'dns', 'external', 'fleet', 'health', 'server', 'store'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function stageOf(path: string): string {
  const parts = relative(src, path).split('/');
  return parts.length === 1 ? SHARED : parts[0];
}

test('each stage imports only the stages before it in the data flow', () => {
  const wrong: string[] = [];
  const seen = new Set<string>();
  for (const file of sourceFiles(src)) {
    const from = stageOf(file);
    seen.add(from);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const to = stageOf(resolve(dirname(file), m[1]));
      if (to === from || to === SHARED) continue;
      if (!(ALLOWED[from] ?? []).includes(to)) wrong.push(`${relative(repoRoot, file)} imports ${m[1]} (${from} → ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
  // Every folder of src/ is placed in the flow (a new stage must say where it sits).
  assert.deepEqual([...seen].filter((s) => s !== SHARED && !(s in ALLOWED)), []);
});

test('the shared files import no stage', () => {
  const shared = sourceFiles(src).filter((f) => stageOf(f) === SHARED);
  assert.ok(shared.length > 0);
  for (const file of shared) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      assert.equal(stageOf(resolve(dirname(file), m[1])), SHARED, `${relative(repoRoot, file)} imports ${m[1]}`);
    }
  }
});
