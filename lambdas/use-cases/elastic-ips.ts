// AllocateAddress, ReleaseAddress and DescribeAddresses for Elastic IPs drawn from an IPAM pool
// (30-eips-iam-quotas §1, scenario S14): each EIP is an `eip` allocation of one /32 of the pool;
// or from a public IPv4 pool fed by an IPAM pool (public-ipv4-pools.ts; S7/S9 alternatives).
// Only these forms of Elastic IP are served here; Amazon's own address pool is not simulated.
import {
  type Cidr,
  cidrFromStart,
  compareCidrs,
  containsCidr,
  formatAddress,
  lastAddress,
  parseAddress,
  parseCidr,
} from '../domain/cidr.ts';
import { awsWords, IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newElasticIpAllocationId } from '../domain/ids.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import type { ElasticIp } from '../domain/model/public-space.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { coolingAddresses, startCooldown } from './address-cooldowns.ts';
import { releaseAllocation, takeForResource } from './allocations.ts';
import { allocateFromPublicIpv4Pool, releaseToPublicIpv4Pool } from './public-ipv4-pools.ts';
import { requireTierAllowsAllocationTo } from './ipam-tiers.ts';
import { governingPolicy } from './ipam-policies.ts';
import { policyPools } from '../domain/ipam-policies.ts';
import { type Dependencies, type Output, publicView, type RequestContext } from './kernel/context.ts';
import { findPlacement, findSpecificPlacement, type Placement, retryOnConflict } from './free-space.ts';
import { isSettled } from './kernel/lookup.ts';
import { sharedAccess } from './sharing/access.ts';

const notFound = (allocationId: string) => new IpamError('InvalidAllocationID.NotFound', messages.notFound('allocation', allocationId));

interface AllocateAddressInput {
  IpamPoolId?: string;
  Address?: string;
  Domain?: string;
  NetworkBorderGroup?: string;
  PublicIpv4Pool?: string;
  CustomerOwnedIpv4Pool?: string;
  TagSpecifications?: TagSpecification[];
}

