// CreateSubnet, DescribeSubnets and DeleteSubnet in embedded mode (issue 16): subnets of the VPCs
// this service keeps, by explicit CIDR or from a resource planning pool of their VPC (S13), with an
// IPv6 block if asked, explicit or from a pool (subnet-cidr-blocks.ts). A block from a pool passes
// every rule AllocateIpamPoolCidr applies (the allocationRequest/placeAllocation path CreateVpc
// takes), and its `subnet` allocation is written with the subnet: IPv4 and IPv6 from two pools at once.
import { type AddressFamily, type Cidr, cidrSize, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newSubnetId, regionalEc2Arn } from '../domain/ids.ts';
import type { Tag } from '../domain/model/record.ts';
import {
  type PoolAllocationLink,
  type Subnet,
  type SubnetIpv6CidrBlockAssociation,
  subnetAllocationLinks,
  type Vpc,
} from '../domain/model/vpc.ts';
import { requireResourceRules } from '../domain/pool-rules.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { type AllocationRequest, allocationRequest, type Release, releaseAllocations, takeAllForResource } from './allocations.ts';
import { type Placement, retryOnConflict } from './free-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import {
  presentSubnet,
  presentSubnetAsCreated,
  requireSubnet,
  subnetDrawPlacement,
  subnetIpv6Ask,
  subnetIpv6Association,
  subnetIpv6PoolRequest,
} from './subnet-cidr-blocks.ts';
import { requireVpc } from './vpcs.ts';
import { requireSubnetIpv4Netmask } from '../domain/vpc-cidr-rules.ts';

/** The addresses AWS reserves in each subnet (sizes: domain/vpc-cidr-rules.ts). */
const RESERVED_ADDRESSES = 5;

const subnetNotFound = (subnetId: string) => new IpamError('InvalidSubnetID.NotFound', messages.notFound('subnet', subnetId));

interface CreateSubnetInput {
  VpcId: string;
  CidrBlock?: string;
  AvailabilityZone?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
  Ipv6CidrBlock?: string;
  Ipv6Native?: boolean;
  TagSpecifications?: TagSpecification[];
}

