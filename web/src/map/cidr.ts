// CIDR arithmetic for the console, IPv4 and IPv6 in one bigint implementation. Pure: unit-tested
// in test/unit/console/.
export type Family = 'ipv4' | 'ipv6';

export interface Cidr {
  family: Family;
  /** The first address, as a number. */
  start: bigint;
  prefix: number;
}

export const bitsOf = (family: Family) => (family === 'ipv4' ? 32 : 128);
export const sizeOf = (cidr: Cidr): bigint => 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  return all.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/** The address as a number; undefined when it is not an IPv4 or IPv6 address. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 'ipv4', value: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 'ipv6', value: v6 };
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText] = text.trim().split('/');
  const parsed = parseAddress(address);
  if (!parsed || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = bitsOf(parsed.family);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { family: parsed.family, start: (parsed.value >> hostBits) << hostBits, prefix };
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16));
  // The longest run of two or more zero groups becomes `::` (RFC 5952).
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== '0') {
      index++;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === '0') end++;
    if (end - index > bestLength) [bestStart, bestLength] = [index, end - index];
    index = end;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

export const formatCidr = (cidr: Cidr) => `${formatAddress(cidr.family, cidr.start)}/${cidr.prefix}`;

/** A count of addresses as people read it: 256, 65,536, or 2^64 when it is a power of two past a billion. */
export function formatCount(count: bigint): string {
  if (count < 1_000_000_000n) return Number(count).toLocaleString('en-US');
  const exponent = count.toString(2).length - 1;
  return 1n << BigInt(exponent) === count ? `2^${exponent}` : `~2^${exponent}`;
}
