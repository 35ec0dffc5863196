// TLS prober: handshake with the target, then judge the chain, hostname, expiry and protocol version.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { daysUntil, earliestNotAfter, openSocket, startTls } from '../connect.js';
import { AssertionFailure, CertExpiryFailure, TlsFailure } from '../probe-errors.js';
import { hostPortText, resolveTarget, runProbe } from '../probe-frame.js';
import type { Prober, TlsCheck } from '../types.js';

const VERSION_ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export const probeTls: Prober<TlsCheck> = (check, outer) =>
  runProbe(check, outer, { probe: 'tls', target: hostPortText(check.target) }, async (frame) => {
    const { timer, signal, result } = frame;
    const { host, port } = check.target;
    result.ip = await resolveTarget(host, undefined, frame);
    timer.mark('connect');
    const socket = await openSocket(result.ip, port, signal);
    timer.mark('tls');
    // Verification is done below so that each kind of certificate problem gets its own message.
    const tls = await startTls(socket, { host, settings: check.tls, verify: false }, signal);
    timer.stop();
    result.phases = timer.phases();
    const cert = tls.getPeerCertificate(true);
    result.tlsVersion = tls.getProtocol() ?? undefined;
    const authorized = tls.authorized;
    const authError = tls.authorizationError;
    tls.destroy();
    if (!cert || !cert.valid_to) throw new TlsFailure('the server sent no certificate');
    const days = daysUntil(cert.valid_to);
    result.certExpiryDays = days;
    result.certNotAfter = earliestNotAfter(cert);
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
  });
