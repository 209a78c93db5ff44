import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificatesIn } from '../../../lambdas/adapters/registry/registry-lookup.ts';
import {
  dnsTokenRecordNames,
  messageNamesCidr,
  parseAuthorizationMessage,
  verifySignedMessage,
} from '../../../lambdas/domain/byoip-verification.ts';
import { parseCidr } from '../../../lambdas/domain/cidr.ts';
import { createSigningIdentity } from '../../support/signing-identity.ts';

const names = (cidr: string) => dnsTokenRecordNames(parseCidr(cidr), 'token-name');

describe('DNS token record names (S6.B)', () => {
  it('gives one record for a prefix on a label boundary', () => {
    expect(names('198.18.123.0/24')).toEqual(['token-name.123.18.198.in-addr.arpa']);
    expect(names('198.18.0.0/16')).toEqual(['token-name.18.198.in-addr.arpa']);
    expect(names('2001:0db8::/40')).toEqual(['token-name.0.0.8.b.d.0.1.0.0.2.ip6.arpa']);
    expect(dnsTokenRecordNames(parseCidr('203.0.113.0/24'), '86950620')).toEqual(['86950620.113.0.203.in-addr.arpa']);
  });

  it('covers a prefix off the boundary with the blocks of the next boundary down', () => {
    expect(names('198.18.12.0/22')).toEqual([
      'token-name.12.18.198.in-addr.arpa',
      'token-name.13.18.198.in-addr.arpa',
      'token-name.14.18.198.in-addr.arpa',
      'token-name.15.18.198.in-addr.arpa',
    ]);
    expect(names('2001:0db8:80::/42')).toEqual([
      'token-name.8.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.9.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.a.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.b.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    ]);
    expect(names('2001:db8:0:1000::/54')).toEqual([
      'token-name.0.1.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.1.1.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.2.1.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
      'token-name.3.1.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    ]);
  });

  it('has as many nibbles as the covering prefix length / 4', () => {
    const [name] = names('2001:db8:0:1000::/56');
    expect(name.split('.').length - 1 /* token */ - 2 /* ip6.arpa */).toBe(14);
  });
});

describe('authorization message', () => {
  it('reads account, resource and the end of the expiry day', () => {
    expect(parseAuthorizationMessage('1|aws|470889052444|130.137.245.0/24|20250101|SHA256|RSAPSS')).toEqual({
      accountId: '470889052444',
      resource: '130.137.245.0/24',
      expiresAt: new Date('2025-01-02T00:00:00Z'),
    });
    expect(parseAuthorizationMessage('1|aws|470889052444|12345|20991231|SHA256|RSAPSS').resource).toBe('12345');
  });

  it.each([
    '1|aws|47088905244|130.137.245.0/24|20250101|SHA256|RSAPSS',
    '2|aws|470889052444|130.137.245.0/24|20250101|SHA256|RSAPSS',
    '1|aws|470889052444|130.137.245.0/24|20250101|SHA1|RSAPSS',
    '1|aws|470889052444|130.137.245.0/24|20250231|SHA256|RSAPSS',
    '1|aws|470889052444|130.137.245.0/24|2025011|SHA256|RSAPSS',
  ])('refuses %s', (message) => {
    expect(() => parseAuthorizationMessage(message)).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
  });

  it('compares the message CIDR as a CIDR', () => {
    const message = parseAuthorizationMessage('1|aws|470889052444|2605:9cc0:0409::/48|20991231|SHA256|RSAPSS');
    expect(messageNamesCidr(message, parseCidr('2605:9cc0:409::/48'))).toBe(true);
    expect(messageNamesCidr(message, parseCidr('2605:9cc0:409::/49'))).toBe(false);
  });
});

describe('signed message (RSA-PSS SHA-256, the guide alphabet)', () => {
  const identity = createSigningIdentity();
  const message = '1|aws|470889052444|130.137.245.0/24|20991231|SHA256|RSAPSS';

  it('accepts a signature made with the certified key', () => {
    expect(verifySignedMessage(message, identity.sign(message), identity.certificatePem)).toBe(true);
  });

  it('accepts the exact output of the guide openssl recipe', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'byoip-recipe-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${dir}/key.pem`,
          '-out',
          `${dir}/cert.pem`,
          '-days',
          '2',
          '-subj',
          '/CN=recipe',
        ],
        { stdio: 'ignore' },
      );
      writeFileSync(`${dir}/message`, message);
      const signed = execFileSync('sh', [
        '-c',
        `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 -sign ${dir}/key.pem -keyform PEM ${dir}/message | openssl base64 | tr -- '+=/' '-_~' | tr -d "\\n"`,
      ]).toString();
      const certificate = execFileSync('cat', [`${dir}/cert.pem`]).toString();
      expect(verifySignedMessage(message, signed, certificate)).toBe(true);
      expect(verifySignedMessage(message.replace('20991231', '20991230'), signed, certificate)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses another message, another key, garbage and a broken certificate', () => {
    const signature = identity.sign(message);
    expect(verifySignedMessage(message.replace('470889052444', '111122223333'), signature, identity.certificatePem)).toBe(false);
    expect(verifySignedMessage(message, createSigningIdentity().sign(message), identity.certificatePem)).toBe(false);
    expect(verifySignedMessage(message, 'not-a-signature', identity.certificatePem)).toBe(false);
    expect(verifySignedMessage(message, signature, 'not a certificate')).toBe(false);
  });

  it('finds the certificate in RDAP remarks given as lines', () => {
    const lines = identity.certificatePem.trim().split('\n');
    const rdap = { handle: 'NET-130-137-245-0-1', remarks: [{ title: 'Public Comments', description: lines }] };
    expect(certificatesIn(rdap).map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([
      new X509Certificate(identity.certificatePem).fingerprint256,
    ]);
    expect(certificatesIn({ remarks: [{ description: ['no certificate here'] }] })).toEqual([]);
  });

  it('finds a certificate pasted on one long line, as the guide tells ARIN users to do', () => {
    const oneLine = identity.certificatePem.trim().split('\n').join(' ');
    const [pem] = certificatesIn({ remarks: [{ title: 'Public Comments', description: [`Key: ${oneLine} (BYOIP)`] }] });
    expect(new X509Certificate(pem!).fingerprint256).toBe(new X509Certificate(identity.certificatePem).fingerprint256);
  });
});
