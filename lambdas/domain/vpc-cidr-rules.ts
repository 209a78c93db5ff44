// What EC2 accepts as a VPC's or a subnet's CIDR block, and which request members name one
// (CreateVpc, AssociateVpcCidrBlock, CreateSubnet, AssociateSubnetCidrBlock). One place for the
// embedded use cases and for the forwarding ones, which check a request before they allocate.
import { type AddressFamily, type Cidr, parseCidr } from './cidr.ts';
import { IpamError } from './errors.ts';

/**
 * EC2's sizes (Amazon VPC User Guide, "IP addressing for your VPCs and subnets"): a VPC's IPv4
 * blocks /16–/28, its IPv6 blocks /44–/60 in steps of 4; a subnet's IPv4 block /16–/28, its IPv6
 * block /44–/64 in steps of 4. Up to 5 IPv4 and 5 IPv6 blocks per VPC (the default quotas).
 */
const VPC_BOUNDS: Record<AddressFamily, { min: number; max: number; step: number }> = {
  ipv4: { min: 16, max: 28, step: 1 },
  ipv6: { min: 44, max: 60, step: 4 },
};
const SUBNET_IPV4_BOUNDS = { min: 16, max: 28, step: 1 };
const SUBNET_IPV6_BOUNDS = { min: 44, max: 64, step: 4 };
export const VPC_CIDR_BLOCKS_PER_FAMILY = 5;

const within = (prefixLength: number, { min, max, step }: { min: number; max: number; step: number }) =>
  Number.isInteger(prefixLength) && prefixLength >= min && prefixLength <= max && (prefixLength - min) % step === 0;

const boundsText = ({ min, max, step }: { min: number; max: number; step: number }) =>
  `between /${min} and /${max}${step > 1 ? ` in steps of ${step}` : ''}`;

/** InvalidVpc.Range unless `prefixLength` is a size EC2 allows for a VPC CIDR block of `family`. */
export function requireVpcNetmask(family: AddressFamily, prefixLength: number, cidrText: string): void {
  const bounds = VPC_BOUNDS[family];
  if (!within(prefixLength, bounds)) {
    throw new IpamError(
      'InvalidVpc.Range',
      `The CIDR '${cidrText}' is invalid: a VPC's ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDR block must be ${boundsText(bounds)}`,
    );
  }
}

/** InvalidSubnet.Range unless `prefixLength` is a size EC2 allows for a subnet's IPv4 block (also a netmask from a pool). */
export function requireSubnetIpv4Netmask(prefixLength: number, cidrText: string): void {
  if (!within(prefixLength, SUBNET_IPV4_BOUNDS)) {
    throw new IpamError(
      'InvalidSubnet.Range',
      `The CIDR '${cidrText}' is invalid: a subnet's IPv4 CIDR block must be ${boundsText(SUBNET_IPV4_BOUNDS)}`,
    );
  }
}

/** InvalidSubnet.Range unless `cidr` is an IPv6 CIDR of a size EC2 allows for a subnet. */
export function requireSubnetIpv6Cidr(cidr: Cidr, cidrText: string): void {
  if (cidr.family !== 'ipv6') throw subnetIpv6RangeError(cidrText);
  requireSubnetIpv6Netmask(cidr.prefixLength, cidrText);
}

/** InvalidSubnet.Range unless `prefixLength` is a size EC2 allows for a subnet's IPv6 block (also a netmask from a pool). */
export function requireSubnetIpv6Netmask(prefixLength: number, cidrText: string): void {
  if (!within(prefixLength, SUBNET_IPV6_BOUNDS)) throw subnetIpv6RangeError(cidrText);
}

const subnetIpv6RangeError = (cidrText: string) =>
  new IpamError(
    'InvalidSubnet.Range',
    `The CIDR '${cidrText}' is invalid: a subnet's IPv6 CIDR block must be ${boundsText(SUBNET_IPV6_BOUNDS)}`,
  );

/**
 * One CIDR block a request asks for: an explicit `cidr` (canonical, of `family`), or a block of a
 * pool (`poolId`) by `cidr`, by `netmask` or by the pool's default netmask (neither given).
 */
export interface VpcCidrAsk {
  family: AddressFamily;
  cidr?: Cidr;
  poolId?: string;
  netmask?: number;
}

/** The members of CreateVpc and AssociateVpcCidrBlock that name a CIDR block. */
export interface VpcCidrMembers {
  CidrBlock?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
  Ipv6CidrBlock?: string;
  Ipv6Pool?: string;
  AmazonProvidedIpv6CidrBlock?: boolean;
}

function parseFamilyCidr(text: string, family: AddressFamily, member: string): Cidr {
  const cidr = parseCidr(text);
  if (cidr.family !== family) {
    throw new IpamError('InvalidParameterValue', `Value (${text}) for parameter ${member} is invalid: not an ${family} CIDR block`);
  }
  return cidr;
}

