// EC2 companions (issue 16): the VPCs this service keeps itself in embedded mode, so that
// `create-vpc --ipv4-ipam-pool-id …` works with no other software.
import type { Tag, Versioned } from './record.ts';

/** One CIDR block of a VPC (its primary one; secondary associations come with AssociateVpcCidrBlock). */
export interface VpcCidrBlockAssociation {
  AssociationId: string;
  CidrBlock: string;
  CidrBlockState: { State: 'associated' };
}

/**
 * A VPC. `State` is `available` from the start: nothing here has to be built, so `pending` would
 * only make callers poll. When the CIDR came from an IPAM pool, the `vpc` allocation
 * `ipamPoolAllocationId` of pool `ipamPoolId` holds it and was written in the same commit.
 */
export interface Vpc extends Versioned {
  VpcId: string;
  OwnerId: string;
  CidrBlock: string;
  CidrBlockAssociationSet: VpcCidrBlockAssociation[];
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

/**
 * A subnet of an embedded VPC, `available` from the start like its VPC. Its CIDR lies in the
 * VPC's and overlaps no other subnet of the VPC: CreateSubnet checks that against the subnets it
 * read and commits with an update of the VPC's version, so subnets of one VPC are created one
 * at a time and DeleteVpc (which deletes the VPC at the version it read) never misses one.
 */
export interface Subnet {
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
  Tags: Tag[];
  /** Internal: the Region it lives in, and the `subnet` allocation holding its CIDR, if any (S13). */
  region: string;
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
}
