// Which request members name a VPC's or subnet's CIDR block, and which sizes EC2 accepts: the
// checks CreateVpc and AssociateVpcCidrBlock make before any pool is read (embedded and forwarded).
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr } from '../../../lambdas/domain/cidr.ts';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import {
  associateVpcCidrAsk,
  createVpcAsks,
  requireSubnetIpv6Cidr,
  requireVpcNetmask,
  type VpcCidrMembers,
} from '../../../lambdas/domain/vpc-cidr-rules.ts';

const codeOf = (check: () => unknown): string | undefined => {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof IpamError) return error.code;
    throw error;
  }
};

describe('EC2 sizes for VPC and subnet blocks', () => {
  it('takes IPv4 VPC blocks of /16–/28 and IPv6 VPC blocks of /44–/60 in steps of 4', () => {
    const accepted = (family: 'ipv4' | 'ipv6') =>
      Array.from({ length: 129 }, (_, n) => n).filter((n) => codeOf(() => requireVpcNetmask(family, n, `/${n}`)) === undefined);
    expect(accepted('ipv4')).toEqual(Array.from({ length: 13 }, (_, i) => 16 + i));
    expect(accepted('ipv6')).toEqual([44, 48, 52, 56, 60]);
    expect(codeOf(() => requireVpcNetmask('ipv6', 64, '/64'))).toBe('InvalidVpc.Range');
  });

  it('takes IPv6 subnet blocks of /44–/64 in steps of 4, and no IPv4 block as one', () => {
    const accepted = [40, 44, 48, 56, 60, 62, 63, 64].filter(
      (n) => codeOf(() => requireSubnetIpv6Cidr(parseCidr(`fd00:1::/${n}`), `fd00:1::/${n}`)) === undefined,
    );
    expect(accepted).toEqual([44, 48, 56, 60, 64]);
    expect(codeOf(() => requireSubnetIpv6Cidr(parseCidr('10.0.0.0/24'), '10.0.0.0/24'))).toBe('InvalidSubnet.Range');
  });
});

describe('the members naming a VPC block', () => {
  const asks = (input: VpcCidrMembers) => {
    const { ipv4, ipv6 } = createVpcAsks(input);
    const text = (ask?: { cidr?: ReturnType<typeof parseCidr>; poolId?: string; netmask?: number }) =>
      ask && [ask.cidr && formatCidr(ask.cidr), ask.poolId, ask.netmask].filter((part) => part !== undefined).join(' ');
    return { ipv4: text(ipv4), ipv6: text(ipv6) };
  };

  it('CreateVpc: an IPv4 block always, explicit or from a pool, and an IPv6 block from a pool if asked', () => {
    expect(asks({ CidrBlock: '10.0.0.0/16' })).toEqual({ ipv4: '10.0.0.0/16', ipv6: undefined });
    expect(asks({ Ipv4IpamPoolId: 'ipam-pool-1', Ipv4NetmaskLength: 24 })).toEqual({ ipv4: 'ipam-pool-1 24', ipv6: undefined });
    expect(asks({ CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: 'ipam-pool-6', Ipv6NetmaskLength: 56 })).toEqual({
      ipv4: '10.0.0.0/16',
      ipv6: 'ipam-pool-6 56',
    });
    expect(asks({ CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: 'ipam-pool-6' })).toEqual({ ipv4: '10.0.0.0/16', ipv6: 'ipam-pool-6' });
  });

  it('refuses what EC2 refuses, with its codes', () => {
    const cases: [VpcCidrMembers, string][] = [
      [{}, 'MissingParameter'],
      [{ Ipv6IpamPoolId: 'ipam-pool-6', Ipv6NetmaskLength: 56 }, 'MissingParameter'],
      [{ Ipv4NetmaskLength: 24 }, 'InvalidParameterCombination'],
      [{ Ipv4IpamPoolId: 'ipam-pool-1', CidrBlock: '10.0.0.0/24', Ipv4NetmaskLength: 24 }, 'InvalidParameterCombination'],
      [{ CidrBlock: '10.0.0.0/16', Ipv6NetmaskLength: 56 }, 'InvalidParameterCombination'],
      [{ CidrBlock: '10.0.0.0/16', Ipv6CidrBlock: 'fd00::/56' }, 'InvalidParameterCombination'],
      [{ CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: 'p', Ipv6CidrBlock: 'fd00::/56', Ipv6NetmaskLength: 56 }, 'InvalidParameterCombination'],
      [{ CidrBlock: '10.0.0.0/8' }, 'InvalidVpc.Range'],
      [{ CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: 'p', Ipv6NetmaskLength: 64 }, 'InvalidVpc.Range'],
      [{ CidrBlock: 'fd00::/56' }, 'InvalidParameterValue'],
      [{ CidrBlock: '10.0.0.0/16', AmazonProvidedIpv6CidrBlock: true }, 'InvalidParameterValue'],
      [{ CidrBlock: '10.0.0.0/16', Ipv6Pool: 'ipv6pool-ec2-0123' }, 'InvalidParameterValue'],
    ];
    for (const [input, code] of cases) expect([input, codeOf(() => createVpcAsks(input))]).toEqual([input, code]);
  });

  it('AssociateVpcCidrBlock: exactly one block, of either family', () => {
    expect(associateVpcCidrAsk({ CidrBlock: '10.1.0.0/16' }).family).toBe('ipv4');
    expect(associateVpcCidrAsk({ Ipv6IpamPoolId: 'ipam-pool-6' }).family).toBe('ipv6');
    expect(codeOf(() => associateVpcCidrAsk({}))).toBe('MissingParameter');
    expect(codeOf(() => associateVpcCidrAsk({ CidrBlock: '10.1.0.0/16', Ipv6IpamPoolId: 'ipam-pool-6' }))).toBe(
      'InvalidParameterCombination',
    );
  });
});
