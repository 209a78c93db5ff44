// AssociateVpcCidrBlock and DisassociateVpcCidrBlock in embedded mode (issue 16): a VPC's
// secondary IPv4 blocks and its IPv6 blocks, explicit or drawn from IPAM pools by the path
// CreateVpc takes (vpc-blocks.ts), each pool-drawn block with its own `vpc` allocation, committed
// and released together with the VPC's record.
import { containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import type { Vpc, VpcCidrBlockAssociation, VpcIpv6CidrBlockAssociation } from '../domain/model/vpc.ts';
import { associateVpcCidrAsk, type VpcCidrMembers } from '../domain/vpc-cidr-rules.ts';
import type { Write } from '../ports/store.ts';
import { placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { planningBlockDeletes } from './planning-pools.ts';
import { ipv4Association, ipv6Association, presentBlockChange, requireNoOverlap, requireRoomFor, vpcPoolRequest } from './vpc-blocks.ts';
import { requireVpc } from './vpcs.ts';

interface AssociateVpcCidrBlockInput extends VpcCidrMembers {
  VpcId: string;
  Ipv6CidrBlockNetworkBorderGroup?: string;
}

/**
 * Adds an IPv4 or IPv6 block to a VPC: explicit (IPv4), or drawn from an IPAM pool through the
 * same path as CreateVpc. The VPC is updated at the version it was read with, so the quota and
 * overlap checks hold when it commits; a block from a pool commits with its allocation.
 */
export async function associateVpcCidrBlock(deps: Dependencies, context: RequestContext, input: AssociateVpcCidrBlockInput) {
  const ask = associateVpcCidrAsk(input);
  const first = await requireVpc(deps, context, input.VpcId);
  const request = ask.poolId === undefined ? undefined : await vpcPoolRequest(deps, context, { ...ask, poolId: ask.poolId }, first.Tags);
  const resource = { type: 'vpc' as const, id: first.VpcId, owner: context.accountId, region: context.region };

  return retryOnConflict(async (attempt) => {
    const vpc = attempt === 0 ? first : await requireVpc(deps, context, input.VpcId);
    requireRoomFor(vpc, ask.family);
    if (ask.cidr) requireNoOverlap(vpc, ask.cidr);
    // Invariant (update): the VPC is at the version read, so no block was added or removed since
    // its quota and overlaps were checked, and it was not deleted.
    const updateWith = (association: VpcCidrBlockAssociation | VpcIpv6CidrBlockAssociation): Write => ({
      op: 'update',
      entity: {
        type: 'vpc',
        value:
          'CidrBlock' in association
            ? { ...vpc, CidrBlockAssociationSet: [...vpc.CidrBlockAssociationSet, association] }
            : { ...vpc, Ipv6CidrBlockAssociationSet: [...(vpc.Ipv6CidrBlockAssociationSet ?? []), association] },
      },
    });
    if (!request) {
      const association = ipv4Association(formatCidr(ask.cidr!));
      await deps.store.commit([updateWith(association)]);
      return { VpcId: vpc.VpcId, CidrBlockAssociation: presentBlockChange(association, 'associating') };
    }
    const placement = await placeAllocation(deps, request, attempt);
    requireNoOverlap(vpc, placement.target);
    let association: VpcCidrBlockAssociation | VpcIpv6CidrBlockAssociation | undefined;
    // Invariant (create): the block's allocation and the VPC holding the block commit together.
    await takeForResource(deps, request.pool, placement, resource, 'api', (allocation) => {
      association = ask.family === 'ipv4' ? ipv4Association(allocation.Cidr, allocation) : ipv6Association(allocation, context.region);
      return [updateWith(association)];
    });
    const answer = presentBlockChange(association!, 'associating');
    return ask.family === 'ipv4'
      ? { VpcId: vpc.VpcId, CidrBlockAssociation: answer }
      : { VpcId: vpc.VpcId, Ipv6CidrBlockAssociation: answer };
  });
}

interface DisassociateVpcCidrBlockInput {
  AssociationId: string;
}

/**
 * Removes a secondary block from a VPC and releases its allocation in the same commit. The
 * primary IPv4 block stays (OperationNotPermitted), and so does a block a subnet lies in or a
 * resource planning pool holds (InvalidCidrBlock.InUse). The block is gone at once; the answer says `disassociating`, as EC2's.
 */
export async function disassociateVpcCidrBlock(deps: Dependencies, context: RequestContext, input: DisassociateVpcCidrBlockInput) {
  const found = await findAssociation(deps, context, input.AssociationId);
  const { link } = found;
  const removeWrites = async (attempt: number): Promise<Write[]> => {
    const current = attempt === 0 ? found : await findAssociation(deps, context, input.AssociationId);
    const { vpc, cidr } = current;
    if ('CidrBlock' in current.link && current.link.CidrBlock === vpc.CidrBlock) {
      throw new IpamError(
        'OperationNotPermitted',
        `The vpc CIDR block with association ID ${input.AssociationId} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`,
      );
    }
    const subnets = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    const block = parseCidr(cidr);
    const inside = subnets.find((subnet) =>
      [subnet.CidrBlock, ...(subnet.Ipv6CidrBlockAssociationSet ?? []).map((association) => association.Ipv6CidrBlock)].some((text) =>
        containsCidr(block, parseCidr(text)),
      ),
    );
    if (inside) {
      throw new IpamError(
        'InvalidCidrBlock.InUse',
        `The vpc ${vpc.VpcId} currently has a subnet within CIDR block ${cidr}: ${inside.SubnetId}`,
      );
    }
    const updated: Vpc = {
      ...vpc,
      CidrBlockAssociationSet: vpc.CidrBlockAssociationSet.filter((association) => association.AssociationId !== input.AssociationId),
      Ipv6CidrBlockAssociationSet: vpc.Ipv6CidrBlockAssociationSet?.filter(
        (association) => association.AssociationId !== input.AssociationId,
      ),
    };
    if (!updated.Ipv6CidrBlockAssociationSet?.length) delete updated.Ipv6CidrBlockAssociationSet;
    // A block once provisioned to a resource planning pool leaves the VPC's space too.
    const planning = await planningBlockDeletes(deps, vpc, cidr);
    if (vpc.planningCidrs?.includes(cidr)) updated.planningCidrs = vpc.planningCidrs.filter((planned) => planned !== cidr);
    // Invariant (update): the VPC is at the version read after its subnets were read (CreateSubnet
    // updates it), so no subnet lies in the block when it goes; a planning pool's take of the block
    // checks the VPC's version too, so it cannot take it meanwhile.
    return [{ op: 'update', entity: { type: 'vpc', value: updated } }, ...planning];
  };
  const pool = link.ipamPoolId === undefined ? undefined : await deps.store.getPool(link.ipamPoolId);
  const allocation = pool && link.ipamPoolAllocationId && (await deps.store.getAllocation(pool.IpamPoolId, link.ipamPoolAllocationId));
  // An allocation already gone (its pool's cascade released it) leaves only the VPC to update.
  if (!(pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, removeWrites)))) {
    await retryOnConflict(async (attempt) => deps.store.commit(await removeWrites(attempt)));
  }
  const answer = presentBlockChange(link, 'disassociating');
  return 'CidrBlock' in link
    ? { VpcId: found.vpc.VpcId, CidrBlockAssociation: answer }
    : { VpcId: found.vpc.VpcId, Ipv6CidrBlockAssociation: answer };
}

/** The caller's VPC (request Region) holding association `associationId`, or NotFound. */
async function findAssociation(deps: Dependencies, context: RequestContext, associationId: string) {
  for (const vpc of await deps.store.listVpcs(context.accountId, context.region)) {
    const ipv4 = vpc.CidrBlockAssociationSet.find((association) => association.AssociationId === associationId);
    if (ipv4) return { vpc, link: ipv4, cidr: ipv4.CidrBlock };
    const ipv6 = vpc.Ipv6CidrBlockAssociationSet?.find((association) => association.AssociationId === associationId);
    if (ipv6) return { vpc, link: ipv6, cidr: ipv6.Ipv6CidrBlock };
  }
  throw new IpamError('InvalidVpcCidrBlockAssociationID.NotFound', messages.notFound('vpc CIDR block association', associationId));
}
