// The list of CLI commands. Modules load lazily so `egresswatch --help` does no work at import.
import type { Command } from './command.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'run', summary: 'run the monitor: capture, DNS analysis, checks, store and status page', load: async () => (await import('./run-command.js')).runCommand },
  { name: 'capture', summary: 'print captured DNS and TCP events (live eBPF or a pcap file)', load: async () => (await import('./capture-command.js')).captureCommand },
  { name: 'check', summary: 'run the blackbox checks (HTTP, DNS, TCP, TLS) once or on their schedules', load: async () => (await import('./check-command.js')).checkCommand },
  { name: 'dns report', summary: 'DNS transactions, resolver health and findings (pcap file or live capture)', load: async () => (await import('./dns-command.js')).dnsReportCommand },
  { name: 'label', summary: 'name remote addresses: provider, service, region, hostname (from arguments or a capture)', load: async () => (await import('./label-command.js')).labelCommand },
  { name: 'validate', summary: 'check a configuration file and print every problem in it', load: async () => (await import('./validate-command.js')).validateCommand },
  { name: 'data refresh', summary: 'download (or import) the published cloud IP ranges used for labelling', load: async () => (await import('./data-command.js')).dataRefreshCommand },
];
