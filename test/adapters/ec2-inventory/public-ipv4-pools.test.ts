// A BYOIP public IPv4 pool as discovery sees it: EC2 lists its addresses as first/last ranges,
// which become the fewest CIDRs covering each range exactly. (moto has no public IPv4 pools, so
// the EC2 answer here is written out as EC2 documents it.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrsOfRange } from '../../../lambdas/adapters/ec2-inventory/address-range.ts';
import { publicIpv4PoolOf } from '../../../lambdas/adapters/ec2-inventory/snapshot-shapes.ts';
import { addressBits, type AddressFamily, formatAddress, lastAddress, parentOf, parseCidr } from '../../../lambdas/domain/cidr.ts';

describe('cidrsOfRange', () => {
  it('turns aligned and unaligned ranges into the fewest CIDRs, in address order', () => {
    expect(cidrsOfRange('203.0.113.0', '203.0.113.255')).toEqual(['203.0.113.0/24']);
    expect(cidrsOfRange('198.51.100.1', '198.51.100.6')).toEqual([
      '198.51.100.1/32',
      '198.51.100.2/31',
      '198.51.100.4/31',
      '198.51.100.6/32',
    ]);
    expect(cidrsOfRange('192.0.2.7', '192.0.2.7')).toEqual(['192.0.2.7/32']);
    expect(cidrsOfRange('0.0.0.0', '255.255.255.255')).toEqual(['0.0.0.0/0']);
    expect(cidrsOfRange('2001:db8::', '2001:db8::1:ffff')).toEqual(['2001:db8::/111']);
  });

  it('refuses a reversed range and one that mixes address families', () => {
    expect(() => cidrsOfRange('198.51.100.9', '198.51.100.1')).toThrow(RangeError);
    expect(() => cidrsOfRange('198.51.100.1', '2001:db8::1')).toThrow(RangeError);
  });

  const ranges = fc.constantFrom<AddressFamily>('ipv4', 'ipv6').chain((family) => {
    const top = (1n << BigInt(addressBits(family))) - 1n;
    // Short ranges exercise the ragged ends; any range exercises the big blocks.
    const span = fc.oneof(fc.bigInt({ min: 0n, max: 1024n }), fc.bigInt({ min: 0n, max: top }));
    return fc.tuple(fc.constant(family), fc.bigInt({ min: 0n, max: top }), span).map(([f, first, length]) => {
      const last = first + length > top ? top : first + length;
      return { family: f, first, last };
    });
  });

  it('covers exactly the range, block after block, each block as large as the range allows', () => {
    fc.assert(
      fc.property(ranges, ({ family, first, last }) => {
        const cidrs = cidrsOfRange(formatAddress(family, first), formatAddress(family, last)).map(parseCidr);
        let next = first;
        for (const cidr of cidrs) {
          expect(cidr.start).toBe(next);
          next = lastAddress(cidr) + 1n;
          // Maximal: the block twice as large would stick out of the range (so none could merge).
          if (cidr.prefixLength > 0) {
            const parent = parentOf(cidr);
            expect(parent.start >= first && lastAddress(parent) <= last).toBe(false);
          }
        }
        expect(next).toBe(last + 1n);
      }),
      { numRuns: 200 },
    );
  });
});

describe('publicIpv4PoolOf', () => {
  it('keeps the pool id, counts and tags and lists every address range as CIDRs', () => {
    expect(
      publicIpv4PoolOf({
        PoolId: 'ipv4pool-ec2-0123456789abcdef0',
        Description: 'BYOIP',
        PoolAddressRanges: [
          { FirstAddress: '198.51.100.0', LastAddress: '198.51.100.255', AddressCount: 256, AvailableAddressCount: 250 },
          { FirstAddress: '203.0.113.10', LastAddress: '203.0.113.13', AddressCount: 4, AvailableAddressCount: 4 },
        ],
        TotalAddressCount: 260,
        TotalAvailableAddressCount: 254,
        NetworkBorderGroup: 'us-east-1',
        Tags: [{ Key: 'team', Value: 'edge' }],
      }),
    ).toEqual({
      PoolId: 'ipv4pool-ec2-0123456789abcdef0',
      Cidrs: ['198.51.100.0/24', '203.0.113.10/31', '203.0.113.12/31'],
      TotalAddressCount: 260,
      TotalAvailableAddressCount: 254,
      Tags: [{ Key: 'team', Value: 'edge' }],
    });
  });
});
