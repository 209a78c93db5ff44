// EC2 public IPv4 pools (issue 21, spec X-PUB; the guide's S7 and S9 alternative paths): single-
// account EC2 objects whose address ranges come from public IPAM pools. A range is an IPAM
// allocation of ResourceType `ec2-public-ipv4-pool` (S9 A5); Elastic IPs from the pool
// (AllocateAddress --public-ipv4-pool) are not IPAM allocations, the pool record holds their
// addresses. Pools are found by owner and id in any Region, so the guide's S9 clean-up, which
// names a us-west-2 pool from us-east-1, works as written (spec S9 "Guide defects").
//
// A BYOIPv4 range provisioned outside IPAM (ProvisionByoipCidr, byoip-ranges.ts) gets the same
// kind of pool: its successful verification creates a `public-ipv4-pool` record holding the range
// (without IPAM pool), so Describe, AllocateAddress, release, associations and the cool-down below
// apply to it unchanged. DeprovisionByoipCidr deletes that record (refused while an EIP holds an
// address of it); MoveByoipCidrToIpam gives its range the IPAM allocation, after which
// DeprovisionPublicIpv4PoolCidr returns the block to the IPAM pool as for any other range.
import {
  type Cidr,
  cidrFromStart,
  cidrSize,
  compareCidrs,
  containsCidr,
  formatAddress,
  formatCidr,
  lastAddress,
  parseAddress,
  parseCidr,
} from '../domain/cidr.ts';
import { awsWords, IpamError } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newElasticIpAllocationId, newPublicIpv4PoolId } from '../domain/ids.ts';
import type { PublicIpv4PoolChange } from '../domain/model/events.ts';
import type { ElasticIp, PublicIpv4Pool } from '../domain/model/public-space.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { coolingAddresses, startCooldown } from './address-cooldowns.ts';
import { allocationRequest, placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import { type Dependencies, publicView, type RequestContext } from './kernel/context.ts';
import { commitAnnouncing, outboxFor } from './kernel/outbox.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

/** ProvisionPublicIpv4PoolCidr's NetmaskLength: 24 is the least specific value accepted (the guide, S7 A2). */
const LEAST_SPECIFIC_NETMASK = 24;
/** DescribePublicIpv4Pools' MaxResults (the guide, Summary 2: 1–10). */
const MAX_RESULTS = 10;

const poolNotFound = (poolId: string) =>
  new IpamError('InvalidPublicIpv4PoolID.NotFound', `The public IPv4 pool ID '${poolId}' does not exist`);

/** The caller's public IPv4 pool, in whatever Region it was created. */
async function requirePublicIpv4Pool(deps: Dependencies, context: RequestContext, poolId: string): Promise<PublicIpv4Pool> {
  const pool = await deps.store.getPublicIpv4Pool(context.accountId, poolId);
  if (!pool) throw poolNotFound(poolId);
  return pool;
}

/** The caller's public IPv4 pool in the request's Region (as CreateTags and AllocateAddress find EC2 objects). */
export async function requirePublicIpv4PoolInRegion(deps: Dependencies, context: RequestContext, poolId: string): Promise<PublicIpv4Pool> {
  const pool = await deps.store.getPublicIpv4Pool(context.accountId, poolId);
  // EC2 objects are regional: a pool of another Region is not found here.
  if (!pool || pool.region !== context.region) throw poolNotFound(poolId);
  return pool;
}

function requireNetworkBorderGroup(given: string | undefined, region: string): void {
  if (given !== undefined && given !== region) {
    throw new IpamError('InvalidParameterValue', `NetworkBorderGroup '${given}' must be the Region of the request, ${region}`);
  }
}

const poolChange = (pool: PublicIpv4Pool, detail: Omit<PublicIpv4PoolChange['detail'], 'poolId'>) => ({
  event: { 'detail-type': 'Public IPv4 Pool Change' as const, detail: { poolId: pool.PoolId, ...detail } },
  accountId: pool.ownerId,
  region: pool.region,
});

/** The deletion's announcement (DeletePublicIpv4Pool, or DeprovisionByoipCidr of the range that made the pool). */
export const publicIpv4PoolDeleted = (pool: PublicIpv4Pool) => poolChange(pool, { change: 'deleted' });

export async function createPublicIpv4Pool(
  deps: Dependencies,
  context: RequestContext,
  input: { TagSpecifications?: TagSpecification[]; NetworkBorderGroup?: string },
) {
  requireNetworkBorderGroup(input.NetworkBorderGroup, context.region);
  const pool: PublicIpv4Pool = {
    PoolId: newPublicIpv4PoolId(),
    NetworkBorderGroup: context.region,
    Tags: tagsFromSpecifications(input.TagSpecifications, 'ipv4pool-ec2'),
    ownerId: context.accountId,
    region: context.region,
    ranges: [],
    allocated: [],
    version: 0,
  };
  // Invariant (create): a fresh id, so the pool is new.
  await commitAnnouncing(
    deps,
    [{ op: 'create', entity: { type: 'public-ipv4-pool', value: pool } }],
    [poolChange(pool, { change: 'created' })],
  );
  return { PoolId: pool.PoolId };
}

export async function deletePublicIpv4Pool(
  deps: Dependencies,
  context: RequestContext,
  input: { PoolId: string; NetworkBorderGroup?: string },
) {
  const pool = await requirePublicIpv4Pool(deps, context, input.PoolId);
  requireNetworkBorderGroup(input.NetworkBorderGroup, pool.region);
  if (pool.ranges.length > 0) {
    throw new IpamError(
      'DependencyViolation',
      `The public IPv4 pool ${pool.PoolId} has ${pool.ranges.length} provisioned CIDRs; deprovision them first`,
    );
  }
  // Invariant (delete): the pool is still at the version read, so no range came in meanwhile.
  await commitAnnouncing(deps, [{ op: 'delete', entity: { type: 'public-ipv4-pool', value: pool } }], [publicIpv4PoolDeleted(pool)]);
  return { ReturnValue: true };
}

interface ProvisionInput {
  IpamPoolId: string;
  PoolId: string;
  NetmaskLength: number;
  NetworkBorderGroup?: string;
}

/**
 * A block of a public IPv4 IPAM pool (AwsService ec2, locale = the pool's Region) becomes a range
 * of the public IPv4 pool: an `ec2-public-ipv4-pool` allocation and the pool's new range in one commit.
 */
export async function provisionPublicIpv4PoolCidr(deps: Dependencies, context: RequestContext, input: ProvisionInput) {
  const publicPool = await requirePublicIpv4Pool(deps, context, input.PoolId);
  requireNetworkBorderGroup(input.NetworkBorderGroup, publicPool.region);
  if (publicPool.region !== context.region) {
    throw new IpamError(
      'InvalidParameterValue',
      `The public IPv4 pool ${publicPool.PoolId} is in ${publicPool.region}; provision it there`,
    );
  }
  if (!Number.isInteger(input.NetmaskLength) || input.NetmaskLength < LEAST_SPECIFIC_NETMASK || input.NetmaskLength > 32) {
    throw new IpamError('InvalidParameterValue', `NetmaskLength (${input.NetmaskLength}) must be between ${LEAST_SPECIFIC_NETMASK} and 32`);
  }
  const request = await allocationRequest(deps, context, { IpamPoolId: input.IpamPoolId, NetmaskLength: input.NetmaskLength });
  const { pool } = request;
  if (pool.IpamScopeType !== 'public' || pool.AddressFamily !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `IPAM pool ${pool.IpamPoolId} is not a public IPv4 pool`);
  }
  if (pool.AwsService !== 'ec2') {
    throw new IpamError(
      'InvalidParameterCombination',
      `IPAM pool ${pool.IpamPoolId} must have AwsService ec2 to provision public IPv4 pools`,
    );
  }
  if (pool.Locale !== context.region) throw new IpamError('InvalidParameterValue', awsWords.localeNotRegion());
  const resource = { type: 'ec2-public-ipv4-pool' as const, id: publicPool.PoolId, owner: context.accountId, region: publicPool.region };
  const cidr = await retryOnConflict(async (attempt) => {
    const current = attempt === 0 ? publicPool : await requirePublicIpv4Pool(deps, context, input.PoolId);
    const placement = await placeAllocation(deps, request, attempt);
    const range = formatCidr(placement.target);
    const change = outboxFor(deps, [poolChange(current, { change: 'cidr-provisioned', cidr: range, ipamPoolId: pool.IpamPoolId })]);
    await takeForResource(deps, pool, placement, resource, 'api', ({ IpamPoolAllocationId }) => {
      const added = { cidr: range, ipamPoolId: pool.IpamPoolId, ipamPoolAllocationId: IpamPoolAllocationId };
      // Invariant (update): the public pool is still at the version read (not deleted meanwhile).
      return [
        { op: 'update', entity: { type: 'public-ipv4-pool', value: { ...current, ranges: [...current.ranges, added] } } },
        ...change.writes,
      ];
    });
    await change.deliver();
    return range;
  });
  return { PoolId: publicPool.PoolId, PoolAddressRange: rangeView(parseCidr(cidr), new Set()) };
}