/** The IPv4 block named by CidrBlock / Ipv4IpamPoolId / Ipv4NetmaskLength, if any; sizes checked. */
export function vpcIpv4Ask(input: VpcCidrMembers): VpcCidrAsk | undefined {
  if (input.Ipv4IpamPoolId === undefined && input.Ipv4NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Ipv4NetmaskLength can only be used with Ipv4IpamPoolId');
  }
  if (input.CidrBlock !== undefined && input.Ipv4NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either CidrBlock or Ipv4NetmaskLength with Ipv4IpamPoolId, not both');
  }
  if (input.CidrBlock === undefined && input.Ipv4IpamPoolId === undefined) return undefined;
  const cidr = input.CidrBlock === undefined ? undefined : parseFamilyCidr(input.CidrBlock, 'ipv4', 'CidrBlock');
  if (cidr) requireVpcNetmask('ipv4', cidr.prefixLength, input.CidrBlock!);
  if (input.Ipv4NetmaskLength !== undefined) requireVpcNetmask('ipv4', input.Ipv4NetmaskLength, `/${input.Ipv4NetmaskLength}`);
  return { family: 'ipv4', cidr, poolId: input.Ipv4IpamPoolId, netmask: input.Ipv4NetmaskLength };
}

/**
 * The IPv6 block named by Ipv6IpamPoolId / Ipv6NetmaskLength / Ipv6CidrBlock, if any; sizes
 * checked. Amazon-provided blocks and EC2 BYOIP pools (Ipv6Pool) are not served here: an IPv6
 * pool of the IPAM (Amazon-provided in the public scope, BYOIP, or ULA) gives the same result.
 */
export function vpcIpv6Ask(input: VpcCidrMembers): VpcCidrAsk | undefined {
  if (input.AmazonProvidedIpv6CidrBlock) {
    throw new IpamError(
      'InvalidParameterValue',
      'AmazonProvidedIpv6CidrBlock is not supported by this service: draw the IPv6 CIDR block from an IPAM pool with Ipv6IpamPoolId instead (an Amazon-provided public IPv6 pool gives the same)',
    );
  }
  if (input.Ipv6Pool !== undefined) {
    throw new IpamError(
      'InvalidParameterValue',
      `Ipv6Pool (${input.Ipv6Pool}) is not supported by this service: bring the CIDR to an IPAM pool and use Ipv6IpamPoolId instead`,
    );
  }
  if (input.Ipv6IpamPoolId === undefined) {
    if (input.Ipv6NetmaskLength !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'Ipv6NetmaskLength can only be used with Ipv6IpamPoolId');
    }
    if (input.Ipv6CidrBlock !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'Ipv6CidrBlock can only be used with Ipv6IpamPoolId (or Ipv6Pool)');
    }
    return undefined;
  }
  if (input.Ipv6CidrBlock !== undefined && input.Ipv6NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either Ipv6CidrBlock or Ipv6NetmaskLength with Ipv6IpamPoolId, not both');
  }
  const cidr = input.Ipv6CidrBlock === undefined ? undefined : parseFamilyCidr(input.Ipv6CidrBlock, 'ipv6', 'Ipv6CidrBlock');
  if (cidr) requireVpcNetmask('ipv6', cidr.prefixLength, input.Ipv6CidrBlock!);
  if (input.Ipv6NetmaskLength !== undefined) requireVpcNetmask('ipv6', input.Ipv6NetmaskLength, `/${input.Ipv6NetmaskLength}`);
  return { family: 'ipv6', cidr, poolId: input.Ipv6IpamPoolId, netmask: input.Ipv6NetmaskLength };
}

/** CreateVpc's blocks: an IPv4 block is required (explicit or from a pool), an IPv6 one optional. */
export function createVpcAsks(input: VpcCidrMembers): { ipv4: VpcCidrAsk; ipv6?: VpcCidrAsk } {
  const ipv4 = vpcIpv4Ask(input);
  const ipv6 = vpcIpv6Ask(input);
  if (!ipv4) throw new IpamError('MissingParameter', 'Either CidrBlock or Ipv4IpamPoolId must be specified');
  return { ipv4, ipv6 };
}

/** AssociateVpcCidrBlock's block: exactly one, IPv4 or IPv6. */
export function associateVpcCidrAsk(input: VpcCidrMembers): VpcCidrAsk {
  const ipv4 = vpcIpv4Ask(input);
  const ipv6 = vpcIpv6Ask(input);
  if (ipv4 && ipv6) {
    throw new IpamError('InvalidParameterCombination', 'Associate either an IPv4 or an IPv6 CIDR block in one request, not both');
  }
  const ask = ipv4 ?? ipv6;
  if (!ask) {
    throw new IpamError(
      'MissingParameter',
      'The request must name a CIDR block: CidrBlock, Ipv4IpamPoolId, Ipv6IpamPoolId or AmazonProvidedIpv6CidrBlock',
    );
  }
  return ask;
}