/** Checks in the order of DN-302; each step names what was wrong. */
export async function allocateAddress(deps: Dependencies, context: RequestContext, input: AllocateAddressInput): Promise<Output> {
  if (input.IpamPoolId === undefined && input.PublicIpv4Pool !== undefined) {
    if (input.CustomerOwnedIpv4Pool !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'PublicIpv4Pool cannot be combined with CustomerOwnedIpv4Pool');
    }
    return allocateFromPublicIpv4Pool(deps, context, { ...input, PublicIpv4Pool: input.PublicIpv4Pool });
  }
  if (input.IpamPoolId === undefined) {
    if (input.CustomerOwnedIpv4Pool === undefined) return allocateUnderPolicy(deps, context, input);
    throw new IpamError(
      'InvalidParameterValue',
      'This service serves no customer-owned IP pools (Outposts): allocate from an IPAM pool or a public IPv4 pool',
    );
  }
  if (input.PublicIpv4Pool !== undefined || input.CustomerOwnedIpv4Pool !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'IpamPoolId cannot be combined with PublicIpv4Pool or CustomerOwnedIpv4Pool');
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'elastic-ip');
  const pool = await requireEipPool(deps, context, input.IpamPoolId);
  const provisioned = (await deps.store.listPoolCidrs(pool.IpamPoolId))
    .filter((record) => record.State === 'provisioned')
    .map((record) => parseCidr(record.Cidr!));
  if (!isSettled(pool.State) || provisioned.length === 0) {
    throw new IpamError(
      'IncorrectState',
      `The IPAM pool ${pool.IpamPoolId} is in state '${pool.State}' with ${provisioned.length} provisioned CIDRs; Elastic IPs need a provisioned CIDR`,
    );
  }
  if (context.region !== pool.Locale) throw new IpamError('InvalidParameterValue', awsWords.localeNotRegion());
  if (input.Domain !== undefined && input.Domain !== 'vpc') {
    throw new IpamError('InvalidParameterValue', `Domain '${input.Domain}' is not supported for Elastic IPs from an IPAM pool; use 'vpc'`);
  }
  if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== pool.Locale) {
    throw new IpamError(
      'InvalidParameterValue',
      `NetworkBorderGroup '${input.NetworkBorderGroup}' must be the pool's locale ${pool.Locale}`,
    );
  }
  const requested = input.Address === undefined ? undefined : addressInPool(input.Address, pool, provisioned);
  const inUse = () =>
    new IpamError('InvalidIPAddress.InUse', `The address ${input.Address} is already in use in IPAM pool ${pool.IpamPoolId}`);

  const AllocationId = newElasticIpAllocationId();
  const elasticIpOf = (placement: Placement, ipamPoolAllocationId: string): ElasticIp => ({
    AllocationId,
    PublicIp: formatAddress('ipv4', placement.target.start),
    PublicIpv4Pool: pool.IpamPoolId,
    NetworkBorderGroup: pool.Locale,
    Domain: 'vpc',
    Tags: tags,
    ownerId: context.accountId,
    region: context.region,
    ipamPoolId: pool.IpamPoolId,
    ipamPoolAllocationId,
    version: 0,
  });
  const resource = { type: 'eip' as const, id: AllocationId, owner: context.accountId, region: pool.Locale };
  const elasticIp = await retryOnConflict(async () => {
    const placement = requested ? await findSpecificPlacement(deps.store, pool.IpamPoolId, requested) : await lowestFreeAddress(deps, pool);
    if (!placement) {
      throw requested ? inUse() : new IpamError('InsufficientAddressCapacity', `IPAM pool ${pool.IpamPoolId} has no free address left`);
    }
    // Read after the space: a release that freed the address committed its cool-down with it.
    if (requested && (await coolingAddresses(deps, pool.IpamPoolId)).has(formatAddress('ipv4', requested.start))) throw inUse();
    // Invariant (create): the EIP and the allocation holding its address exist together or not at all.
    const allocation = await takeForResource(deps, pool, placement, resource, 'api', ({ IpamPoolAllocationId }) => [
      { op: 'create', entity: { type: 'elastic-ip', value: elasticIpOf(placement, IpamPoolAllocationId) } },
    ]);
    return elasticIpOf(placement, allocation.IpamPoolAllocationId);
  });
  const { Tags: _tags, ...answer } = publicView(elasticIp);
  return answer;
}

/**
 * AllocateAddress naming no pool (spec §13): the IPAM policy governing the caller picks the pools
 * of its `eip` rules for the request's Region, tried in order; an exhausted pool (or one without
 * a provisioned CIDR) passes to the next. Past the last one AWS hands out an Amazon-provided
 * address, which this service does not simulate: refused, saying so. Naming a pool overrides the policy.
 */
async function allocateUnderPolicy(deps: Dependencies, context: RequestContext, input: AllocateAddressInput): Promise<Output> {
  const policy = await governingPolicy(deps, context.accountId);
  const poolIds = policy ? policyPools(policy, context.region, 'eip') : [];
  for (const IpamPoolId of poolIds) {
    try {
      return await allocateAddress(deps, context, { ...input, IpamPoolId });
    } catch (error) {
      // A pool full, without a provisioned CIDR, or gone since the rule named it: the next one.
      const passes = ['InsufficientAddressCapacity', 'IncorrectState', 'InvalidIpamPoolId.NotFound'];
      if (!(error instanceof IpamError) || !passes.includes(error.code)) throw error;
    }
  }
  const why = policy
    ? `the pools of IPAM policy ${policy.IpamPolicyId} for eip in ${context.region} (${poolIds.join(', ') || 'none'}) have no free address`
    : 'no IPAM policy governs this account';
  throw new IpamError(
    'InvalidParameterValue',
    `This service allocates only Elastic IP addresses from an IPAM pool, and ${why}: name an IpamPoolId (Amazon-provided addresses are not simulated)`,
  );
}