/**
 * A range goes back to its IPAM pool once none of its addresses is held by an Elastic IP: the
 * allocation's release and the pool's update in one commit. A range whose allocation is gone
 * already (its IPAM pool was deleted with Cascade) just leaves the pool.
 */
export async function deprovisionPublicIpv4PoolCidr(deps: Dependencies, context: RequestContext, input: { PoolId: string; Cidr: string }) {
  const first = await requirePublicIpv4Pool(deps, context, input.PoolId);
  const cidr = formatCidr(parseCidr(input.Cidr));
  const range = first.ranges.find((candidate) => candidate.cidr === cidr);
  if (!range) throw new IpamError('InvalidParameterValue', `The CIDR ${input.Cidr} is not provisioned in public IPv4 pool ${first.PoolId}`);
  const { ipamPoolId, ipamPoolAllocationId } = range;
  if (ipamPoolId === undefined || ipamPoolAllocationId === undefined) {
    throw new IpamError(
      'InvalidParameterValue',
      `The CIDR ${cidr} is a BYOIP range provisioned outside IPAM; deprovision it with DeprovisionByoipCidr`,
    );
  }
  let announced = outboxFor(deps, []);
  const leave = async (attempt: number): Promise<Write[]> => {
    const current = attempt === 0 ? first : await requirePublicIpv4Pool(deps, context, input.PoolId);
    if (!current.ranges.some((candidate) => candidate.cidr === cidr))
      throw new IpamError('InvalidParameterValue', `The CIDR ${cidr} is no longer provisioned in public IPv4 pool ${current.PoolId}`);
    const inUse = current.allocated.filter((address) => containsCidr(parseCidr(cidr), parseCidr(`${address}/32`)));
    if (inUse.length > 0) {
      throw new IpamError(
        'DependencyViolation',
        `The CIDR ${cidr} has ${inUse.length} addresses allocated to Elastic IPs; release them first`,
      );
    }
    const value = { ...current, ranges: current.ranges.filter((candidate) => candidate.cidr !== cidr) };
    announced = outboxFor(deps, [poolChange(current, { change: 'cidr-deprovisioned', cidr, ipamPoolId })]);
    // Invariant (update): the public pool is at the version read, so no Elastic IP took an address of the range meanwhile.
    return [{ op: 'update', entity: { type: 'public-ipv4-pool', value } }, ...announced.writes];
  };
  await leave(0); // refuses before anything is released
  const ipamPool = await deps.store.getPool(ipamPoolId);
  const allocation = ipamPool && (await deps.store.getAllocation(ipamPoolId, ipamPoolAllocationId));
  const released = ipamPool && allocation ? await releaseAllocation(deps, ipamPool, allocation, 'api', undefined, leave) : false;
  if (!released) await retryOnConflict(async (attempt) => deps.store.commit(await leave(attempt)));
  await announced.deliver();
  return { PoolId: first.PoolId, DeprovisionedAddresses: [cidr] };
}