export async function createSubnet(deps: Dependencies, context: RequestContext, input: CreateSubnetInput) {
  if (input.Ipv6Native) {
    throw new IpamError(
      'InvalidParameterValue',
      'IPv6-only subnets (Ipv6Native) are not supported by this service yet: give a CidrBlock too',
    );
  }
  const ipv6 = subnetIpv6Ask(input);
  if (input.Ipv4IpamPoolId === undefined) {
    if (input.Ipv4NetmaskLength !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'Ipv4NetmaskLength can only be used with Ipv4IpamPoolId');
    }
    if (input.CidrBlock === undefined) throw new IpamError('MissingParameter', messages.missingParameter('CidrBlock'));
  } else if (input.CidrBlock !== undefined && input.Ipv4NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either CidrBlock or Ipv4NetmaskLength with Ipv4IpamPoolId, not both');
  }
  const requested = input.CidrBlock === undefined ? undefined : parseCidr(input.CidrBlock);
  if (requested) requireSubnetIpv4Netmask(requested.family === 'ipv4' ? requested.prefixLength : -1, input.CidrBlock!);
  if (input.Ipv4NetmaskLength !== undefined) requireSubnetIpv4Netmask(input.Ipv4NetmaskLength, `/${input.Ipv4NetmaskLength}`);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
  const SubnetId = newSubnetId();
  const subnetWith = (vpc: Vpc, cidr: Cidr, ipv4Link: PoolAllocationLink, ipv6Association?: SubnetIpv6CidrBlockAssociation): Subnet => ({
    SubnetId,
    SubnetArn: regionalEc2Arn(context.region, context.accountId, 'subnet', SubnetId),
    VpcId: vpc.VpcId,
    OwnerId: context.accountId,
    CidrBlock: formatCidr(cidr),
    AvailableIpAddressCount: Number(cidrSize(cidr)) - RESERVED_ADDRESSES,
    AvailabilityZone: input.AvailabilityZone ?? `${context.region}a`,
    State: 'available',
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    ...(ipv6Association && { Ipv6CidrBlockAssociationSet: [ipv6Association] }),
    AssignIpv6AddressOnCreation: false,
    Tags: tags,
    region: context.region,
    ...ipv4Link,
    version: 1,
  });
  const writesFor = (vpc: Vpc, subnet: Subnet): Write[] => [
    // Invariant (update): the VPC is at the version read, so no subnet was created in it, and
    // it was not deleted, since the siblings were read: the new subnet overlaps none of them.
    { op: 'update', entity: { type: 'vpc', value: vpc } },
    { op: 'create', entity: { type: 'subnet', value: subnet } },
  ];

  // The blocks drawn from pools (S13), IPv4 first, each checked as AllocateIpamPoolCidr checks it.
  await requireVpc(deps, context, input.VpcId);
  const draws: { family: AddressFamily; request: AllocationRequest }[] = [];
  if (input.Ipv4IpamPoolId !== undefined) {
    draws.push({
      family: 'ipv4',
      request: await subnetPoolRequest(deps, context, { ...input, Ipv4IpamPoolId: input.Ipv4IpamPoolId }, tags),
    });
  }
  if (ipv6?.poolId !== undefined) {
    draws.push({ family: 'ipv6', request: await subnetIpv6PoolRequest(deps, context, { ...ipv6, poolId: ipv6.poolId }, tags) });
  }

  if (draws.length === 0) {
    return retryOnConflict(async () => {
      const vpc = await requireVpc(deps, context, input.VpcId);
      const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
      requireSubnetPlace(vpc, siblings, requested!);
      const subnet = subnetWith(vpc, requested!, {}, ipv6 && subnetIpv6Association(vpc, siblings, ipv6.cidr!));
      await deps.store.commit(writesFor(vpc, subnet));
      return { Subnet: presentSubnetAsCreated(subnet) };
    });
  }

  // From pools: the same allocation rules and commit as CreateVpc, with the subnet's own rules.
  const resource = { type: 'subnet' as const, id: SubnetId, owner: context.accountId, region: context.region };
  const subnet = await retryOnConflict(async (attempt) => {
    const vpc = await requireVpc(deps, context, input.VpcId);
    const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    if (requested) requireSubnetPlace(vpc, siblings, requested);
    const placements: Placement[] = [];
    for (const { family, request } of draws) {
      const placement = await subnetDrawPlacement(deps, request, vpc, siblings, attempt);
      if (family === 'ipv4') requireSubnetPlace(vpc, siblings, placement.target);
      else subnetIpv6Association(vpc, siblings, formatCidr(placement.target));
      placements.push(placement);
    }
    let created: Subnet | undefined;
    const takes = draws.map(({ request }, i) => ({ pool: request.pool, placement: placements[i] }));
    // Invariant (create): the subnet and the allocations holding its blocks exist together or not at all.
    await takeAllForResource(deps, takes, resource, 'api', (allocations) => {
      const drawn = (family: AddressFamily) => allocations[draws.findIndex((draw) => draw.family === family)];
      const [ipv4, ipv6Allocation] = [drawn('ipv4'), drawn('ipv6')];
      const ipv4Link = ipv4 ? { ipamPoolId: ipv4.ipamPoolId, ipamPoolAllocationId: ipv4.IpamPoolAllocationId } : {};
      const ipv6Cidr = ipv6Allocation?.Cidr ?? ipv6?.cidr;
      created = subnetWith(
        vpc,
        ipv4 ? parseCidr(ipv4.Cidr) : requested!,
        ipv4Link,
        ipv6Cidr === undefined ? undefined : subnetIpv6Association(vpc, siblings, ipv6Cidr, ipv6Allocation),
      );
      return writesFor(vpc, created);
    });
    return created!;
  });
  return { Subnet: presentSubnetAsCreated(subnet) };
}

/**
 * Every rule a subnet's IPv4 block from a pool obeys, embedded or forwarded: what any allocation
 * from the pool obeys (allocationRequest), an IPv4 pool, the subnet size bound (also for the
 * pool's default netmask), and what the pool asks of a resource (locale, required tags).
 */
export async function subnetPoolRequest(
  deps: Dependencies,
  context: RequestContext,
  input: { Ipv4IpamPoolId: string; CidrBlock?: string; Ipv4NetmaskLength?: number },
  tags: Tag[],
): Promise<AllocationRequest> {
  const request = await allocationRequest(deps, context, {
    IpamPoolId: input.Ipv4IpamPoolId,
    Cidr: input.CidrBlock,
    NetmaskLength: input.Ipv4NetmaskLength,
  });
  const { pool } = request;
  if (pool.AddressFamily !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `IPAM pool ${pool.IpamPoolId} is not an IPv4 pool; use Ipv6IpamPoolId for IPv6 pools`);
  }
  // The pool's default netmask, when the request named none, must still fit a subnet.
  requireSubnetIpv4Netmask(request.netmask, `/${request.netmask}`);
  requireResourceRules(pool, context.region, tags);
  return request;
}