/** The /32 of a requested Address, which must lie in a provisioned CIDR of the pool (DN-302 step 7). */
function addressInPool(text: string, pool: IpamPool, provisioned: Cidr[]): Cidr {
  const address = parseAddress(text);
  const single = cidrFromStart('ipv4', address.value, 32);
  if (address.family !== 'ipv4' || !provisioned.some((cidr) => containsCidr(cidr, single))) {
    throw new IpamError('InvalidParameterValue', `The address ${text} is not within the provisioned CIDRs of IPAM pool ${pool.IpamPoolId}`);
  }
  return single;
}

/**
 * Step 2 and 3 of DN-302: a public IPv4 pool serving EC2, the caller's own or shared with it
 * (AWS RAM) by a permission that allows allocating; the address is then the caller's.
 */
async function requireEipPool(deps: Dependencies, context: RequestContext, poolId: string): Promise<IpamPool> {
  const pool = await deps.store.getPool(poolId);
  const mayUse =
    pool !== undefined &&
    (pool.OwnerId === context.accountId ||
      (await sharedAccess(deps, context.accountId, pool.IpamPoolArn, pool.OwnerId))('AllocateIpamPoolCidr'));
  if (!pool || !mayUse) throw new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', poolId));
  await requireTierAllowsAllocationTo(deps, pool, context.accountId);
  if (pool.IpamScopeType !== 'public' || pool.AddressFamily !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `IPAM pool ${poolId} is not a public IPv4 pool; Elastic IPs come only from those`);
  }
  if (pool.AwsService !== 'ec2') {
    throw new IpamError('InvalidParameterCombination', `IPAM pool ${poolId} must have AwsService ec2 to allocate Elastic IPs`);
  }
  return pool;
}

/**
 * DN-301: the lowest free address of the pool not cooling down, not the allocator's best fit
 * (which prefers the smallest free block), so EIPs come out in address order. EIP pools are
 * /29–/30 blocks or a few BYOIP CIDRs, so reading every free block is cheap.
 */
async function lowestFreeAddress(deps: Dependencies, pool: IpamPool): Promise<Placement | undefined> {
  const blocks = (await deps.store.listFreeBlocks(pool.IpamPoolId, 'ipv4'))
    .map((block) => ({ block, cidr: parseCidr(block.cidr) }))
    .sort((a, b) => compareCidrs(a.cidr, b.cidr));
  // Read after the space: a release that freed an address committed its cool-down with it.
  const cooling = await coolingAddresses(deps, pool.IpamPoolId);
  for (const { block, cidr } of blocks) {
    for (let value = cidr.start; value <= lastAddress(cidr); value++) {
      if (!cooling.has(formatAddress('ipv4', value))) return { block, target: cidrFromStart('ipv4', value, 32) };
    }
  }
  if (blocks.length > 0) return undefined;
  // A listing is not a snapshot either: "no address left" only after the exact search agrees.
  return findPlacement(deps.store, pool.IpamPoolId, 'ipv4', { prefixLength: 32 });
}

interface ReleaseAddressInput {
  AllocationId?: string;
  PublicIp?: string;
  NetworkBorderGroup?: string;
}

/**
 * Refused while associated (DN-303). An IPAM-pool EIP gives its address back, then is deleted: in
 * this order a crash in between leaves an EIP without an allocation, which the next
 * ReleaseAddress cleans up; the other order would leave an address held by nothing anyone can
 * release. A public-IPv4-pool EIP and its pool's address go in one commit.
 */
