// Certificates close to expiry, as a ticket per check: the run still passes (the certificate is
// valid), but someone has to renew it before the check's failDays turns it into a failure.
import type { CheckLastRuns } from '../snapshot/check-last-runs.js';
import type { AlertCandidate } from './alert-book.js';

export function certificateCandidates(lastRuns: CheckLastRuns): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  for (const run of lastRuns.values()) {
    if (run.phases.tls?.status !== 'warn' || run.certExpiryDays === undefined) continue;
    out.push({
      fingerprint: `cert|${run.check}`,
      name: 'CertificateExpiring',
      severity: 'ticket',
      providerId: run.providerId,
      endpointId: run.endpointId,
      summary: `the certificate of ${run.target} (check ${run.check}) expires in ${run.certExpiryDays} day${run.certExpiryDays === 1 ? '' : 's'} (warnDays ${run.certWarnDays ?? '?'})`,
      labels: { check: run.check, target: run.target },
      values: { certExpiryDays: run.certExpiryDays },
      attribution: { scope: 'provider', targets: [run.providerId], reason: 'the certificate the endpoint serves is close to expiry: its owner must renew it' },
    });
  }
  return out;
}
