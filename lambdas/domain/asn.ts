// Autonomous system numbers a customer may bring (BYOASN): public 16- or 32-bit ASNs only.
import { IpamError } from './errors.ts';

/** Ranges no one can bring: reserved (RFC 7607, RFC 6793, RFC 7300), documentation (RFC 5398) and private use (RFC 6996). */
const NOT_PUBLIC: readonly { from: number; to: number; why: string }[] = [
  { from: 0, to: 0, why: 'reserved' },
  { from: 23456, to: 23456, why: 'reserved (AS_TRANS)' },
  { from: 64496, to: 64511, why: 'reserved for documentation' },
  { from: 64512, to: 65534, why: 'private' },
  { from: 65535, to: 65535, why: 'reserved' },
  { from: 65536, to: 65551, why: 'reserved for documentation' },
  { from: 4200000000, to: 4294967294, why: 'private' },
  { from: 4294967295, to: 4294967295, why: 'reserved' },
];

const MAX_ASN = 4294967295;

/** The ASN in canonical decimal form, or InvalidParameterValue naming what is wrong with it. */
export function parsePublicAsn(text: string): string {
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text) || Number(text) > MAX_ASN) {
    throw new IpamError('InvalidParameterValue', `The ASN '${String(text)}' is invalid: expected a whole number from 1 to ${MAX_ASN}`);
  }
  const asn = Number(text);
  const range = NOT_PUBLIC.find((candidate) => asn >= candidate.from && asn <= candidate.to);
  if (range) throw new IpamError('InvalidParameterValue', `The ASN ${asn} is ${range.why}; only public ASNs can be brought to IPAM`);
  return String(asn);
}
