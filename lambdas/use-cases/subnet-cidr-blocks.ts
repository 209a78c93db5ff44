// A subnet's IPv6 CIDR block in embedded mode (issue 16): given at CreateSubnet or added later by
// AssociateSubnetCidrBlock, and removed by DisassociateSubnetCidrBlock. EC2's rules: one IPv6
// block per subnet, /44–/64 in steps of 4, inside one of its VPC's IPv6 blocks, overlapping no
// other subnet's. Every change commits with an update of the VPC's version, as CreateSubnet does,
// so changes in one VPC are checked against what the last one left. A block drawn from a pool
// (Ipv6IpamPoolId: an IPv6 resource planning pool of the VPC, or one below it) takes the path an
// IPv4 subnet block from a pool takes (subnetDrawPlacement), and its `subnet` allocation is
// written, and released, in the same commit as the association.
import { type AddressFamily, type Cidr, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { newSubnetCidrAssociationId } from '../domain/ids.ts';
import type { IpamPoolAllocation } from '../domain/model/pool.ts';
import type { Tag } from '../domain/model/record.ts';
import type { Subnet, SubnetIpv6CidrBlockAssociation, Vpc } from '../domain/model/vpc.ts';
import { requireResourceRules } from '../domain/pool-rules.ts';
import { requireSubnetIpv6Cidr, requireSubnetIpv6Netmask } from '../domain/vpc-cidr-rules.ts';
import type { Write } from '../ports/store.ts';
import { type AllocationRequest, allocationRequest, placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { type Placement, retryOnConflict } from './free-space.ts';
import { type Dependencies, publicView, type RequestContext } from './kernel/context.ts';
import { requirePlanningPoolOf } from './planning-pools.ts';
import { presentBlockChange } from './vpc-blocks.ts';
import { requireVpc } from './vpcs.ts';

/** What a request may ask of a subnet's IPv6 block: explicit, or from a pool by CIDR or netmask. */
export interface SubnetIpv6Members {
  Ipv6CidrBlock?: string;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
}

/** A subnet's IPv6 block asked for: `cidr` (canonical) alone, or of pool `poolId` by `cidr`, `netmask` or the pool's default. */
export interface SubnetIpv6Ask {
  cidr?: string;
  poolId?: string;
  netmask?: number;
}

/** The IPv6 block asked for, if any, its size checked. */
export function subnetIpv6Ask(input: SubnetIpv6Members): SubnetIpv6Ask | undefined {
  if (input.Ipv6IpamPoolId === undefined && input.Ipv6NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Ipv6NetmaskLength can only be used with Ipv6IpamPoolId');
  }
  if (input.Ipv6CidrBlock !== undefined && input.Ipv6NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either Ipv6CidrBlock or Ipv6NetmaskLength with Ipv6IpamPoolId, not both');
  }
  if (input.Ipv6NetmaskLength !== undefined) requireSubnetIpv6Netmask(input.Ipv6NetmaskLength, `/${input.Ipv6NetmaskLength}`);
  let cidr: string | undefined;
  if (input.Ipv6CidrBlock !== undefined) {
    const parsed = parseCidr(input.Ipv6CidrBlock);
    requireSubnetIpv6Cidr(parsed, input.Ipv6CidrBlock);
    cidr = formatCidr(parsed);
  }
  if (cidr === undefined && input.Ipv6IpamPoolId === undefined) return undefined;
  return { cidr, poolId: input.Ipv6IpamPoolId, netmask: input.Ipv6NetmaskLength };
}

/**
 * Every rule a subnet's IPv6 block from a pool obeys (subnetPoolRequest's, for IPv6): what any
 * allocation from the pool obeys, an IPv6 pool, the subnet sizes (also for the pool's default
 * netmask), and what the pool asks of a resource (locale, required tags).
 */
export async function subnetIpv6PoolRequest(
  deps: Dependencies,
  context: RequestContext,
  ask: SubnetIpv6Ask & { poolId: string },
  tags: readonly Tag[],
): Promise<AllocationRequest> {
  const request = await allocationRequest(deps, context, {
    IpamPoolId: ask.poolId,
    Cidr: ask.cidr,
    NetmaskLength: ask.netmask,
    family: { is: 'ipv6', member: 'Ipv6IpamPoolId' },
  });
  requireSubnetIpv6Netmask(request.netmask, `/${request.netmask}`);
  requireResourceRules(request.pool, context.region, tags);
  return request;
}

/** The blocks of `family` the other subnets of a VPC hold. */
export const siblingBlocks = (siblings: readonly Subnet[], family: AddressFamily): Cidr[] =>
  siblings.flatMap((sibling) =>
    family === 'ipv4'
      ? [parseCidr(sibling.CidrBlock)]
      : (sibling.Ipv6CidrBlockAssociationSet ?? []).map((association) => parseCidr(association.Ipv6CidrBlock)),
  );

/**
 * Where a subnet's block of `family` from a pool goes (attempt `attempt`): the pool plans this
 * VPC, and a block by netmask avoids the space the VPC's other subnets hold (they may have taken
 * an explicit CIDR of it). The caller checks the result lies in the VPC and clashes with no sibling.
 */
export async function subnetDrawPlacement(
  deps: Dependencies,
  request: AllocationRequest,
  vpc: Vpc,
  siblings: readonly Subnet[],
  attempt: number,
): Promise<Placement> {
  requirePlanningPoolOf(request.pool, vpc);
  return placeAllocation(deps, { ...request, avoid: siblingBlocks(siblings, request.pool.AddressFamily) }, attempt);
}

/**
 * A new IPv6 block association for a subnet of `vpc`: InvalidSubnet.Range outside the VPC's IPv6
 * blocks, InvalidSubnet.Conflict over another subnet's IPv6 block (`siblings`, read before).
 * Linked to the allocation holding it if a pool gave it.
 */
export function subnetIpv6Association(
  vpc: Vpc,
  siblings: readonly Subnet[],
  cidrText: string,
  allocation?: IpamPoolAllocation,
): SubnetIpv6CidrBlockAssociation {
  requireSubnetIpv6Place(vpc, siblings, cidrText);
  return {
    AssociationId: newSubnetCidrAssociationId(),
    Ipv6CidrBlock: cidrText,
    Ipv6CidrBlockState: { State: 'associated' },
    ...(allocation && { ipamPoolId: allocation.ipamPoolId, ipamPoolAllocationId: allocation.IpamPoolAllocationId }),
  };
}

function requireSubnetIpv6Place(vpc: Vpc, siblings: readonly Subnet[], cidrText: string): void {
  const cidr = parseCidr(cidrText);
  if (!(vpc.Ipv6CidrBlockAssociationSet ?? []).some((association) => containsCidr(parseCidr(association.Ipv6CidrBlock), cidr))) {
    throw new IpamError(
      'InvalidSubnet.Range',
      `The CIDR '${cidrText}' is invalid: it is not within the IPv6 CIDR blocks of VPC ${vpc.VpcId}`,
    );
  }
  for (const sibling of siblings) {
    const clash = sibling.Ipv6CidrBlockAssociationSet?.find((association) => cidrsOverlap(parseCidr(association.Ipv6CidrBlock), cidr));
    if (clash) {
      throw new IpamError(
        'InvalidSubnet.Conflict',
        `The CIDR '${cidrText}' conflicts with another subnet: ${sibling.SubnetId} (${clash.Ipv6CidrBlock})`,
      );
    }
  }
}

/** What a caller sees of a subnet: EC2's members only, at every level (associations carry their allocation links internally). */
export function presentSubnet(subnet: Subnet) {
  const view = publicView(subnet);
  if (subnet.Ipv6CidrBlockAssociationSet?.length) {
    view.Ipv6CidrBlockAssociationSet = subnet.Ipv6CidrBlockAssociationSet.map((association) => publicView(association));
  } else delete view.Ipv6CidrBlockAssociationSet;
  return view;
}

/**
 * A new subnet as CreateSubnet answers it, settled here but read like EC2's answer (AWS CLI
 * example create-subnet.rst): the subnet `available`, its IPv6 block `associating`.
 */
export function presentSubnetAsCreated(subnet: Subnet) {
  const view = presentSubnet(subnet);
  if (subnet.Ipv6CidrBlockAssociationSet?.length) {
    view.Ipv6CidrBlockAssociationSet = subnet.Ipv6CidrBlockAssociationSet.map((association) =>
      presentBlockChange(association, 'associating'),
    );
  }
  return view;
}

/** The caller's subnet (request Region) by id, with its VPC, or InvalidSubnetID.NotFound. */
export async function requireSubnet(deps: Dependencies, context: RequestContext, subnetId: string) {
  const subnet = (await deps.store.listSubnets(context.accountId, context.region)).find((found) => found.SubnetId === subnetId);
  if (!subnet) throw new IpamError('InvalidSubnetID.NotFound', messages.notFound('subnet', subnetId));
  return subnet;
}

interface AssociateSubnetCidrBlockInput extends SubnetIpv6Members {
  SubnetId: string;
}

export async function associateSubnetCidrBlock(deps: Dependencies, context: RequestContext, input: AssociateSubnetCidrBlockInput) {
  const ask = subnetIpv6Ask(input);
  if (ask === undefined) throw new IpamError('MissingParameter', messages.missingParameter('Ipv6CidrBlock or Ipv6IpamPoolId'));
  const request =
    ask.poolId === undefined
      ? undefined
      : await subnetIpv6PoolRequest(
          deps,
          context,
          { ...ask, poolId: ask.poolId },
          (await requireSubnet(deps, context, input.SubnetId)).Tags,
        );
  return retryOnConflict(async (attempt) => {
    const subnet = await requireSubnet(deps, context, input.SubnetId);
    if (subnet.Ipv6CidrBlockAssociationSet?.length) {
      throw new IpamError(
        'InvalidParameterValue',
        `The subnet ${subnet.SubnetId} already has an IPv6 CIDR block (${subnet.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock}): a subnet holds one`,
      );
    }
    const vpc = await requireVpc(deps, context, subnet.VpcId);
    const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    const writesFor = (association: SubnetIpv6CidrBlockAssociation): Write[] => [
      // Invariant (update): the VPC is at the version read, so no subnet block changed in it since
      // the siblings were read, and no VPC block the new one lies in was removed.
      { op: 'update', entity: { type: 'vpc', value: vpc } },
      // Invariant (update): the subnet is as read (it still has no IPv6 block).
      { op: 'update', entity: { type: 'subnet', value: { ...subnet, Ipv6CidrBlockAssociationSet: [association] } } },
    ];
    let association: SubnetIpv6CidrBlockAssociation;
    if (request === undefined) {
      association = subnetIpv6Association(vpc, siblings, ask.cidr!);
      await deps.store.commit(writesFor(association));
    } else {
      const placement = await subnetDrawPlacement(deps, request, vpc, siblings, attempt);
      requireSubnetIpv6Place(vpc, siblings, formatCidr(placement.target));
      const resource = { type: 'subnet' as const, id: subnet.SubnetId, owner: context.accountId, region: context.region };
      // Invariant (create): the association and the allocation holding its block exist together or not at all.
      await takeForResource(deps, request.pool, placement, resource, 'api', (allocation) => {
        association = subnetIpv6Association(vpc, siblings, allocation.Cidr, allocation);
        return writesFor(association);
      });
    }
    // Settled at once; answered `associating` as EC2's (AWS CLI example associate-subnet-cidr-block.rst).
    return { SubnetId: subnet.SubnetId, Ipv6CidrBlockAssociation: presentBlockChange(association!, 'associating') };
  });
}

interface DisassociateSubnetCidrBlockInput {
  AssociationId: string;
}

/**
 * Removes a subnet's IPv6 block: gone at once, answered `disassociating` as EC2's (AWS CLI
 * example disassociate-subnet-cidr-block.rst). A block from a pool gives its allocation back in
 * the same commit; one already gone (its pool's cascade released it) leaves only the block to remove.
 */
export async function disassociateSubnetCidrBlock(deps: Dependencies, context: RequestContext, input: DisassociateSubnetCidrBlockInput) {
  const find = async () => {
    const subnets = await deps.store.listSubnets(context.accountId, context.region);
    const subnet = subnets.find((found) =>
      found.Ipv6CidrBlockAssociationSet?.some((association) => association.AssociationId === input.AssociationId),
    );
    if (!subnet) {
      throw new IpamError(
        'InvalidSubnetCidrBlockAssociationID.NotFound',
        messages.notFound('subnet CIDR block association', input.AssociationId),
      );
    }
    const association = subnet.Ipv6CidrBlockAssociationSet!.find((found) => found.AssociationId === input.AssociationId)!;
    return { subnet, association };
  };
  let removed: SubnetIpv6CidrBlockAssociation | undefined;
  const removeWrites = async (): Promise<Write[]> => {
    const { subnet, association } = await find();
    const vpc = await requireVpc(deps, context, subnet.VpcId);
    const { Ipv6CidrBlockAssociationSet: _removed, ...rest } = subnet;
    removed = association;
    return [
      // Invariant (update): the VPC is at the version read (subnet changes in it go one at a time).
      { op: 'update', entity: { type: 'vpc', value: vpc } },
      // Invariant (update): the subnet is as read, so the block is removed once.
      { op: 'update', entity: { type: 'subnet', value: rest } },
    ];
  };
  const answer = (subnetId: string) => ({
    SubnetId: subnetId,
    Ipv6CidrBlockAssociation: presentBlockChange(removed!, 'disassociating'),
  });
  const { subnet, association } = await find();
  const pool = association.ipamPoolId === undefined ? undefined : await deps.store.getPool(association.ipamPoolId);
  const allocation =
    pool && association.ipamPoolAllocationId && (await deps.store.getAllocation(pool.IpamPoolId, association.ipamPoolAllocationId));
  if (pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, removeWrites)))
    return answer(subnet.SubnetId);
  await retryOnConflict(async () => deps.store.commit(await removeWrites()));
  return answer(subnet.SubnetId);
}
