// CIDR arithmetic for both address families on one bigint implementation: an address is its
// numeric value, a CIDR is its first address plus a prefix length. CIDRs built here are always
// aligned (host bits zero), so two CIDRs either nest or are disjoint — the free-space planner
// relies on that.
import { IpamError } from './errors.ts';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  readonly family: AddressFamily;
  /** First address; its host bits are zero. */
  readonly start: bigint;
  readonly prefixLength: number;
}

interface IpAddress {
  readonly family: AddressFamily;
  readonly value: bigint;
}

export function addressBits(family: AddressFamily): 32 | 128 {
  return family === 'ipv4' ? 32 : 128;
}

function hostBitCount(family: AddressFamily, prefixLength: number): bigint {
  return BigInt(addressBits(family) - prefixLength);
}

/** Number of addresses in the CIDR. */
export function cidrSize(c: Cidr): bigint {
  return 1n << hostBitCount(c.family, c.prefixLength);
}

export function lastAddress(c: Cidr): bigint {
  return c.start + cidrSize(c) - 1n;
}

/**
 * Builds a CIDR from computed values. A misaligned start or a prefix out of range here is a bug
 * in the caller, not bad input (input goes through parseCidr), hence RangeError.
 */
export function cidrFromStart(family: AddressFamily, start: bigint, prefixLength: number): Cidr {
  const bits = addressBits(family);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) {
    throw new RangeError(`prefix length ${prefixLength} is outside 0–${bits} for ${family}`);
  }
  if (start < 0n || start >> BigInt(bits) !== 0n) throw new RangeError(`address 0x${start.toString(16)} is outside ${family}`);
  if (start & ((1n << hostBitCount(family, prefixLength)) - 1n)) {
    throw new RangeError(`${formatAddress(family, start)} is not aligned to /${prefixLength}`);
  }
  return { family, start, prefixLength };
}

/** The aligned CIDR of `prefixLength` (≤ c's) that contains `c`. */
export function enclosingCidr(c: Cidr, prefixLength: number): Cidr {
  if (prefixLength > c.prefixLength) throw new RangeError(`/${prefixLength} cannot enclose /${c.prefixLength}`);
  const hostBits = hostBitCount(c.family, prefixLength);
  return cidrFromStart(c.family, (c.start >> hostBits) << hostBits, prefixLength);
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefixLength > inner.prefixLength) return false;
  const hostBits = hostBitCount(outer.family, outer.prefixLength);
  return inner.start >> hostBits === outer.start >> hostBits;
}

/** Aligned CIDRs overlap exactly when one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

export function sameCidr(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.start === b.start && a.prefixLength === b.prefixLength;
}

/** Family (ipv4 first), then address, then prefix length (a CIDR before the ones it contains). */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}

/** The other half of c's parent. */
export function buddyOf(c: Cidr): Cidr {
  if (c.prefixLength === 0) throw new RangeError('a /0 has no buddy');
  return cidrFromStart(c.family, c.start ^ cidrSize(c), c.prefixLength);
}

export function parentOf(c: Cidr): Cidr {
  if (c.prefixLength === 0) throw new RangeError('a /0 has no parent');
  return enclosingCidr(c, c.prefixLength - 1);
}

/** Lower and upper half. */
export function halvesOf(c: Cidr): [Cidr, Cidr] {
  if (c.prefixLength === addressBits(c.family)) throw new RangeError('a single address has no halves');
  const half = cidrSize(c) >> 1n;
  return [cidrFromStart(c.family, c.start, c.prefixLength + 1), cidrFromStart(c.family, c.start + half, c.prefixLength + 1)];
}

// Storage keys: 32 hex digits for both families, so string order is address order.
export function startHex(c: Cidr): string {
  return c.start.toString(16).padStart(32, '0');
}

// ---- text forms ---------------------------------------------------------------------------

