// CreateVpc, DescribeVpcs and DeleteVpc in embedded mode (issue 16): VPCs are records of this
// service. A VPC's IPv4 block, and its IPv6 block if asked for, drawn from IPAM pools pass every
// rule AllocateIpamPoolCidr applies (the same allocationRequest/placeAllocation path), plus what
// the pool asks of a resource (locale = Region, required tags) — vpc-blocks.ts, shared with
// AssociateVpcCidrBlock — and their `vpc` allocations are written in the same commit as the VPC.
import { type AddressFamily, formatCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newVpcId } from '../domain/ids.ts';
import type { IpamPoolAllocation } from '../domain/model/pool.ts';
import { type Vpc, vpcAllocationLinks } from '../domain/model/vpc.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { createVpcAsks, type VpcCidrMembers } from '../domain/vpc-cidr-rules.ts';
import type { Write } from '../ports/store.ts';
import { type AllocationRequest, placeAllocation, type Release, releaseAllocations, takeAllForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import { planningSpaceDeletes } from './planning-pools.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { ipv4Association, ipv6Association, presentVpc, presentVpcAsCreated, vpcPoolRequest } from './vpc-blocks.ts';

const vpcNotFound = (vpcId: string) => new IpamError('InvalidVpcID.NotFound', messages.notFound('vpc', vpcId));

interface CreateVpcInput extends VpcCidrMembers {
  InstanceTenancy?: string;
  TagSpecifications?: TagSpecification[];
}

export async function createVpc(deps: Dependencies, context: RequestContext, input: CreateVpcInput) {
  const asks = createVpcAsks(input);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');
  // The blocks drawn from pools, IPv4 first, each checked as AssociateVpcCidrBlock checks it.
  const draws: { family: AddressFamily; request: AllocationRequest }[] = [];
  for (const ask of [asks.ipv4, asks.ipv6]) {
    if (ask?.poolId !== undefined)
      draws.push({ family: ask.family, request: await vpcPoolRequest(deps, context, { ...ask, poolId: ask.poolId }, tags) });
  }

  const VpcId = newVpcId();
  const vpcWith = (allocations: IpamPoolAllocation[]): Vpc => {
    const drawn = (family: AddressFamily) => allocations[draws.findIndex((draw) => draw.family === family)];
    const ipv4 = drawn('ipv4');
    const ipv6 = drawn('ipv6');
    const cidr = ipv4?.Cidr ?? formatCidr(asks.ipv4.cidr!);
    return {
      VpcId,
      OwnerId: context.accountId,
      CidrBlock: cidr,
      CidrBlockAssociationSet: [ipv4Association(cidr)],
      ...(ipv6 && { Ipv6CidrBlockAssociationSet: [ipv6Association(ipv6, context.region)] }),
      State: 'available',
      InstanceTenancy: input.InstanceTenancy ?? 'default',
      IsDefault: false,
      DhcpOptionsId: 'default',
      Tags: tags,
      region: context.region,
      ...(ipv4 && { ipamPoolId: ipv4.ipamPoolId, ipamPoolAllocationId: ipv4.IpamPoolAllocationId }),
      version: 1,
    };
  };

  if (draws.length === 0) {
    const vpc = vpcWith([]);
    // Invariant (create): VPC ids are unique (a fresh random id; the condition catches the impossible).
    await deps.store.commit([{ op: 'create', entity: { type: 'vpc', value: vpc } }]);
    return { Vpc: presentVpcAsCreated(vpc) };
  }

  const resource = { type: 'vpc' as const, id: VpcId, owner: context.accountId, region: context.region };
  const vpc = await retryOnConflict(async (attempt) => {
    const placements = await Promise.all(draws.map(({ request }) => placeAllocation(deps, request, attempt)));
    let created: Vpc | undefined;
    const takes = draws.map(({ request }, i) => ({ pool: request.pool, placement: placements[i] }));
    // Invariant (create): the VPC and the allocations holding its blocks exist together or not at all.
    await takeAllForResource(deps, takes, resource, 'api', (allocations) => {
      created = vpcWith(allocations);
      return [{ op: 'create', entity: { type: 'vpc', value: created } }];
    });
    return created!;
  });
  return { Vpc: presentVpcAsCreated(vpc) };
}

/** The caller's VPC in the request's Region, or InvalidVpcID.NotFound. */
export async function requireVpc(deps: Dependencies, context: RequestContext, vpcId: string): Promise<Vpc> {
  const vpc = await deps.store.getVpc(context.accountId, context.region, vpcId);
  if (!vpc) throw vpcNotFound(vpcId);
  return vpc;
}

interface DeleteVpcInput {
  VpcId: string;
}

/**
 * Deletes the VPC and releases the allocations of all its blocks in one commit; a VPC with subnets
 * is a DependencyViolation. Allocations already gone (a pool's cascade released them) are skipped.
 */
export async function deleteVpc(deps: Dependencies, context: RequestContext, input: DeleteVpcInput) {
  const vpc = await requireVpc(deps, context, input.VpcId);
  // Each attempt deletes the VPC at the version it read; a VPC deleted meanwhile is NotFound.
  const deleteWrites = async (attempt: number): Promise<Write[]> => {
    const current = attempt === 0 ? vpc : await requireVpc(deps, context, input.VpcId);
    const subnets = await deps.store.listSubnets(context.accountId, context.region, current.VpcId);
    if (subnets.length > 0) {
      throw new IpamError(
        'DependencyViolation',
        `The vpc '${current.VpcId}' has dependencies and cannot be deleted: ${subnets.map((subnet) => subnet.SubnetId).join(', ')}`,
      );
    }
    // Invariant (delete): the VPC is still at the version read after its subnets were read as
    // none (CreateSubnet updates it), so it is deleted once and never with a subnet in it.
    return [{ op: 'delete', entity: { type: 'vpc', value: current } }, ...(await planningSpaceDeletes(deps, current))];
  };
  // Every block's allocation still there (a pool's cascade may have released some) goes with it.
  const releases: Release[] = [];
  for (const { ipamPoolId, ipamPoolAllocationId } of vpcAllocationLinks(vpc)) {
    const pool = await deps.store.getPool(ipamPoolId);
    const allocation = pool && (await deps.store.getAllocation(ipamPoolId, ipamPoolAllocationId));
    if (pool && allocation) releases.push({ pool, allocation });
  }
  if (releases.length > 0 && (await releaseAllocations(deps, releases, 'api', deleteWrites)).length > 0) return {};
  await retryOnConflict(async (attempt) => deps.store.commit(await deleteWrites(attempt)));
  return {};
}

interface DescribeVpcsInput extends ListRequest {
  VpcIds?: string[];
  Filters?: Filter[];
}

const VPC_FILTER_FIELDS = ['VpcId', 'OwnerId', 'State', 'CidrBlock', 'IsDefault', 'DhcpOptionsId'] as const;
const VPC_FILTER_EXTRAS: Record<string, (vpc: Vpc) => unknown> = {
  cidr: (vpc) => vpc.CidrBlock,
  'cidr-block-association.cidr-block': (vpc) => vpc.CidrBlockAssociationSet.map((association) => association.CidrBlock),
  'cidr-block-association.association-id': (vpc) => vpc.CidrBlockAssociationSet.map((association) => association.AssociationId),
  'cidr-block-association.state': (vpc) => vpc.CidrBlockAssociationSet.map((association) => association.CidrBlockState.State),
  'ipv6-cidr-block-association.ipv6-cidr-block': (vpc) => ipv6Associations(vpc).map((association) => association.Ipv6CidrBlock),
  'ipv6-cidr-block-association.ipv6-pool': (vpc) => ipv6Associations(vpc).map((association) => association.Ipv6Pool),
  'ipv6-cidr-block-association.association-id': (vpc) => ipv6Associations(vpc).map((association) => association.AssociationId),
  'ipv6-cidr-block-association.state': (vpc) => ipv6Associations(vpc).map((association) => association.Ipv6CidrBlockState.State),
};
const ipv6Associations = (vpc: Vpc) => vpc.Ipv6CidrBlockAssociationSet ?? [];

/** The caller's VPCs in the request's Region; an account with none gets an empty list. */
export async function describeVpcs(deps: Dependencies, context: RequestContext, input: DescribeVpcsInput) {
  const matches = compileFilters<Vpc>(input.Filters, VPC_FILTER_FIELDS, VPC_FILTER_EXTRAS);
  const vpcs = await deps.store.listVpcs(context.accountId, context.region);
  const ids = input.VpcIds ?? [];
  const missing = ids.find((id) => !vpcs.some((vpc) => vpc.VpcId === id));
  if (missing !== undefined) throw vpcNotFound(missing);
  const selected = vpcs.filter((vpc) => (ids.length === 0 || ids.includes(vpc.VpcId)) && matches(vpc));
  const query = queryFingerprint(['DescribeVpcs', context.accountId, context.region, ids, input.Filters ?? []]);
  const page = pageOf(deps.paginationSecret, query, selected, (vpc) => vpc.VpcId, input, 1000);
  return { Vpcs: page.items.map(presentVpc), NextToken: page.nextToken };
}
