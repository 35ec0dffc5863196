// A throwaway certificate authority made with the openssl CLI, for TLS tests: leaf certificates
// with chosen names and validity windows (including expired ones), and self-signed ones.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCert {
  key: string;
  cert: string;
}

export interface CertRequest {
  /** DNS names and IP addresses for subjectAltName; the first is also the CN. */
  names: string[];
  notBefore?: Date;
  notAfter?: Date;
}

export interface TestCa {
  /** PEM of the CA certificate, and a file holding it (for configurations' caFile). */
  caCert: string;
  caFile: string;
  issue(req: CertRequest): IssuedCert;
  /** A certificate signed by its own key, not by this CA. */
  selfSigned(names: string[]): IssuedCert;
  remove(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function san(names: string[]): string {
  return 'subjectAltName=' + names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}

/** openssl's YYYYMMDDHHMMSSZ. */
function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'ew-test-ca-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ ca ]\ndefault_ca = test_ca\n[ test_ca ]\ndir = ${dir}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[ any ]\ncommonName = supplied\n`,
  );
  run(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=egresswatch test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  return {
    caCert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    issue(req) {
      const id = `leaf${n++}`;
      const notBefore = req.notBefore ?? new Date(Date.now() - 86_400_000);
      const notAfter = req.notAfter ?? new Date(Date.now() + 90 * 86_400_000);
      run(['req', '-new', ...EC, '-keyout', `${id}.key`, '-out', `${id}.csr`, '-subj', `/CN=${req.names[0]}`, '-addext', san(req.names), '-addext', 'basicConstraints=CA:FALSE']);
      run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${id}.csr`, '-out', `${id}.pem`, '-notext', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)]);
      return { key: readFileSync(join(dir, `${id}.key`), 'utf8'), cert: readFileSync(join(dir, `${id}.pem`), 'utf8') };
    },
    selfSigned(names) {
      const id = `self${n++}`;
      run(['req', '-x509', ...EC, '-keyout', `${id}.key`, '-out', `${id}.pem`, '-days', '90', '-subj', `/CN=${names[0]}`, '-addext', san(names)]);
      return { key: readFileSync(join(dir, `${id}.key`), 'utf8'), cert: readFileSync(join(dir, `${id}.pem`), 'utf8') };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