interface DescribeInput extends ListRequest {
  PoolIds?: string[];
  Filters?: Filter[];
}

/** The Region's pools of the caller, or the pools named (found in any Region); tag filters as every EC2 Describe takes. */
export async function describePublicIpv4Pools(deps: Dependencies, context: RequestContext, input: DescribeInput) {
  if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > MAX_RESULTS)) {
    throw new IpamError('InvalidParameterValue', `MaxResults must be between 1 and ${MAX_RESULTS}`);
  }
  const matches = compileFilters<PublicIpv4Pool>(input.Filters, []);
  const owned = await deps.store.listPublicIpv4Pools(context.accountId);
  for (const id of input.PoolIds ?? []) if (!owned.some((pool) => pool.PoolId === id)) throw poolNotFound(id);
  const named = input.PoolIds?.length
    ? owned.filter((pool) => input.PoolIds!.includes(pool.PoolId))
    : owned.filter((pool) => pool.region === context.region);
  const query = queryFingerprint(['DescribePublicIpv4Pools', context.accountId, context.region, input.PoolIds, input.Filters]);
  const page = pageOf(deps.paginationSecret, query, named.filter(matches), (pool) => pool.PoolId, input, MAX_RESULTS);
  return { PublicIpv4Pools: page.items.map(poolView), NextToken: page.nextToken };
}

