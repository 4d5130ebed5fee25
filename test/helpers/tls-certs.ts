/**
 * A private CA and certificates it issued, made with `openssl` in a temporary directory for one
 * test file: a server certificate for 127.0.0.1 and localhost, and a client certificate. The
 * files are PEM, as a private-CA deployment hands them out; nothing here is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedPair {
  cert: string;
  key: string;
}

export interface PrivateCa {
  dir: string;
  /** The CA's own certificate: what a client trusts. */
  caCert: string;
  server: IssuedPair;
  client: IssuedPair;
  /** Issues another certificate from this CA (`san` as openssl writes it: `DNS:a,IP:1.2.3.4`). */
  issue(name: string, options?: { san?: string; clientAuth?: boolean }): IssuedPair;
  remove(): void;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A P-256 key and self-signed CA certificate named `name`, then a server and a client certificate. */
export function makePrivateCa(name = 'Sealtrail Test CA'): PrivateCa {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-tls-'));
  const caCert = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let serial = 1;
  const issue = (certName: string, options: { san?: string; clientAuth?: boolean } = {}): IssuedPair => {
    const key = join(dir, `${certName}-key.pem`);
    const csr = join(dir, `${certName}.csr`);
    const cert = join(dir, `${certName}.pem`);
    const ext = join(dir, `${certName}.ext`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${certName}`]);
    const lines = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=${options.clientAuth ? 'clientAuth' : 'serverAuth'}`];
    if (options.san) lines.push(`subjectAltName=${options.san}`);
    writeFileSync(ext, `${lines.join('\n')}\n`);
    openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(++serial), '-days', '1', '-extfile', ext, '-out', cert]);
    return { cert, key };
  };
  return {
    dir,
    caCert,
    server: issue('server', { san: 'IP:127.0.0.1,DNS:localhost' }),
    client: issue('client', { clientAuth: true }),
    issue,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
