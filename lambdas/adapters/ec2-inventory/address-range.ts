// EC2 describes a BYOIP public IPv4 pool's addresses as first/last address pairs; IPAM speaks
// CIDRs. A range splits into the fewest aligned blocks that cover it exactly.
import { addressBits, cidrFromStart, formatCidr, parseAddress } from '../../domain/cidr.ts';

/** The fewest CIDRs covering firstAddress..lastAddress (both included), in address order. */
export function cidrsOfRange(firstAddress: string, lastAddress: string): string[] {
  const first = parseAddress(firstAddress);
  const last = parseAddress(lastAddress);
  if (first.family !== last.family || first.value > last.value) {
    throw new RangeError(`${firstAddress}–${lastAddress} is not an address range`);
  }
  const bits = addressBits(first.family);
  const cidrs: string[] = [];
  for (let start = first.value; start <= last.value; ) {
    const hostBits = largestBlockBits(start, last.value, bits);
    cidrs.push(formatCidr(cidrFromStart(first.family, start, bits - hostBits)));
    start += 1n << BigInt(hostBits);
  }
  return cidrs;
}

/** Host bits of the largest block that starts at `start` (so is aligned there) and ends by `last`. */
function largestBlockBits(start: bigint, last: bigint, bits: number): number {
  let hostBits = 0;
  for (;;) {
    const doubled = 1n << BigInt(hostBits + 1);
    const aligned = start % doubled === 0n;
    if (hostBits === bits || !aligned || start + doubled - 1n > last) return hostBits;
    hostBits++;
  }
}
