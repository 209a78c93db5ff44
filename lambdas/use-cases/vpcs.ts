// CreateVpc, DescribeVpcs and DeleteVpc in embedded mode (issue 16): VPCs are records of this
// service. A VPC drawn from an IPAM pool passes every rule AllocateIpamPoolCidr applies (the same
// allocationRequest/placeAllocation path), plus what the pool asks of a resource (locale =
// Region, required tags), and its `vpc` allocation is written in the same commit as the VPC.
import { formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newVpcCidrAssociationId, newVpcId } from '../domain/ids.ts';
import type { Vpc } from '../domain/model/vpc.ts';
import { requireResourceRules } from '../domain/pool-rules.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { allocationRequest, placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import { planningSpaceDeletes } from './planning-pools.ts';
import { type Dependencies, publicView, type RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

/** EC2's bounds for a VPC's IPv4 CIDR blocks. */
const VPC_NETMASK_MIN = 16;
const VPC_NETMASK_MAX = 28;

const vpcNotFound = (vpcId: string) => new IpamError('InvalidVpcID.NotFound', messages.notFound('vpc', vpcId));

function requireVpcNetmask(prefixLength: number, cidrText: string): void {
  if (prefixLength < VPC_NETMASK_MIN || prefixLength > VPC_NETMASK_MAX) {
    throw new IpamError(
      'InvalidVpc.Range',
      `The CIDR '${cidrText}' is invalid: a VPC's IPv4 CIDR block must be between /${VPC_NETMASK_MIN} and /${VPC_NETMASK_MAX}`,
    );
  }
}

interface CreateVpcInput {
  CidrBlock?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
  Ipv6CidrBlock?: string;
  Ipv6Pool?: string;
  AmazonProvidedIpv6CidrBlock?: boolean;
  InstanceTenancy?: string;
  TagSpecifications?: TagSpecification[];
}

export async function createVpc(deps: Dependencies, context: RequestContext, input: CreateVpcInput) {
  if (
    input.Ipv6IpamPoolId !== undefined ||
    input.Ipv6NetmaskLength !== undefined ||
    input.Ipv6CidrBlock !== undefined ||
    input.Ipv6Pool !== undefined ||
    input.AmazonProvidedIpv6CidrBlock
  ) {
    throw new IpamError('InvalidParameterValue', 'IPv6 CIDR blocks for VPCs are not supported by this service yet (issue 16)');
  }
  if (input.Ipv4IpamPoolId === undefined) {
    if (input.Ipv4NetmaskLength !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'Ipv4NetmaskLength can only be used with Ipv4IpamPoolId');
    }
    if (input.CidrBlock === undefined) {
      throw new IpamError('MissingParameter', 'Either CidrBlock or Ipv4IpamPoolId must be specified');
    }
  } else if (input.CidrBlock !== undefined && input.Ipv4NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either CidrBlock or Ipv4NetmaskLength with Ipv4IpamPoolId, not both');
  }
  const requested = input.CidrBlock === undefined ? undefined : parseCidr(input.CidrBlock);
  if (requested && requested.family !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `The CIDR '${input.CidrBlock}' is not an IPv4 CIDR block`);
  }
  if (requested) requireVpcNetmask(requested.prefixLength, input.CidrBlock!);
  if (input.Ipv4NetmaskLength !== undefined) requireVpcNetmask(input.Ipv4NetmaskLength, `/${input.Ipv4NetmaskLength}`);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');

  const VpcId = newVpcId();
  const vpcWith = (cidr: string, pool?: { ipamPoolId: string; ipamPoolAllocationId: string }): Vpc => ({
    VpcId,
    OwnerId: context.accountId,
    CidrBlock: cidr,
    CidrBlockAssociationSet: [{ AssociationId: newVpcCidrAssociationId(), CidrBlock: cidr, CidrBlockState: { State: 'associated' } }],
    State: 'available',
    InstanceTenancy: input.InstanceTenancy ?? 'default',
    IsDefault: false,
    DhcpOptionsId: 'default',
    Tags: tags,
    region: context.region,
    ...pool,
    version: 1,
  });

  if (input.Ipv4IpamPoolId === undefined) {
    const vpc = vpcWith(formatCidr(requested!));
    // Invariant (create): VPC ids are unique (a fresh random id; the condition catches the impossible).
    await deps.store.commit([{ op: 'create', entity: { type: 'vpc', value: vpc } }]);
    return { Vpc: presentVpc(vpc) };
  }

  const request = await allocationRequest(deps, context, {
    IpamPoolId: input.Ipv4IpamPoolId,
    Cidr: input.CidrBlock,
    NetmaskLength: input.Ipv4NetmaskLength,
  });
  const { pool } = request;
  if (pool.AddressFamily !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `IPAM pool ${pool.IpamPoolId} is not an IPv4 pool; use Ipv6IpamPoolId for IPv6 pools`);
  }
  // The pool's default netmask, when the request named none, must still fit a VPC.
  requireVpcNetmask(request.netmask, `/${request.netmask}`);
  requireResourceRules(pool, context.region, tags);

  const resource = { type: 'vpc' as const, id: VpcId, owner: context.accountId, region: context.region };
  const vpc = await retryOnConflict(async (attempt) => {
    const placement = await placeAllocation(deps, request, attempt);
    let created: Vpc | undefined;
    // Invariant (create): the VPC and the allocation holding its CIDR exist together or not at all.
    await takeForResource(deps, pool, placement, resource, 'api', ({ IpamPoolAllocationId, Cidr }) => {
      created = vpcWith(Cidr, { ipamPoolId: pool.IpamPoolId, ipamPoolAllocationId: IpamPoolAllocationId });
      return [{ op: 'create', entity: { type: 'vpc', value: created } }];
    });
    return created!;
  });
  return { Vpc: presentVpc(vpc) };
}

/** Only the EC2 members: publicView leaves out `version`, `region` and the allocation link. */
const presentVpc = (vpc: Vpc) => publicView(vpc);

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
 * Deletes the VPC and releases its allocation in one commit; a VPC with subnets is a
 * DependencyViolation. An allocation already gone (its pool's cascade released it) leaves only
 * the VPC to delete.
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
  const pool = vpc.ipamPoolId === undefined ? undefined : await deps.store.getPool(vpc.ipamPoolId);
  const allocation = pool && vpc.ipamPoolAllocationId && (await deps.store.getAllocation(pool.IpamPoolId, vpc.ipamPoolAllocationId));
  if (pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, deleteWrites))) return {};
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
};

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
