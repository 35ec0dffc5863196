// `egresswatch check`: runs the configured blackbox checks once (--once) or on their schedules,
// printing one result per line.
import { createCheckRunner } from '../blackbox/check-runner.js';
import { runChecksOnce } from '../blackbox/run-once.js';
import { warmUpProbers } from '../blackbox/warm-up.js';
import { CheckScheduler } from '../blackbox/scheduler.js';
import { loadConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import type { ProbeResult } from '../events.js';
import type { EndpointLabel } from '../external/endpoint-label.js';
import { LabelingStage } from '../external/labeling-stage.js';
import { flag, numberOpt, stringList, stringOpt } from './args.js';
import type { Check } from '../blackbox/types.js';
import type { Command, CommandContext, CommandIo } from './command.js';

/** Exit code when the configuration is fine but at least one check failed. */
export const EXIT_CHECK_FAILED = 3;

export const checkCommand: Command = {
  name: 'check',
  summary: 'run the blackbox checks (HTTP, DNS, TCP, TLS) once or on their schedules',
  usage: `egresswatch check --config FILE [--once] [--json] [--check NAME]... [--concurrency N]

Runs the checks of the configuration file's "checks:" section and prints one result per line:
status, target, per-phase timings and, on failure, the error kind and message. Without --once
the checks run on their schedules (cron or interval) until interrupted.

Options:
  --config FILE       the YAML configuration file (required)
  --once              run every check once, print the results and exit
  --json              one JSON object per line (ProbeResult, the stable output contract)
  --check NAME        only this check (repeatable)
  --concurrency N     probes in flight at once (default 32)

Exit status (with --once): 0 when every check passed, ${EXIT_CHECK_FAILED} when any check failed,
1 for a configuration error, 2 for a usage error. Without --once: 0 after an interrupt.`,
  options: {
    config: { type: 'string' },
    once: { type: 'boolean' },
    json: { type: 'boolean' },
    check: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
  },
  async run({ values, io, signal }) {
    const file = stringOpt(values, 'config');
    if (!file) throw new UsageError('--config FILE is required');
    const json = flag(values, 'json');
    const concurrency = numberOpt(values, 'concurrency', { min: 1, max: 10_000, integer: true }) ?? 32;
    const only = stringList(values, 'check');
    const config = loadConfig(file);
    const unknown = only.filter((name) => !config.checks.some((c) => c.name === name));
    if (unknown.length) throw new UsageError(`--check: no check named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in ${file}`);
    const checks = only.length ? config.checks.filter((c) => only.includes(c.name)) : config.checks;
    // Results carry provider/service labels, as in `run`; catalogue and ranges only (no AWS, no
    // ASN dataset): both take seconds to load, longer than a one-off run of the checks.
    const labels = new LabelingStage({ settings: config.labels, log: (line) => io.stderr.write(`check: ${line}\n`) });
    await labels.load({ asnDatabase: 'none', aws: false });
    const print = (r: ProbeResult) => {
      const labelled = withLabel(r, labels.labelProbe(r));
      io.stdout.write((json ? JSON.stringify(labelled) : formatResult(labelled)) + '\n');
    };
    const run = createCheckRunner();
    try {
      return await runChecks(values, checks, run, print, concurrency, signal, io);
    } finally {
      labels.close();
    }
  },
};

async function runChecks(values: CommandContext['values'], checks: Check[], run: ReturnType<typeof createCheckRunner>, print: (r: ProbeResult) => void, concurrency: number, signal: AbortSignal, io: CommandIo): Promise<number> {
    if (flag(values, 'once')) {
      // Every check runs once, together, right at start-up: without a warm-up each result would
      // carry the process's one-time costs. On a schedule only the first run or two would.
      await warmUpProbers(checks, run, signal);
      const results = await runChecksOnce(checks, run, signal, { concurrency, onResult: print });
      return results.every((r) => r.ok) ? 0 : EXIT_CHECK_FAILED;
    }
    const scheduler = new CheckScheduler({ checks, run, onResult: print, concurrency });
    scheduler.start();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await scheduler.stop();
    const s = scheduler.stats;
    io.stderr.write(`check: ${s.runs} runs (${s.cancelled} cancelled by the interrupt), ${s.skippedBusy} skipped (previous run still going), ${s.skippedLate} skipped (no free slot in time)\n`);
    return 0;
}

/** The result as printed: with the provider and service its label found, when the check named none. */
function withLabel(r: ProbeResult, label: EndpointLabel): ProbeResult {
  return {
    ...r,
    ...(label.provider !== undefined ? { provider: label.provider } : {}),
    ...(label.service !== undefined ? { service: label.service } : {}),
  };
}

/** One line for people; text from the network is already quoted by the probers, control bytes are escaped here. */
export function formatResult(r: ProbeResult): string {
  const p = r.phases;
  const phases = (['dnsMs', 'connectMs', 'tlsMs', 'firstByteMs', 'transferMs'] as const)
    .filter((k) => p[k] !== undefined)
    .map((k) => `${k.replace('Ms', '')}=${p[k]!.toFixed(1)}`)
    .join(' ');
  const facts = [r.status !== undefined ? `status=${r.status}` : '', r.rcode ? `rcode=${r.rcode}` : '', r.ip ? `ip=${r.ip}${r.ipChanged ? ' (changed)' : ''}` : '', r.certExpiryDays !== undefined ? `cert=${r.certExpiryDays}d` : '', r.provider ? `provider=${r.provider}` : '']
    .filter(Boolean)
    .join(' ');
  const tail = r.ok ? (r.warnings?.length ? `warning: ${r.warnings.join('; ')}` : '') : `${r.error?.kind}: ${r.error?.message}`;
  const line = `${r.ok ? 'ok  ' : 'FAIL'} ${r.check} ${r.target} ${p.totalMs.toFixed(1)}ms [${phases}] ${facts}${r.attempts > 1 ? ` attempts=${r.attempts}` : ''} ${tail}`;
  return line.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).trimEnd();
}
