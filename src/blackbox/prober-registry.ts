// Maps a check's type to its prober; the only place that knows every prober.
import type { ProbeType } from '../events.js';
import { probeDns } from './probers/dns.js';
import { probeHttp } from './probers/http.js';
import { probeTcp } from './probers/tcp.js';
import { probeTls } from './probers/tls.js';
import type { Check, Prober } from './types.js';

const probers = { http: probeHttp, dns: probeDns, tcp: probeTcp, tls: probeTls } satisfies { [T in ProbeType]: Prober<Extract<Check, { type: T }>> };

/** Runs one attempt of any check with the prober for its type. */
export const probeCheck: Prober = (check, signal) => (probers[check.type] as Prober)(check, signal);
