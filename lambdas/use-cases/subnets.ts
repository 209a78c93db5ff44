// CreateSubnet, DescribeSubnets and DeleteSubnet in embedded mode (issue 16): subnets of the VPCs
// this service keeps, by explicit CIDR or from a resource planning pool of their VPC (S13), with an
// explicit IPv6 block if asked (subnet-cidr-blocks.ts). A subnet from a pool passes every rule
// AllocateIpamPoolCidr applies (the allocationRequest/placeAllocation path CreateVpc takes), and
// its `subnet` allocation is written with it.
import { type Cidr, cidrSize, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newSubnetId, regionalEc2Arn } from '../domain/ids.ts';
import type { Tag } from '../domain/model/record.ts';
import type { Subnet, Vpc } from '../domain/model/vpc.ts';
import { requireResourceRules } from '../domain/pool-rules.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { type AllocationRequest, allocationRequest, placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { requirePlanningPoolOf } from './planning-pools.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { presentSubnet, presentSubnetAsCreated, subnetIpv6Ask, subnetIpv6Association } from './subnet-cidr-blocks.ts';
import { requireVpc } from './vpcs.ts';

/** EC2's bounds for a subnet's IPv4 CIDR block, and the addresses AWS reserves in each subnet. */
const SUBNET_NETMASK_MIN = 16;
const SUBNET_NETMASK_MAX = 28;
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
  if (requested) requireSubnetRange(requested.family === 'ipv4' ? requested.prefixLength : -1, input.CidrBlock!);
  if (input.Ipv4NetmaskLength !== undefined) requireSubnetRange(input.Ipv4NetmaskLength, `/${input.Ipv4NetmaskLength}`);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
  const SubnetId = newSubnetId();
  const subnetWith = (
    vpc: Vpc,
    siblings: readonly Subnet[],
    cidr: Cidr,
    pool?: { ipamPoolId: string; ipamPoolAllocationId: string },
  ): Subnet => ({
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
    ...(ipv6 !== undefined && { Ipv6CidrBlockAssociationSet: [subnetIpv6Association(vpc, siblings, ipv6)] }),
    AssignIpv6AddressOnCreation: false,
    Tags: tags,
    region: context.region,
    ...pool,
    version: 1,
  });
  const writesFor = (vpc: Vpc, subnet: Subnet): Write[] => [
    // Invariant (update): the VPC is at the version read, so no subnet was created in it, and
    // it was not deleted, since the siblings were read: the new subnet overlaps none of them.
    { op: 'update', entity: { type: 'vpc', value: vpc } },
    { op: 'create', entity: { type: 'subnet', value: subnet } },
  ];

  if (input.Ipv4IpamPoolId === undefined) {
    return retryOnConflict(async () => {
      const vpc = await requireVpc(deps, context, input.VpcId);
      const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
      requireSubnetPlace(vpc, siblings, requested!);
      const subnet = subnetWith(vpc, siblings, requested!);
      await deps.store.commit(writesFor(vpc, subnet));
      return { Subnet: presentSubnetAsCreated(subnet) };
    });
  }

  // From a pool (S13): the same allocation rules and commit as CreateVpc, with the subnet's own.
  await requireVpc(deps, context, input.VpcId);
  const request = await subnetPoolRequest(deps, context, { ...input, Ipv4IpamPoolId: input.Ipv4IpamPoolId }, tags);
  const { pool } = request;
  const resource = { type: 'subnet' as const, id: SubnetId, owner: context.accountId, region: context.region };
  const subnet = await retryOnConflict(async (attempt) => {
    const vpc = await requireVpc(deps, context, input.VpcId);
    requirePlanningPoolOf(pool, vpc);
    const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    if (requested) requireSubnetPlace(vpc, siblings, requested);
    // By netmask, the pool's space the VPC's other subnets (by explicit CIDR) already use is avoided.
    const disallowed = [...request.disallowed, ...siblings.map((sibling) => parseCidr(sibling.CidrBlock))];
    const placement = await placeAllocation(deps, { ...request, disallowed }, attempt);
    requireSubnetPlace(vpc, siblings, placement.target);
    let created: Subnet | undefined;
    // Invariant (create): the subnet and the allocation holding its CIDR exist together or not at all.
    await takeForResource(deps, pool, placement, resource, 'api', ({ IpamPoolAllocationId }) => {
      created = subnetWith(vpc, siblings, placement.target, { ipamPoolId: pool.IpamPoolId, ipamPoolAllocationId: IpamPoolAllocationId });
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
  requireSubnetRange(request.netmask, `/${request.netmask}`);
  requireResourceRules(pool, context.region, tags);
  return request;
}

/** EC2's bound on a subnet's IPv4 CIDR block (or netmask, from a pool): InvalidSubnet.Range outside /16–/28. */
export function requireSubnetRange(prefixLength: number, cidrText: string): void {
  if (prefixLength < SUBNET_NETMASK_MIN || prefixLength > SUBNET_NETMASK_MAX) {
    throw new IpamError(
      'InvalidSubnet.Range',
      `The CIDR '${cidrText}' is invalid: a subnet's IPv4 CIDR block must be between /${SUBNET_NETMASK_MIN} and /${SUBNET_NETMASK_MAX}`,
    );
  }
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
 * Deletes the subnet; one drawn from a pool gives its allocation back in the same commit. An
 * allocation already gone (its pool's cascade released it) leaves only the subnet to delete.
 */
export async function deleteSubnet(deps: Dependencies, context: RequestContext, input: DeleteSubnetInput) {
  const findSubnet = async () => {
    const subnet = (await deps.store.listSubnets(context.accountId, context.region)).find((found) => found.SubnetId === input.SubnetId);
    if (!subnet) throw subnetNotFound(input.SubnetId);
    return subnet;
  };
  // Invariant (delete): the subnet still exists, so exactly one concurrent delete succeeds.
  const deleteWrites = async (): Promise<Write[]> => [{ op: 'delete', entity: { type: 'subnet', value: await findSubnet() } }];
  const subnet = await findSubnet();
  const pool = subnet.ipamPoolId === undefined ? undefined : await deps.store.getPool(subnet.ipamPoolId);
  const allocation = pool && subnet.ipamPoolAllocationId && (await deps.store.getAllocation(pool.IpamPoolId, subnet.ipamPoolAllocationId));
  if (pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, deleteWrites))) return {};
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