function poolView(pool: PublicIpv4Pool) {
  const allocated = new Set(pool.allocated);
  const ranges = pool.ranges
    .map((range) => parseCidr(range.cidr))
    .sort(compareCidrs)
    .map((cidr) => rangeView(cidr, allocated));
  const { ranges: _ranges, allocated: _allocated, ...rest } = pool;
  return {
    ...publicView(rest),
    // EC2 answers an empty Description for a pool created without one (the guide, S7 A3).
    Description: pool.Description ?? '',
    PoolAddressRanges: ranges,
    TotalAddressCount: ranges.reduce((sum, range) => sum + range.AddressCount, 0),
    TotalAvailableAddressCount: ranges.reduce((sum, range) => sum + range.AvailableAddressCount, 0),
  };
}

function rangeView(cidr: Cidr, allocated: Set<string>) {
  const inRange = [...allocated].filter((address) => containsCidr(cidr, parseCidr(`${address}/32`))).length;
  const count = Number(cidrSize(cidr));
  return {
    FirstAddress: formatAddress('ipv4', cidr.start),
    LastAddress: formatAddress('ipv4', lastAddress(cidr)),
    AddressCount: count,
    AvailableAddressCount: count - inRange,
  };
}

interface AllocateInput {
  PublicIpv4Pool: string;
  Address?: string;
  Domain?: string;
  NetworkBorderGroup?: string;
  TagSpecifications?: TagSpecification[];
}

/**
 * AllocateAddress --public-ipv4-pool: the lowest free address of the pool's ranges (or Address,
 * which must lie in one), skipping addresses in their release cool-down. The EIP and the pool's
 * update are one commit, so no address goes out twice.
 */
export async function allocateFromPublicIpv4Pool(deps: Dependencies, context: RequestContext, input: AllocateInput) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'elastic-ip');
  const first = await requirePublicIpv4PoolInRegion(deps, context, input.PublicIpv4Pool);
  if (input.Domain !== undefined && input.Domain !== 'vpc') {
    throw new IpamError(
      'InvalidParameterValue',
      `Domain '${input.Domain}' is not supported for Elastic IPs from a public IPv4 pool; use 'vpc'`,
    );
  }
  // A BYOIP range's pool may sit in a Local Zone group of the Region (ProvisionByoipCidr --network-border-group).
  requireNetworkBorderGroup(input.NetworkBorderGroup, first.NetworkBorderGroup);
  const requested = input.Address === undefined ? undefined : requestedAddress(input.Address, first);
  const AllocationId = newElasticIpAllocationId();
  const elasticIp = await retryOnConflict(async (attempt) => {
    const pool = attempt === 0 ? first : await requirePublicIpv4Pool(deps, context, input.PublicIpv4Pool);
    const taken = new Set([...pool.allocated, ...(await coolingAddresses(deps, pool.PoolId))]);
    const address = requested ?? lowestFree(pool, taken);
    if (address === undefined)
      throw new IpamError('InsufficientAddressCapacity', `The public IPv4 pool ${pool.PoolId} has no free address left`);
    if (taken.has(address))
      throw new IpamError('InvalidIPAddress.InUse', `The address ${address} is already in use in public IPv4 pool ${pool.PoolId}`);
    const eip: ElasticIp = {
      AllocationId,
      PublicIp: address,
      PublicIpv4Pool: pool.PoolId,
      NetworkBorderGroup: pool.NetworkBorderGroup,
      Domain: 'vpc',
      Tags: tags,
      ownerId: context.accountId,
      region: context.region,
      version: 0,
    };
    await deps.store.commit([
      // Invariant (update): the pool is at the version read, so the address is still free.
      { op: 'update', entity: { type: 'public-ipv4-pool', value: { ...pool, allocated: [...pool.allocated, address] } } },
      // Invariant (create): a fresh allocation id.
      { op: 'create', entity: { type: 'elastic-ip', value: eip } },
    ]);
    return eip;
  });
  const { Tags: _tags, ...answer } = publicView(elasticIp);
  return answer;
}