/** Inside one of the VPC's CIDR blocks, overlapping none of its other subnets. */
function requireSubnetPlace(vpc: Vpc, siblings: Subnet[], cidr: Cidr): void {
  const text = formatCidr(cidr);
  if (!vpc.CidrBlockAssociationSet.some((association) => containsCidr(parseCidr(association.CidrBlock), cidr))) {
    throw new IpamError('InvalidSubnet.Range', `The CIDR '${text}' is invalid: it is not within the CIDR blocks of VPC ${vpc.VpcId}`);
  }
  const overlapping = siblings.find((subnet) => cidrsOverlap(parseCidr(subnet.CidrBlock), cidr));
  if (overlapping) {
    throw new IpamError(
      'InvalidSubnet.Conflict',
      `The CIDR '${text}' conflicts with another subnet: ${overlapping.SubnetId} (${overlapping.CidrBlock})`,
    );
  }
}

interface DeleteSubnetInput {
  SubnetId: string;
}

/**
 * Deletes the subnet; blocks drawn from pools give their allocations back in the same commit.
 * Allocations already gone (a pool's cascade released them) leave only the subnet to delete.
 */
export async function deleteSubnet(deps: Dependencies, context: RequestContext, input: DeleteSubnetInput) {
  const findSubnet = () => requireSubnet(deps, context, input.SubnetId);
  // Invariant (delete): the subnet still exists, so exactly one concurrent delete succeeds.
  const deleteWrites = async (): Promise<Write[]> => [{ op: 'delete', entity: { type: 'subnet', value: await findSubnet() } }];
  const subnet = await findSubnet();
  // Every block's allocation still there (its IPv4 one's and its IPv6 one's) goes with it.
  const releases: Release[] = [];
  for (const { ipamPoolId, ipamPoolAllocationId } of subnetAllocationLinks(subnet)) {
    const pool = await deps.store.getPool(ipamPoolId);
    const allocation = pool && (await deps.store.getAllocation(ipamPoolId, ipamPoolAllocationId));
    if (pool && allocation) releases.push({ pool, allocation });
  }
  if (releases.length > 0 && (await releaseAllocations(deps, releases, 'api', deleteWrites)).length > 0) return {};
  await retryOnConflict(async () => deps.store.commit(await deleteWrites()));
  return {};
}

interface DescribeSubnetsInput extends ListRequest {
  SubnetIds?: string[];
  Filters?: Filter[];
}

const SUBNET_FILTER_FIELDS = [
  'SubnetId',
  'SubnetArn',
  'VpcId',
  'OwnerId',
  'State',
  'CidrBlock',
  'AvailabilityZone',
  'DefaultForAz',
] as const;
const SUBNET_FILTER_EXTRAS: Record<string, (subnet: Subnet) => unknown> = {
  'cidr-block': (subnet) => subnet.CidrBlock,
  cidr: (subnet) => subnet.CidrBlock,
  'default-for-az': (subnet) => subnet.DefaultForAz,
  'ipv6-cidr-block-association.ipv6-cidr-block': (subnet) => ipv6Of(subnet).map((association) => association.Ipv6CidrBlock),
  'ipv6-cidr-block-association.association-id': (subnet) => ipv6Of(subnet).map((association) => association.AssociationId),
  'ipv6-cidr-block-association.state': (subnet) => ipv6Of(subnet).map((association) => association.Ipv6CidrBlockState.State),
};
const ipv6Of = (subnet: Subnet) => subnet.Ipv6CidrBlockAssociationSet ?? [];

/** The caller's subnets in the request's Region; an account with none gets an empty list. */
export async function describeSubnets(deps: Dependencies, context: RequestContext, input: DescribeSubnetsInput) {
  const matches = compileFilters<Subnet>(input.Filters, SUBNET_FILTER_FIELDS, SUBNET_FILTER_EXTRAS);
  const subnets = await deps.store.listSubnets(context.accountId, context.region);
  const ids = input.SubnetIds ?? [];
  const missing = ids.find((id) => !subnets.some((subnet) => subnet.SubnetId === id));
  if (missing !== undefined) throw subnetNotFound(missing);
  const selected = subnets.filter((subnet) => (ids.length === 0 || ids.includes(subnet.SubnetId)) && matches(subnet));
  const query = queryFingerprint(['DescribeSubnets', context.accountId, context.region, ids, input.Filters ?? []]);
  const page = pageOf(deps.paginationSecret, query, selected, (subnet) => subnet.SubnetId, input, 1000);
  return { Subnets: page.items.map(presentSubnet), NextToken: page.nextToken };
}
