// Typed probe failures with a stable `kind`, and the mapping from socket, TLS and timeout errors
// to them. Probers throw these internally and turn them into result errors at their boundary.
import type { ProbeErrorKind } from '../events.js';
import type { Phase } from './phase-timer.js';

export class ProbeFailure extends Error {
  constructor(
    readonly kind: ProbeErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

export class DnsFailure extends ProbeFailure {
  constructor(message: string) { super('dns', message); }
}
export class ConnectRefused extends ProbeFailure {
  constructor(message: string) { super('connect_refused', message); }
}
export class ConnectTimeout extends ProbeFailure {
  constructor(message: string) { super('connect_timeout', message); }
}
/** Any other connect failure: unreachable, reset during connect. */
export class ConnectFailure extends ProbeFailure {
  constructor(message: string) { super('connect', message); }
}
export class TlsFailure extends ProbeFailure {
  constructor(message: string) { super('tls', message); }
}
export class CertExpiryFailure extends ProbeFailure {
  constructor(message: string) { super('cert_expiry', message); }
}
export class ProxyFailure extends ProbeFailure {
  constructor(message: string) { super('proxy', message); }
}
export class HttpStatusFailure extends ProbeFailure {
  constructor(message: string) { super('http_status', message); }
}
export class AssertionFailure extends ProbeFailure {
  constructor(message: string) { super('assertion', message); }
}
export class DnsRcodeFailure extends ProbeFailure {
  constructor(message: string) { super('dns_rcode', message); }
}
export class ProtocolFailure extends ProbeFailure {
  constructor(message: string) { super('protocol', message); }
}
export class ProbeTimeout extends ProbeFailure {
  constructor(message: string) { super('timeout', message); }
}

/** The reason a probe's own deadline aborts its signal with. */
export class DeadlineReached extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no result within ${timeoutMs}ms`);
    this.name = 'DeadlineReached';
  }
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/;

/**
 * Maps anything thrown during a probe to a typed failure. `phase` is the phase running when it
 * happened, so a deadline during connect is a connect_timeout and during DNS a dns failure.
 */
export function classifyFailure(err: unknown, phase: Phase | undefined, signal?: AbortSignal): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  if (reason !== undefined || err instanceof DeadlineReached) {
    const ms = reason instanceof DeadlineReached ? reason.timeoutMs : err instanceof DeadlineReached ? err.timeoutMs : undefined;
    const what = ms === undefined ? 'probe cancelled' : `timed out after ${ms}ms`;
    if (phase === 'connect') return new ConnectTimeout(`connect ${what}`);
    if (phase === 'dns') return new DnsFailure(`name resolution ${what}`);
    if (phase === 'tls') return new ProbeTimeout(`TLS handshake ${what}`);
    return new ProbeTimeout(`${phase === 'firstByte' ? 'waiting for the reply' : phase === 'transfer' ? 'reading the reply' : 'probe'} ${what}`);
  }
  const e = err as NodeJS.ErrnoException & { library?: string; reason?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  switch (code) {
    case 'EMFILE': case 'ENFILE': case 'ENOMEM': case 'ENOBUFS':
      return new ProbeFailure('agent', `the agent could not make this run (${message})`);
    case 'ECONNREFUSED': return new ConnectRefused(`connection refused (${message})`);
    case 'ETIMEDOUT': return phase === 'connect' ? new ConnectTimeout(message) : new ProbeTimeout(message);
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_FAIL': case 'EAI_NONAME': case 'ENODATA':
      return new DnsFailure(message);
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'EADDRNOTAVAIL':
      return new ConnectFailure(message);
    case 'ECONNRESET': case 'EPIPE':
      return phase === 'connect' ? new ConnectFailure(message) : phase === 'tls' ? new TlsFailure(`connection reset during the TLS handshake (${code})`) : new ProtocolFailure(`connection reset (${code})`);
  }
  if (TLS_CODE.test(code) || e?.library === 'SSL routines' || phase === 'tls') return new TlsFailure(code && !message.includes(code) ? `${message} (${code})` : message);
  if (code.startsWith('UND_ERR_')) return new ProtocolFailure(`${message} (${code})`);
  return new ProbeFailure('internal', message || 'unknown error');
}