function requestedAddress(text: string, pool: PublicIpv4Pool): string {
  const address = parseAddress(text);
  const single = cidrFromStart('ipv4', address.value, 32);
  if (address.family !== 'ipv4' || !pool.ranges.some((range) => containsCidr(parseCidr(range.cidr), single))) {
    throw new IpamError('InvalidParameterValue', `The address ${text} is not within the address ranges of public IPv4 pool ${pool.PoolId}`);
  }
  return formatAddress('ipv4', address.value);
}

/** DN-301's order: ranges ascending, addresses ascending; a range holds at most 256 addresses (netmask 24–32). */
function lowestFree(pool: PublicIpv4Pool, taken: Set<string>): string | undefined {
  for (const cidr of pool.ranges.map((range) => parseCidr(range.cidr)).sort(compareCidrs)) {
    for (let value = cidr.start; value <= lastAddress(cidr); value++) {
      const address = formatAddress('ipv4', value);
      if (!taken.has(address)) return address;
    }
  }
  return undefined;
}

/**
 * ReleaseAddress of an Elastic IP from a public IPv4 pool: the pool gives the address back and
 * the EIP goes, in one commit, with the address's cool-down.
 */
export async function releaseToPublicIpv4Pool(deps: Dependencies, elasticIp: ElasticIp, reread: () => Promise<ElasticIp>): Promise<void> {
  await retryOnConflict(async (attempt) => {
    const current = attempt === 0 ? elasticIp : await reread();
    if (current.AssociationId !== undefined) throw new IpamError('InvalidIPAddress.InUse', `Address ${current.PublicIp} is in use.`);
    const pool = await deps.store.getPublicIpv4Pool(current.ownerId, current.PublicIpv4Pool);
    const writes: Write[] = [
      // Invariant (delete): the EIP still exists at the version read, so exactly one concurrent release succeeds.
      { op: 'delete', entity: { type: 'elastic-ip', value: current } },
    ];
    if (pool) {
      const value = { ...pool, allocated: pool.allocated.filter((address) => address !== current.PublicIp) };
      // Invariant (update): the pool is at the version read (its other addresses unchanged).
      writes.push(
        { op: 'update', entity: { type: 'public-ipv4-pool', value } },
        ...(await startCooldown(deps, pool.PoolId, current.PublicIp)),
      );
    }
    await deps.store.commit(writes);
  });
}

/** The address ranges of an account's public IPv4 pools in one Region (DescribeByoipCidrs lists them). */
export async function publicIpv4PoolRanges(deps: Dependencies, ownerId: string, region: string): Promise<string[]> {
  return (await deps.store.listPublicIpv4Pools(ownerId))
    .filter((pool) => pool.region === region)
    .flatMap((pool) => pool.ranges.map((range) => range.cidr));
}

/** The public IPv4 pool a BYOIPv4 range outside IPAM gets when ProvisionByoipCidr succeeds: the range, its id, border group, description and pool tags. */
export function byoipPublicIpv4Pool(range: {
  ownerId: string;
  region: string;
  cidr: string;
  poolId: string;
  networkBorderGroup: string;
  description?: string;
  poolTags: PublicIpv4Pool['Tags'];
}) {
  const pool: PublicIpv4Pool = {
    PoolId: range.poolId,
    ...(range.description !== undefined && { Description: range.description }),
    NetworkBorderGroup: range.networkBorderGroup,
    Tags: range.poolTags,
    ownerId: range.ownerId,
    region: range.region,
    ranges: [{ cidr: range.cidr }],
    allocated: [],
    version: 0,
  };
  // Invariant (create): the range's pool id is fresh, so the range settles (and makes its pool) once.
  const write: Write = { op: 'create', entity: { type: 'public-ipv4-pool', value: pool } };
  return { write, announcement: poolChange(pool, { change: 'created' }) };
}