/** 0–999 with no sign, no leading zeros, nothing else: octets and prefix lengths. */
const PLAIN_DECIMAL = /^(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Dotted quad, four decimal octets 0–255 without leading zeros (they read as octal elsewhere). */
function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!PLAIN_DECIMAL.test(octet) || Number(octet) > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** 16-bit groups of one side of '::'; a dotted-quad tail counts as two groups. */
function ipv6Groups(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
      continue;
    }
    const ipv4 = mayEndInIpv4 && index === parts.length - 1 ? parseIpv4(part) : undefined;
    if (ipv4 === undefined) return undefined;
    groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
  }
  return groups;
}

/** Every RFC 4291 §2.2 text form: full, '::'-compressed, with an embedded IPv4 tail. */
function parseIpv6(text: string): bigint | undefined {
  const sides = text.split('::');
  if (sides.length > 2) return undefined;
  const compressed = sides.length === 2;
  const head = ipv6Groups(sides[0], !compressed);
  const tail = compressed ? ipv6Groups(sides[1], true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function familyOfText(text: string): AddressFamily {
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

function parseAddressValue(text: string): IpAddress | undefined {
  const family = familyOfText(text);
  const value = family === 'ipv4' ? parseIpv4(text) : parseIpv6(text);
  return value === undefined ? undefined : { family, value };
}

function addressProblem(text: string): string {
  return familyOfText(text) === 'ipv4'
    ? `'${text}' is not an IPv4 address (four decimal numbers 0-255 without leading zeros)`
    : `'${text}' is not an IPv6 address`;
}

export function parseAddress(text: string): IpAddress {
  const address = typeof text === 'string' ? parseAddressValue(text) : undefined;
  if (address === undefined) {
    throw new IpamError('InvalidParameterValue', `The IP address '${String(text)}' is invalid: ${addressProblem(String(text))}.`);
  }
  return address;
}

function invalidCidr(text: string, problem: string): IpamError {
  const sentence = problem.endsWith('?') ? problem : `${problem}.`;
  return new IpamError('InvalidParameterValue', `The CIDR '${text}' is invalid: ${sentence}`);
}

/** Strict: a canonical network address (host bits zero) and a decimal prefix length are required. */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') throw invalidCidr(String(text), 'a CIDR must be text');
  const slash = text.indexOf('/');
  if (slash < 0) throw invalidCidr(text, 'a prefix length is required, as in 10.0.0.0/16 or 2001:db8::/32');
  const addressText = text.slice(0, slash);
  const address = parseAddressValue(addressText);
  if (address === undefined) throw invalidCidr(text, addressProblem(addressText));

  const bits = addressBits(address.family);
  const prefixText = text.slice(slash + 1);
  if (!PLAIN_DECIMAL.test(prefixText) || Number(prefixText) > bits) {
    throw invalidCidr(text, `the prefix length must be a whole number from 0 to ${bits}`);
  }
  const prefixLength = Number(prefixText);
  const hostBits = hostBitCount(address.family, prefixLength);
  const start = (address.value >> hostBits) << hostBits;
  if (start !== address.value) {
    const canonical = formatCidr(cidrFromStart(address.family, start, prefixLength));
    throw invalidCidr(text, `host bits are set; did you mean ${canonical}?`);
  }
  return cidrFromStart(address.family, start, prefixLength);
}

/** IPv4 dotted quad; IPv6 per RFC 5952 §4 (lower case, no leading zeros, longest zero run as '::'). */
export function formatAddress(family: AddressFamily, value: bigint): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  const run = longestZeroRun(groups);
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(':');
  // RFC 5952 §4.2.2: a single zero group is not compressed.
  if (run.length < 2) return hex(groups);
  return `${hex(groups.slice(0, run.start))}::${hex(groups.slice(run.start + run.length))}`;
}

/** The first of the longest runs of zero groups (RFC 5952 §4.2.3). */
function longestZeroRun(groups: number[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = 0;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) continue;
    if (i - start > best.length) best = { start, length: i - start };
    start = i + 1;
  }
  return best;
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.start)}/${c.prefixLength}`;
}