export async function releaseAddress(deps: Dependencies, context: RequestContext, input: ReleaseAddressInput) {
  const elasticIp = await requireElasticIp(deps, context, input);
  if (elasticIp.AssociationId !== undefined) {
    throw new IpamError('InvalidIPAddress.InUse', `Address ${elasticIp.PublicIp} is in use.`);
  }
  // A tag change since the read (CreateTags) is a new version: read again; gone means released.
  const reread = () => requireElasticIpByAllocationId(deps, context, elasticIp.AllocationId);
  if (elasticIp.ipamPoolId === undefined || elasticIp.ipamPoolAllocationId === undefined) {
    await releaseToPublicIpv4Pool(deps, elasticIp, reread);
    return { Return: true };
  }
  const pool = await deps.store.getPool(elasticIp.ipamPoolId);
  const allocation = pool && (await deps.store.getAllocation(pool.IpamPoolId, elasticIp.ipamPoolAllocationId));
  const poolId = elasticIp.ipamPoolId;
  if (pool && allocation)
    await releaseAllocation(deps, pool, allocation, 'api', undefined, () => startCooldown(deps, poolId, elasticIp.PublicIp));
  await retryOnConflict(async (attempt) => {
    const current = attempt === 0 ? elasticIp : await reread();
    if (current.AssociationId !== undefined) throw new IpamError('InvalidIPAddress.InUse', `Address ${current.PublicIp} is in use.`);
    // Invariant (delete): the EIP still exists at the version read, so exactly one concurrent release succeeds.
    await deps.store.commit([{ op: 'delete', entity: { type: 'elastic-ip', value: current } }]);
  });
  return { Return: true };
}

async function requireElasticIp(deps: Dependencies, context: RequestContext, input: ReleaseAddressInput): Promise<ElasticIp> {
  if (input.AllocationId !== undefined) return requireElasticIpByAllocationId(deps, context, input.AllocationId);
  if (input.PublicIp === undefined) throw new IpamError('MissingParameter', 'The request must contain the parameter AllocationId');
  const elasticIp = (await deps.store.listElasticIps(context.accountId, context.region)).find((eip) => eip.PublicIp === input.PublicIp);
  if (!elasticIp) throw addressNotFound(input.PublicIp);
  return elasticIp;
}

/** The caller's Elastic IP in the request's Region, or InvalidAllocationID.NotFound. */
export async function requireElasticIpByAllocationId(
  deps: Dependencies,
  context: RequestContext,
  allocationId: string,
): Promise<ElasticIp> {
  const elasticIp = await deps.store.getElasticIp(context.accountId, context.region, allocationId);
  if (!elasticIp) throw notFound(allocationId);
  return elasticIp;
}

const addressNotFound = (publicIp: string) => new IpamError('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);

interface DescribeAddressesInput {
  AllocationIds?: string[];
  PublicIps?: string[];
  Filters?: Filter[];
}

/**
 * The filters EC2's model documents for DescribeAddresses (with `tag:<key>` and `tag-key`, which
 * every filter takes). The association's filters (association-id, instance-id,
 * network-interface-id, network-interface-owner-id, private-ip-address) match associated EIPs only.
 */
const ADDRESS_FILTER_FIELDS = [
  'AllocationId',
  'AssociationId',
  'Domain',
  'InstanceId',
  'NetworkBorderGroup',
  'NetworkInterfaceId',
  'NetworkInterfaceOwnerId',
  'PrivateIpAddress',
  'PublicIp',
  'PublicIpv4Pool',
] as const;

/** EC2 does not page DescribeAddresses: every matching address in the Region is answered. */
export async function describeAddresses(deps: Dependencies, context: RequestContext, input: DescribeAddressesInput) {
  const matches = compileFilters<ElasticIp>(input.Filters, ADDRESS_FILTER_FIELDS);
  const elasticIps = await deps.store.listElasticIps(context.accountId, context.region);
  for (const id of input.AllocationIds ?? []) if (!elasticIps.some((eip) => eip.AllocationId === id)) throw notFound(id);
  for (const ip of input.PublicIps ?? []) if (!elasticIps.some((eip) => eip.PublicIp === ip)) throw addressNotFound(ip);
  const named = (eip: ElasticIp) =>
    (!input.AllocationIds?.length || input.AllocationIds.includes(eip.AllocationId)) &&
    (!input.PublicIps?.length || input.PublicIps.includes(eip.PublicIp));
  return { Addresses: elasticIps.filter((eip) => named(eip) && matches(eip)).map((eip) => publicView(eip)) };
}
