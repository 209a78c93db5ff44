// A key pair and self-signed X.509 certificate made for one test run (openssl, since node:crypto
// cannot issue certificates), and the guide's signing recipe (S5/S6.A) done with node:crypto.
import { execFileSync } from 'node:child_process';
import { constants, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SigningIdentity {
  certificatePem: string;
  /** `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 | openssl base64 | tr -- '+=/' '-_~'` */
  sign(message: string): string;
}

export function createSigningIdentity(): SigningIdentity {
  const dir = mkdtempSync(path.join(tmpdir(), 'byoip-key-'));
  try {
    const keyFile = path.join(dir, 'private-key.pem');
    const certFile = path.join(dir, 'certificate.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '365', '-subj', '/CN=byoip-test'],
      { stdio: 'ignore' },
    );
    const privateKeyPem = readFileSync(keyFile, 'utf8');
    return {
      certificatePem: readFileSync(certFile, 'utf8'),
      sign: (message) =>
        sign('sha256', Buffer.from(message), {
          key: privateKeyPem,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
          .toString('base64')
          .replace(/\+/g, '-')
          .replace(/=/g, '_')
          .replace(/\//g, '~'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
