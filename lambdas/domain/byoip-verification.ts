// Proof that the caller controls a public range or ASN (UG "Verify domain control"): either a
// message signed with the key whose X.509 certificate sits in the RIR's RDAP record, or TXT records
// carrying a verification token in the range's reverse DNS zone. Pure: the lookups are a port.
import { constants, verify, X509Certificate } from 'node:crypto';
import { cidrFromStart, cidrSize, parseCidr, sameCidr, type Cidr } from './cidr.ts';
import { IpamError } from './errors.ts';

// ---- DNS token --------------------------------------------------------------------------------

/** Reverse zones are labelled by octet (in-addr.arpa) or by nibble (ip6.arpa). */
const LABEL_BITS = { ipv4: 8, ipv6: 4 } as const;

/**
 * The TXT record names that must carry the token value: one per block on the next label boundary
 * at or below the prefix (a /22 needs four /24 records), each named `<tokenName>.<reverse zone>`.
 */
export function dnsTokenRecordNames(cidr: Cidr, tokenName: string): string[] {
  const labelBits = LABEL_BITS[cidr.family];
  const boundary = Math.ceil(cidr.prefixLength / labelBits) * labelBits;
  const blockCount = 1n << BigInt(boundary - cidr.prefixLength);
  const blockSize = cidrSize(cidrFromStart(cidr.family, 0n, boundary));
  const names: string[] = [];
  for (let i = 0n; i < blockCount; i++) {
    names.push(`${tokenName}.${reverseZoneOf(cidrFromStart(cidr.family, cidr.start + i * blockSize, boundary))}`);
  }
  return names;
}

/** The reverse zone of a block on a label boundary, e.g. 203.0.113.0/24 → 113.0.203.in-addr.arpa. */
function reverseZoneOf(block: Cidr): string {
  const labelBits = LABEL_BITS[block.family];
  const totalBits = block.family === 'ipv4' ? 32 : 128;
  const labels: string[] = [];
  for (let bit = 0; bit < block.prefixLength; bit += labelBits) {
    const shift = BigInt(totalBits - bit - labelBits);
    const value = (block.start >> shift) & ((1n << BigInt(labelBits)) - 1n);
    labels.unshift(block.family === 'ipv4' ? value.toString(10) : value.toString(16));
  }
  return [...labels, block.family === 'ipv4' ? 'in-addr.arpa' : 'ip6.arpa'].join('.');
}

// ---- signed authorization message (remarks-x509, BYOASN) ---------------------------------------

/** `1|aws|<account>|<cidr or asn>|<YYYYMMDD>|SHA256|RSAPSS` */
export interface AuthorizationMessage {
  accountId: string;
  /** The CIDR or ASN exactly as written in the message. */
  resource: string;
  /** The first instant after the expiry date (the message is good through that whole UTC day). */
  expiresAt: Date;
}

const MESSAGE_FORMAT = /^1\|aws\|(\d{12})\|([^|]+)\|(\d{4})(\d{2})(\d{2})\|SHA256\|RSAPSS$/;

export function parseAuthorizationMessage(message: string): AuthorizationMessage {
  const match = MESSAGE_FORMAT.exec(String(message));
  if (!match) {
    throw new IpamError(
      'InvalidParameterValue',
      `The authorization message '${String(message)}' is invalid: expected 1|aws|<account>|<cidr or asn>|<YYYYMMDD>|SHA256|RSAPSS.`,
    );
  }
  const [, accountId, resource, year, month, day] = match;
  const expiryDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (expiryDay.getUTCMonth() !== Number(month) - 1 || expiryDay.getUTCDate() !== Number(day)) {
    throw new IpamError('InvalidParameterValue', `The authorization message date '${year}${month}${day}' is not a calendar date.`);
  }
  return { accountId, resource, expiresAt: new Date(expiryDay.getTime() + 24 * 3600 * 1000) };
}

/** The CLI recipe swaps base64's `+=/` for `-_~` so the signature survives shells and URLs. */
function signatureBytes(signature: string): Buffer {
  const base64 = signature.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  return Buffer.from(base64, 'base64');
}

/** RSA-PSS with SHA-256 and salt length = digest length, over the exact message bytes. */
export function verifySignedMessage(message: string, signature: string, certificatePem: string): boolean {
  try {
    const publicKey = new X509Certificate(certificatePem).publicKey;
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      {
        key: publicKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      signatureBytes(signature),
    );
  } catch {
    // An unreadable certificate or a key of another type proves nothing.
    return false;
  }
}

/** The message's CIDR compared as a CIDR, so `2001:0db8::/32` matches `2001:db8::/32`. */
export function messageNamesCidr(message: AuthorizationMessage, cidr: Cidr): boolean {
  try {
    return sameCidr(parseCidr(message.resource), cidr);
  } catch {
    return false;
  }
}
