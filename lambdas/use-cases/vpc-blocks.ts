// A VPC's CIDR blocks, shared by CreateVpc and AssociateVpcCidrBlock (issue 16, embedded): the
// IPAM part of a block drawn from a pool — the allocation's rules (allocationRequest, as
// AllocateIpamPoolCidr), what the pool asks of a resource (requireResourceRules), EC2's VPC sizes —
// the association records, EC2's quota and overlap rules, and what a caller sees of a VPC.
// Blocks are `associated` at once, like the VPC's `available`: there is nothing to wait for. Only
// the answer to a change names the state EC2's work starts in (presentVpcAsCreated, presentBlockChange).
import { type Cidr, cidrsOverlap, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import { newVpcCidrAssociationId } from '../domain/ids.ts';
import type { IpamPoolAllocation } from '../domain/model/pool.ts';
import type { Tag } from '../domain/model/record.ts';
import {
  type SubnetIpv6CidrBlockAssociation,
  type Vpc,
  type VpcCidrBlockAssociation,
  type VpcIpv6CidrBlockAssociation,
  vpcCidrBlocks,
} from '../domain/model/vpc.ts';
import { requireResourceRules } from '../domain/pool-rules.ts';
import { requireVpcNetmask, VPC_CIDR_BLOCKS_PER_FAMILY, type VpcCidrAsk } from '../domain/vpc-cidr-rules.ts';
import { type AllocationRequest, allocationRequest } from './allocations.ts';
import { publicView } from './kernel/context.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';

/**
 * The checked request for a VPC block drawn from pool `ask.poolId`: every allocation rule, the
 * pool's family matching the member used (Ipv4IpamPoolId / Ipv6IpamPoolId), a VPC size (also for
 * the pool's default netmask), and the pool's locale and required tags for a VPC tagged `tags`.
 */
export async function vpcPoolRequest(
  deps: Dependencies,
  context: RequestContext,
  ask: VpcCidrAsk & { poolId: string },
  tags: readonly Tag[],
): Promise<AllocationRequest> {
  const request = await allocationRequest(deps, context, {
    IpamPoolId: ask.poolId,
    Cidr: ask.cidr === undefined ? undefined : formatCidr(ask.cidr),
    NetmaskLength: ask.netmask,
    family: { is: ask.family, member: ask.family === 'ipv4' ? 'Ipv4IpamPoolId' : 'Ipv6IpamPoolId' },
  });
  const { pool } = request;
  requireVpcNetmask(ask.family, request.netmask, `/${request.netmask}`);
  requireResourceRules(pool, context.region, tags);
  return request;
}

/** A new IPv4 block association, linked to the allocation holding it if a pool gave it. */
export const ipv4Association = (cidr: string, allocation?: IpamPoolAllocation): VpcCidrBlockAssociation => ({
  AssociationId: newVpcCidrAssociationId(),
  CidrBlock: cidr,
  CidrBlockState: { State: 'associated' },
  ...(allocation && { ipamPoolId: allocation.ipamPoolId, ipamPoolAllocationId: allocation.IpamPoolAllocationId }),
});

/** A new IPv6 block association: always from a pool here (`Ipv6Pool` names it, as EC2 answers). */
export const ipv6Association = (allocation: IpamPoolAllocation, region: string): VpcIpv6CidrBlockAssociation => ({
  AssociationId: newVpcCidrAssociationId(),
  Ipv6CidrBlock: allocation.Cidr,
  Ipv6CidrBlockState: { State: 'associated' },
  NetworkBorderGroup: region,
  Ipv6Pool: allocation.ipamPoolId,
  ipamPoolId: allocation.ipamPoolId,
  ipamPoolAllocationId: allocation.IpamPoolAllocationId,
});

/** Only EC2's members, at every level (associations carry their allocation links internally). */
export function presentVpc(vpc: Vpc) {
  const view = publicView(vpc);
  view.CidrBlockAssociationSet = vpc.CidrBlockAssociationSet.map((association) => publicView(association));
  if (vpc.Ipv6CidrBlockAssociationSet?.length) {
    view.Ipv6CidrBlockAssociationSet = vpc.Ipv6CidrBlockAssociationSet.map((association) => publicView(association));
  } else delete view.Ipv6CidrBlockAssociationSet;
  return view;
}

// What EC2 answers a change with. EC2 answers before its work is done, so the answer names the
// state that work starts in; here the record is settled before the answer leaves (a describe right
// after shows `available`/`associated`, and a removed block is gone), and only the answer reads
// like EC2's, for callers that check it. From AWS's published AWS CLI examples (awscli's
// examples/ec2/): create-vpc.rst answers the VPC `pending`, its IPv4 block `associated` and an IPv6
// block `associating`; associate-vpc-cidr-block.rst answers `associating` (IPv4 and IPv6),
// disassociate-vpc-cidr-block.rst `disassociating`; associate-subnet-cidr-block.rst and
// disassociate-subnet-cidr-block.rst answer the same for a subnet's IPv6 block (create-subnet.rst:
// subnet-cidr-blocks.ts).

/** The state EC2 answers a block association or disassociation with. */
export type BlockChange = 'associating' | 'disassociating';

/** A VPC's or subnet's block as EC2 answers a change to it: its members, in state `change`. */
export function presentBlockChange(
  association: VpcCidrBlockAssociation | VpcIpv6CidrBlockAssociation | SubnetIpv6CidrBlockAssociation,
  change: BlockChange,
) {
  const view = publicView(association);
  if ('CidrBlock' in association) view.CidrBlockState = { State: change };
  else view.Ipv6CidrBlockState = { State: change };
  return view;
}

/** A new VPC as CreateVpc answers it: `pending`, its IPv4 block `associated`, an IPv6 one `associating`. */
export function presentVpcAsCreated(vpc: Vpc) {
  const view = presentVpc(vpc);
  view.State = 'pending';
  if (vpc.Ipv6CidrBlockAssociationSet?.length) {
    view.Ipv6CidrBlockAssociationSet = vpc.Ipv6CidrBlockAssociationSet.map((association) => presentBlockChange(association, 'associating'));
  }
  return view;
}

/** CidrLimitExceeded when the VPC holds EC2's default quota of blocks of that family already. */
export function requireRoomFor(vpc: Vpc, family: VpcCidrAsk['family']): void {
  const held = family === 'ipv4' ? vpc.CidrBlockAssociationSet.length : (vpc.Ipv6CidrBlockAssociationSet ?? []).length;
  if (held >= VPC_CIDR_BLOCKS_PER_FAMILY) {
    throw new IpamError(
      'CidrLimitExceeded',
      `This network '${vpc.VpcId}' has met its maximum number of allowed ${family === 'ipv4' ? 'IPv4' : 'IPv6'} CIDRs: ${VPC_CIDR_BLOCKS_PER_FAMILY}`,
    );
  }
}

/** A VPC's blocks must not overlap one another. */
export function requireNoOverlap(vpc: Vpc, cidr: Cidr): void {
  const clash = vpcCidrBlocks(vpc).find((block) => cidrsOverlap(parseCidr(block), cidr));
  if (clash !== undefined) {
    throw new IpamError('InvalidVpc.Range', `The CIDR '${formatCidr(cidr)}' overlaps the CIDR block ${clash} of vpc ${vpc.VpcId}`);
  }
}
