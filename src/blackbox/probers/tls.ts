// TLS prober: handshake with the target, then judge the chain, hostname, expiry and protocol version.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { ProbeResult } from '../../events.js';
import { daysUntil, openSocket, startTls } from '../connect.js';
import { startDeadline } from '../deadline.js';
import { resolveHost } from '../host-lookup.js';
import { PhaseTimer } from '../phase-timer.js';
import { AssertionFailure, CertExpiryFailure, classifyFailure, TlsFailure } from '../probe-errors.js';
import type { Prober, TlsCheck } from '../types.js';

const VERSION_ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export const probeTls: Prober<TlsCheck> = async (check, outer) => {
  const timer = new PhaseTimer();
  const deadline = startDeadline(check.timeoutMs, outer);
  const { host, port } = check.target;
  const result: ProbeResult = {
    type: 'probe', check: check.name, probe: 'tls', target: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    ok: false, ts: timer.startedAt, phases: { totalMs: 0 }, attempts: 1,
  };
  try {
    if (isIP(host)) {
      result.ip = host;
      timer.zero('dns');
    } else {
      timer.mark('dns');
      result.ip = await resolveHost(host, undefined, deadline.signal);
    }
    timer.mark('connect');
    const socket = await openSocket(result.ip, port, deadline.signal);
    timer.mark('tls');
    // Verification is done below so that each kind of certificate problem gets its own message.
    const tls = await startTls(socket, { host, settings: check.tls, verify: false }, deadline.signal);
    timer.stop();
    result.phases = timer.phases();
    const cert = tls.getPeerCertificate();
    result.tlsVersion = tls.getProtocol() ?? undefined;
    const authorized = tls.authorized;
    const authError = tls.authorizationError;
    tls.destroy();
    if (!cert || !cert.valid_to) throw new TlsFailure('the server sent no certificate');
    const days = daysUntil(cert.valid_to);
    result.certExpiryDays = days;
    if (days < 0) throw new CertExpiryFailure(`certificate expired on ${new Date(cert.valid_to).toISOString().slice(0, 10)}`);
    if (days < check.failDays) throw new CertExpiryFailure(`certificate expires in ${days} days (failDays ${check.failDays})`);
    if (!check.tls.insecureSkipVerify) {
      // Node folds the hostname check into authorizationError; it is judged on its own below.
      const chainError = authorized || String(authError) === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : String(authError ?? 'unknown');
      if (chainError) throw new TlsFailure(`certificate chain not trusted (${chainError})`);
      const name = check.tls.serverName ?? host;
      const mismatch = checkServerIdentity(name, cert as PeerCertificate);
      if (mismatch) throw new TlsFailure(`certificate does not match ${name} (${mismatch.message.split('\n')[0]})`);
    }
    if (check.minVersion && VERSION_ORDER.indexOf(result.tlsVersion ?? '') < VERSION_ORDER.indexOf(check.minVersion)) {
      throw new AssertionFailure(`negotiated ${result.tlsVersion ?? 'unknown version'}, expected at least ${check.minVersion}`);
    }
    if (days < check.warnDays) result.warnings = [`certificate expires in ${days} days (warnDays ${check.warnDays})`];
    if (check.maxMs !== undefined && result.phases.totalMs > check.maxMs) throw new AssertionFailure(`took ${result.phases.totalMs.toFixed(1)}ms, more than maxMs ${check.maxMs}`);
    result.ok = true;
  } catch (err) {
    const failure = classifyFailure(err, timer.current, deadline.signal);
    timer.stop();
    result.phases = timer.phases();
    result.error = { kind: failure.kind, message: failure.message };
  } finally {
    deadline.clear();
  }
  return result;
};
