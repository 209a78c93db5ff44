// EC2 companions (issue 16): the VPCs this service keeps itself in embedded mode, so that
// `create-vpc --ipv4-ipam-pool-id …` works with no other software.
import type { Tag, Versioned } from './record.ts';

/** The `vpc` allocation holding a block drawn from an IPAM pool, written in the same commit. */
export interface PoolAllocationLink {
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
}

/**
 * One IPv4 CIDR block of a VPC: its primary one, or one AssociateVpcCidrBlock added. `associated`
 * at once, like the VPC's `available`; a secondary block from a pool links its own allocation
 * (the primary one's link is the VPC's).
 */
export interface VpcCidrBlockAssociation extends PoolAllocationLink {
  AssociationId: string;
  CidrBlock: string;
  CidrBlockState: { State: 'associated' };
}

/** One IPv6 CIDR block of a VPC, drawn from an IPAM pool (`Ipv6Pool` is that pool's id, as EC2 answers). */
export interface VpcIpv6CidrBlockAssociation extends PoolAllocationLink {
  AssociationId: string;
  Ipv6CidrBlock: string;
  Ipv6CidrBlockState: { State: 'associated' };
  NetworkBorderGroup: string;
  Ipv6Pool: string;
}

/**
 * A VPC. `State` is `available` from the start: nothing here has to be built (only CreateVpc's
 * answer says `pending`, as EC2's does: vpc-blocks.ts). When the CIDR came from an IPAM pool, the `vpc` allocation
 * `ipamPoolAllocationId` of pool `ipamPoolId` holds it and was written in the same commit.
 */
export interface Vpc extends Versioned {
  VpcId: string;
  OwnerId: string;
  CidrBlock: string;
  CidrBlockAssociationSet: VpcCidrBlockAssociation[];
  /** Absent (not empty) for a VPC without IPv6, as EC2 answers. */
  Ipv6CidrBlockAssociationSet?: VpcIpv6CidrBlockAssociation[];
  State: 'available';
  InstanceTenancy: string;
  IsDefault: false;
  DhcpOptionsId: 'default';
  Tags: Tag[];
  /** Internal: the Region it lives in, and the allocation holding its primary CIDR, if any. */
  region: string;
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
  /**
   * Internal: the CIDR blocks of this VPC ever provisioned to a resource planning pool (S13). The
   * VPC is then a space of its own (space id = VPC id): each such CIDR is a free block of it, or
   * an allocation held by the one planning pool it is provisioned to. A CIDR not listed is free.
   */
  planningCidrs?: string[];
}

/** Every allocation a VPC holds: its primary block's and each pool-drawn association's. */
export function vpcAllocationLinks(vpc: Vpc): Required<PoolAllocationLink>[] {
  return linked([vpc, ...vpc.CidrBlockAssociationSet, ...(vpc.Ipv6CidrBlockAssociationSet ?? [])]);
}

/** Every allocation a subnet holds: its IPv4 block's and its IPv6 block's, each if drawn from a pool. */
export function subnetAllocationLinks(subnet: Subnet): Required<PoolAllocationLink>[] {
  return linked([subnet, ...(subnet.Ipv6CidrBlockAssociationSet ?? [])]);
}

const linked = (links: PoolAllocationLink[]) =>
  links.filter((link): link is Required<PoolAllocationLink> => link.ipamPoolId !== undefined && link.ipamPoolAllocationId !== undefined);

/** Every CIDR block of a VPC, IPv4 and IPv6. */
export const vpcCidrBlocks = (vpc: Vpc): string[] => [
  ...vpc.CidrBlockAssociationSet.map((association) => association.CidrBlock),
  ...(vpc.Ipv6CidrBlockAssociationSet ?? []).map((association) => association.Ipv6CidrBlock),
];

/**
 * An IPv6 CIDR block of a subnet, inside one of its VPC's IPv6 blocks; `associated` at once. One
 * drawn from a pool (a resource planning pool of the VPC, or one below it) links its allocation.
 */
export interface SubnetIpv6CidrBlockAssociation extends PoolAllocationLink {
  AssociationId: string;
  Ipv6CidrBlock: string;
  Ipv6CidrBlockState: { State: 'associated' };
}

/**
 * A subnet of an embedded VPC, `available` from the start like its VPC. Its CIDR lies in the
 * VPC's and overlaps no other subnet of the VPC: CreateSubnet checks that against the subnets it
 * read and commits with an update of the VPC's version, so subnets of one VPC are created one
 * at a time and DeleteVpc (which deletes the VPC at the version it read) never misses one.
 */
export interface Subnet extends Versioned {
  SubnetId: string;
  SubnetArn: string;
  VpcId: string;
  OwnerId: string;
  CidrBlock: string;
  AvailableIpAddressCount: number;
  AvailabilityZone: string;
  State: 'available';
  DefaultForAz: false;
  MapPublicIpOnLaunch: false;
  /** At most one IPv6 block (EC2's rule); absent for a subnet without IPv6, as EC2 answers. */
  Ipv6CidrBlockAssociationSet?: SubnetIpv6CidrBlockAssociation[];
  AssignIpv6AddressOnCreation?: false;
  Tags: Tag[];
  /** Internal: the Region it lives in, and the `subnet` allocation holding its CIDR, if any (S13). */
  region: string;
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
}
