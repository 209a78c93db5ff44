// fast-check generators of CIDRs shared by the domain tests.
import fc from 'fast-check';
import { addressBits, cidrFromStart, parseCidr, type AddressFamily, type Cidr } from '../../../lambdas/domain/cidr.ts';

/** An aligned CIDR inside `universe` with a prefix length in [minPrefix, maxPrefix]. */
export function cidrInside(universe: Cidr | string, minPrefix?: number, maxPrefix?: number): fc.Arbitrary<Cidr> {
  const outer = typeof universe === 'string' ? parseCidr(universe) : universe;
  const bits = addressBits(outer.family);
  return fc
    .integer({ min: Math.max(minPrefix ?? outer.prefixLength, outer.prefixLength), max: maxPrefix ?? bits })
    .chain((prefixLength) =>
      fc
        .bigInt({ min: 0n, max: (1n << BigInt(prefixLength - outer.prefixLength)) - 1n })
        .map((index) => cidrFromStart(outer.family, outer.start + (index << BigInt(bits - prefixLength)), prefixLength)),
    );
}

export function anyCidr(family: AddressFamily): fc.Arbitrary<Cidr> {
  return cidrInside(family === 'ipv4' ? '0.0.0.0/0' : '::/0');
}

export const anyFamily: fc.Arbitrary<AddressFamily> = fc.constantFrom('ipv4', 'ipv6');

export const cidrOfEitherFamily: fc.Arbitrary<Cidr> = anyFamily.chain(anyCidr);

/** A block and a target inside it. */
export const blockAndTarget: fc.Arbitrary<{ block: Cidr; target: Cidr }> = cidrOfEitherFamily.chain((block) =>
  cidrInside(block).map((target) => ({ block, target })),
);
