// AllocateIpamPoolCidr, GetIpamPoolAllocations, ReleaseIpamPoolAllocation.
//
// The hot path: the pool read (or, under npm start, the pool as last read) and the best-fit
// query at once, then one transaction (take the block, write the allocation, the split-off
// buddies and the ClientToken's answer). Nothing per
// pool is updated, so allocations in one pool do not queue behind a counter. A release is one
// read round and one transaction too: it merges with the buddies it read ahead (free-space.ts).
// Under npm start the owner's release reads nothing: one transaction, merged after the answer.
import { type AddressFamily, addressBits, type Cidr, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { awsWords, IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newAllocationId } from '../domain/ids.ts';
import type { FreeBlock, IpamPool, IpamPoolAllocation } from '../domain/model/pool.ts';
import type { PoolAllocationChange } from '../domain/model/events.ts';
import { StoreConflict, type Write } from '../ports/store.ts';
import { requireWithinNetmaskRules } from '../domain/pool-rules.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import {
  bestFit,
  findPlacement,
  findSpecificPlacement,
  giveBackWrite,
  giveBackWrites,
  mergeCandidates,
  mergeAfterCommit,
  type Placement,
  readMergeBuddies,
  retryOnConflict,
  takeWrites,
} from './free-space.ts';
import { allocateInBatch, searchTicket } from './allocation-batches.ts';
import { tierGuard } from './ipam-tiers.ts';
import { FreeTierRefusal } from '../domain/ipam-tier.ts';
import { authorizedPool, poolVisible, requirePool, requireSettled } from './kernel/lookup.ts';
import {
  deferMerge,
  forgetWarm,
  knownAllocation,
  knownPool,
  mergesDeferred,
  poolMark,
  rememberCarve,
  rememberPool,
  warmMark,
  warmPlacement,
  warmPool,
} from './warm-free-space.ts';
import { type Announcement, outboxFor } from './kernel/outbox.ts';
import { decodeNextToken, encodeNextToken, type ListRequest, queryFingerprint } from './kernel/pagination.ts';

/** As EC2 answers it (allocate-ipam-pool-cidr.rst, get-ipam-pool-allocations.rst): a reservation (`custom`) has no resource, so no ResourceRegion. */
const presentAllocation = (allocation: IpamPoolAllocation) =>
  publicView({ ...allocation, ResourceRegion: allocation.ResourceType === 'custom' ? undefined : allocation.ResourceRegion });

interface AllocateIpamPoolCidrInput {
  IpamPoolId: string;
  Cidr?: string;
  NetmaskLength?: number;
  Description?: string;
  PreviewNextCidr?: boolean;
  AllowedCidrs?: string[];
  DisallowedCidrs?: string[];
  TagSpecifications?: TagSpecification[];
}

function parseCidrList(values: string[] | undefined, family: IpamPool['AddressFamily'], parameter: string): Cidr[] {
  return (values ?? []).map((value) => {
    const cidr = parseCidr(value);
    if (cidr.family !== family) throw new IpamError('InvalidParameterValue', `${parameter} ${value} is not an ${family} CIDR`);
    return cidr;
  });
}

export async function allocateIpamPoolCidr(deps: Dependencies, context: RequestContext, input: AllocateIpamPoolCidrInput) {
  if (input.Cidr !== undefined && input.NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either Cidr or NetmaskLength, not both');
  }
  if (input.Cidr !== undefined && (input.AllowedCidrs?.length || input.DisallowedCidrs?.length || input.PreviewNextCidr)) {
    throw new IpamError(
      'InvalidParameterCombination',
      'AllowedCidrs, DisallowedCidrs and PreviewNextCidr apply only to allocations by NetmaskLength',
    );
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-pool-allocation');
  const plain = input.Cidr === undefined && !input.PreviewNextCidr && !input.AllowedCidrs?.length && !input.DisallowedCidrs?.length;
  const warm = plain ? warmRequest(deps, context, input) : undefined;
  if (warm) {
    try {
      return await allocateWith(deps, context, input, tags, warm, { warm: true });
    } catch (error) {
      if (!(error instanceof StoreConflict)) throw error;
      // The warm view was stale or lost a race: today's path, from a fresh read of the pool.
      forgetWarm(deps.store, input.IpamPoolId);
    }
  }
  const mark = plain ? warmMark(deps.store, input.IpamPoolId) : undefined;
  const ticket = searchTicket(deps.store, input.IpamPoolId);
  const early = ticket === undefined ? Promise.resolve(undefined) : searchEarly(deps, input);
  // The rules are checked on the pool as this process last read it, if still exact: the commit
  // checks its version (so a caller queueing behind its pool's batch in flight reads nothing).
  const known = knownRequest(deps, context, input);
  // A principal of a share allocates too; the allocation is then its own (ResourceOwner below).
  const request = known ?? (await allocationRequest(deps, context, input));
  return allocateWith(deps, context, input, tags, request, { early, ticket, mark, known: known !== undefined });
}

/**
 * The warm start of a plain allocation by netmask (warm-free-space.ts): the pool as this process
 * last read it, if the view is still exact, the caller owns the pool and sees it in its Region,
 * and the pool's rules allow the request. Undefined otherwise: today's path then reads the pool
 * (and answers any refusal from a fresh read).
 */
function warmRequest(deps: Dependencies, context: RequestContext, input: AllocateIpamPoolCidrInput): AllocationRequest | undefined {
  const warm = warmPool(deps.store, input.IpamPoolId);
  if (!warm || !poolVisible(context, warm.pool)) return undefined;
  try {
    const request = allocationRules(warm.pool, input);
    return request.netmask === warm.netmask ? request : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An allocation by netmask checked on the pool as this process last read it (warm-free-space.ts
 * knownPool), if the caller owns the pool and sees it in its Region and the rules allow the
 * request; undefined otherwise (the pool is then read, and any refusal answered from that read).
 */
function knownRequest(deps: Dependencies, context: RequestContext, input: AllocateIpamPoolCidrInput): AllocationRequest | undefined {
  const pool = input.Cidr === undefined && !input.PreviewNextCidr ? knownPool(deps.store, input.IpamPoolId) : undefined;
  if (!pool || !poolVisible(context, pool)) return undefined;
  try {
    return allocationRules(pool, input);
  } catch {
    return undefined;
  }
}

interface AllocationStart {
  /** The placement is taken from the warm view of the pool, checked at commit; StoreConflict when it is gone or lost a race. */
  warm?: boolean;
  early?: Promise<Placement | undefined>;
  ticket?: number;
  /** warmMark before the pool was read, for a plain request: its best-fit carve is then remembered. */
  mark?: number;
  /** The request was checked on a remembered pool, not read for it (knownRequest): its commit checks the pool's version; after a lost race it reads the pool. */
  known?: boolean;
}

async function allocateWith(
  deps: Dependencies,
  context: RequestContext,
  input: AllocateIpamPoolCidrInput,
  tags: IpamPoolAllocation['Tags'],
  request: AllocationRequest,
  start: AllocationStart,
) {
  const { pool, netmask, allowed, disallowed } = request;
  const { early, ticket, mark } = start;

  if (input.PreviewNextCidr) {
    const placement = await retryOnConflict(() =>
      findPlacement(deps.store, pool.IpamPoolId, pool.AddressFamily, { prefixLength: netmask, allowed, disallowed }),
    );
    if (!placement) throw noSpaceError(request);
    return { IpamPoolAllocation: { Cidr: formatCidr(placement.target) } };
  }

  const allocate = (placement: Placement) => {
    const allocation: IpamPoolAllocation = {
      IpamPoolAllocationId: newAllocationId(),
      Cidr: formatCidr(placement.target),
      Description: input.Description,
      ResourceType: 'custom',
      ResourceRegion: context.region,
      ResourceOwner: context.accountId,
      Tags: tags,
      ipamPoolId: pool.IpamPoolId,
      within: placement.block.within,
      createdAt: deps.now().toISOString(),
    };
    const output = { IpamPoolAllocation: presentAllocation(allocation) };
    const writes: Write[] = [
      { op: 'create', entity: { type: 'allocation', value: allocation } },
      ...(context.clientToken ? [context.clientToken.record(output)] : []),
    ];
    return { writes, announcement: allocationChange(pool, allocation, 'created', 'api'), output };
  };
  const alone = (early?: Promise<Placement | undefined>, committed?: () => void) => {
    let current = request;
    return retryOnConflict(async (attempt) => {
      if (attempt > 0) await context.clientToken?.recheck();
      // A remembered pool (start.known) is checked by the first attempt's commit; after a lost
      // race the pool is read, and its rules applied, as any caller does.
      if (attempt > 0 && start.known && current === request) current = await allocationRequest(deps, context, input);
      const checked = start.known && current === request;
      const placement = await placeAllocation(deps, current, attempt, attempt === 0 ? early : undefined);
      const { writes, announcement, output } = allocate(placement);
      const outbox = outboxFor(deps, [announcement]);
      const takes = await takeWrites(deps.store, placement);
      await deps.store.commit([
        // Invariant: the pool is unchanged since its rules were checked on it (as this process last read it).
        ...(checked ? [{ op: 'check', entity: { type: 'pool', value: pool } } satisfies Write] : []),
        ...takes,
        ...writes,
        ...(await tierGuard(deps, [current.pool], context.accountId)),
        ...outbox.writes,
      ]);
      if (attempt === 0 && placement.bestFit) rememberCarve(deps.store, current.pool, netmask, mark, [], takes);
      committed?.();
      await outbox.deliver();
      return output;
    });
  };
  // Through the warm view: no read at all. Lost races are not retried here (see allocateIpamPoolCidr).
  const warmAlone = async (_early?: Promise<Placement | undefined>, committed?: () => void) => {
    const before = warmMark(deps.store, pool.IpamPoolId);
    const warm = warmPlacement(deps.store, pool.IpamPoolId, netmask);
    if (!warm) throw new StoreConflict('The warm view of the pool is gone');
    const { writes, announcement, output } = allocate(warm.placement);
    const outbox = outboxFor(deps, [announcement]);
    const takes = await takeWrites(deps.store, warm.placement);
    await deps.store.commit([
      // Invariant: the pool is unchanged since its rules were checked on it (the warm view holds it as read).
      { op: 'check', entity: { type: 'pool', value: pool } },
      ...takes,
      ...writes,
      ...outbox.writes,
    ]);
    rememberCarve(deps.store, pool, netmask, before, warm.rest, takes);
    committed?.();
    await outbox.deliver();
    return output;
  };
  // An allocation to another account commits with its IPAM's tier guard (ipam-tiers.ts), one item per IPAM: alone.
  if (request.requested || pool.OwnerId !== context.accountId) return alone(early);
  // By netmask: concurrent callers of the pool in this process commit together (allocation-batches.ts).
  return allocateInBatch(
    deps,
    pool.IpamPoolId,
    {
      request: { prefixLength: netmask, allowed, disallowed, items: context.clientToken ? 2 : 1 },
      family: pool.AddressFamily,
      pool,
      // Checked on a remembered pool (known, or the warm view's): the batch's commit checks its version.
      poolRemembered: Boolean(start.known || start.warm),
      tokenKey: context.clientToken?.key,
      tokenTaken:
        context.clientToken &&
        (() =>
          context.clientToken!.recheck().then(
            () => false,
            () => true,
          )),
      build: allocate,
      alone: start.warm ? warmAlone : alone,
    },
    ticket === undefined || early === undefined ? undefined : { search: early, ticket },
  );
}

/** What an allocation asks of a pool, by CIDR or by netmask (AllocateIpamPoolCidr's members). */
export interface AllocationAsk {
  IpamPoolId: string;
  Cidr?: string;
  NetmaskLength?: number;
  AllowedCidrs?: string[];
  DisallowedCidrs?: string[];
  /** The family the request member naming the pool takes (CreateVpc's Ipv4IpamPoolId: ipv4), if any. */
  family?: { is: AddressFamily; member: string };
}

/** An allocation request that passed every rule of its pool: what placeAllocation needs. */
export interface AllocationRequest {
  pool: IpamPool;
  netmask: number;
  requested?: Cidr;
  allowed: Cidr[];
  disallowed: Cidr[];
  /** Space a placement by netmask skips for the caller's own reasons (a subnet's siblings), not the request's. */
  avoid?: Cidr[];
}

/**
 * The rules every allocation from a pool obeys, whoever asks (AllocateIpamPoolCidr, CreateVpc):
 * the caller owns the pool or a share allows it to allocate, the pool is settled, the CIDR is of
 * the pool's family, the netmask is within the family and the pool's bounds.
 */
export async function allocationRequest(deps: Dependencies, context: RequestContext, ask: AllocationAsk): Promise<AllocationRequest> {
  const mark = poolMark(deps.store, ask.IpamPoolId);
  const pool = await requirePool(deps, context, ask.IpamPoolId, 'AllocateIpamPoolCidr');
  rememberFamily(pool);
  rememberPool(deps.store, pool, mark);
  return allocationRules(pool, ask);
}

/** allocationRequest's rules on a pool the caller may allocate from, without reading it. */
function allocationRules(pool: IpamPool, ask: AllocationAsk): AllocationRequest {
  requireSettled('pool', pool.IpamPoolId, pool.State);
  if (ask.family && pool.AddressFamily !== ask.family.is) {
    throw new IpamError(
      'InvalidParameterValue',
      `IPAM pool ${pool.IpamPoolId} is an ${pool.AddressFamily} pool; ${ask.family.member} takes ${ask.family.is} pools`,
    );
  }
  const requested = ask.Cidr === undefined ? undefined : parseCidr(ask.Cidr);
  if (requested && requested.family !== pool.AddressFamily) {
    throw new IpamError('InvalidParameterValue', `The CIDR ${ask.Cidr} is not an ${pool.AddressFamily} CIDR like pool ${pool.IpamPoolId}`);
  }
  const netmask = requested?.prefixLength ?? ask.NetmaskLength ?? pool.AllocationDefaultNetmaskLength;
  if (netmask === undefined) {
    throw new IpamError('InvalidParameterCombination', awsWords.emptyCidrAndNetmask());
  }
  const bits = addressBits(pool.AddressFamily);
  if (!Number.isInteger(netmask) || netmask < 0 || netmask > bits) {
    throw new IpamError(
      'InvalidParameterValue',
      `NetmaskLength (${netmask}) must be between 0 and ${bits} for an ${pool.AddressFamily} pool`,
    );
  }
  requireWithinNetmaskRules(pool.IpamPoolId, pool, netmask);
  const allowed = parseCidrList(ask.AllowedCidrs, pool.AddressFamily, 'AllowedCidrs');
  const disallowed = parseCidrList(ask.DisallowedCidrs, pool.AddressFamily, 'DisallowedCidrs');
  return { pool, netmask, requested, allowed, disallowed };
}

/**
 * Where attempt `attempt` of `request` goes: the requested CIDR, or the best fit by netmask
 * (`early`, a search started before the pool was read, if any). Throws when there is no room.
 */
export async function placeAllocation(
  deps: Dependencies,
  request: AllocationRequest,
  attempt: number,
  early?: Promise<Placement | undefined>,
): Promise<Placement> {
  const { pool, netmask, requested, allowed, disallowed, avoid = [] } = request;
  const placement: Placement | undefined = requested
    ? await findSpecificPlacement(deps.store, pool.IpamPoolId, requested)
    : ((await early) ??
      (await findPlacement(deps.store, pool.IpamPoolId, pool.AddressFamily, {
        prefixLength: netmask,
        allowed,
        disallowed: [...disallowed, ...avoid],
        spread: attempt,
      })));
  if (!placement) throw requested ? await unavailableCidrError(deps, pool, requested) : noSpaceError(request);
  return placement;
}

/**
 * Starts the best-fit search of an allocation by netmask before the pool is read, when this
 * process already knows the pool's address family (it never changes): both reads then take one
 * round trip. The result is used only after the pool allowed the request; undefined = search again.
 */
function searchEarly(deps: Dependencies, input: AllocateIpamPoolCidrInput): Promise<Placement | undefined> {
  const family = poolFamilies.get(input.IpamPoolId);
  const plain = input.Cidr === undefined && !input.PreviewNextCidr && !input.AllowedCidrs?.length && !input.DisallowedCidrs?.length;
  if (!family || input.NetmaskLength === undefined || !plain) return Promise.resolve(undefined);
  // Only the best-fit scan: the exact search behind "no room" (which may heal, so write) waits
  // until the pool has allowed the caller.
  return bestFit(deps.store, input.IpamPoolId, family, { prefixLength: input.NetmaskLength }).catch(() => undefined);
}

/** Address family by pool id, as learned from pools read by this process (bounded). */
const poolFamilies = new Map<string, AddressFamily>();
const POOL_FAMILIES_KEPT = 100_000;

function rememberFamily(pool: IpamPool): void {
  if (poolFamilies.size >= POOL_FAMILIES_KEPT) poolFamilies.clear();
  poolFamilies.set(pool.IpamPoolId, pool.AddressFamily);
}

export interface AllocatedResource {
  type: 'vpc' | 'eip' | 'ec2-public-ipv4-pool' | 'subnet';
  /** Undefined while an upstream creates the resource (forwarding mode): the allocation is then versioned, to be linked later. */
  id: string | undefined;
  owner: string;
  region: string;
}

/**
 * Auto-import (spec §5.5): the exact CIDR of a discovered resource becomes an allocation of the
 * pool if that space is still free there. Pool rules are not checked (an imported CIDR may be
 * noncompliant). Returns undefined when the space is taken or outside the pool's CIDRs.
 */
export async function importResourceAllocation(
  deps: Dependencies,
  pool: IpamPool,
  cidr: Cidr,
  resource: AllocatedResource,
): Promise<IpamPoolAllocation | undefined> {
  return retryOnConflict(async () => {
    const placement = await findSpecificPlacement(deps.store, pool.IpamPoolId, cidr);
    try {
      return placement && (await takeForResource(deps, pool, placement, resource, 'auto-import'));
    } catch (error) {
      // A free-tier IPAM imports no resource of another account (tierGuard's refusal): it stays unmanaged.
      if (error instanceof FreeTierRefusal) return undefined;
      throw error;
    }
  });
}

/**
 * Gives `placement` to a resource as an allocation, committing `alongside` (the resource's own
 * records) in the same transaction, and announces it. A lost race throws StoreConflict: call it
 * inside retryOnConflict, after finding the placement.
 */
export async function takeForResource(
  deps: Dependencies,
  pool: IpamPool,
  placement: Placement,
  resource: AllocatedResource,
  cause: PoolAllocationChange['detail']['cause'],
  alongside: (allocation: IpamPoolAllocation) => Write[] = () => [],
): Promise<IpamPoolAllocation> {
  const [allocation] = await takeAllForResource(deps, [{ pool, placement }], resource, cause, ([only]) => alongside(only));
  return allocation;
}

/**
 * takeForResource for several placements at once (a VPC drawing its IPv4 and its IPv6 block from
 * two pools): every take, every allocation and `alongside` in one transaction. The placements
 * are in different pools, or disjoint, so no two writes touch one item.
 */
export async function takeAllForResource(
  deps: Dependencies,
  draws: readonly { pool: IpamPool; placement: Placement }[],
  resource: AllocatedResource,
  cause: PoolAllocationChange['detail']['cause'],
  alongside: (allocations: IpamPoolAllocation[]) => Write[] = () => [],
): Promise<IpamPoolAllocation[]> {
  const allocations = draws.map(
    ({ pool, placement }): IpamPoolAllocation => ({
      IpamPoolAllocationId: newAllocationId(),
      Cidr: formatCidr(placement.target),
      ResourceType: resource.type,
      ResourceId: resource.id,
      ResourceOwner: resource.owner,
      ResourceRegion: resource.region,
      Tags: [],
      ipamPoolId: pool.IpamPoolId,
      within: placement.block.within,
      createdAt: deps.now().toISOString(),
      // Linked to its resource later (forwarding mode), at the version it was written with.
      ...(resource.id === undefined ? { version: 1 } : {}),
    }),
  );
  const [takes, guard] = await Promise.all([
    Promise.all(draws.map(({ placement }) => takeWrites(deps.store, placement))),
    tierGuard(
      deps,
      draws.map(({ pool }) => pool),
      resource.owner,
    ),
  ]);
  const outbox = outboxFor(
    deps,
    allocations.map((allocation, i) => allocationChange(draws[i].pool, allocation, 'created', cause)),
  );
  await deps.store.commit([
    // Invariant (takeWrites): each free block is still there, so the space is given out once.
    ...takes.flat(),
    ...allocations.map((allocation): Write => ({ op: 'create', entity: { type: 'allocation', value: allocation } })),
    ...guard,
    ...alongside(allocations),
    ...outbox.writes,
  ]);
  await outbox.deliver();
  return allocations;
}

/** An allocation change of `pool`, announced as the pool's owner in its IPAM's home Region (committed with the change). */
function allocationChange(
  pool: IpamPool,
  allocation: IpamPoolAllocation,
  change: PoolAllocationChange['detail']['change'],
  cause: PoolAllocationChange['detail']['cause'],
): Announcement {
  return {
    event: {
      'detail-type': 'IPAM Pool Allocation Change',
      detail: {
        ipamId: pool.ipamId,
        ipamPoolId: pool.IpamPoolId,
        ipamPoolAllocationId: allocation.IpamPoolAllocationId,
        cidr: allocation.Cidr,
        change,
        cause,
        resourceType: allocation.ResourceType,
        resourceId: allocation.ResourceId,
        resourceOwner: allocation.ResourceOwner,
        resourceRegion: allocation.ResourceRegion,
      },
    },
    accountId: pool.OwnerId,
    region: pool.IpamRegion,
  };
}

/**
 * No block of the size asked is free. AWS answers "too big for the pool" whether the pool has no
 * CIDR, only smaller ones, or no room left (terraform-provider-aws #39046, terraform-aws-vpc PR
 * #718); a miss caused by AllowedCidrs/DisallowedCidrs says so, in our words.
 */
function noSpaceError(request: Pick<AllocationRequest, 'pool' | 'netmask' | 'allowed' | 'disallowed'>): IpamError {
  const { pool, netmask, allowed, disallowed } = request;
  if (allowed.length > 0 || disallowed.length > 0) {
    return new IpamError(
      'InvalidParameterValue',
      `Pool ${pool.IpamPoolId} has no free /${netmask} CIDR left that meets the AllowedCidrs and DisallowedCidrs`,
    );
  }
  return new IpamError('InvalidParameterValue', awsWords.allocationTooBig());
}

async function unavailableCidrError(deps: Dependencies, pool: IpamPool, cidr: Cidr): Promise<IpamError> {
  const text = formatCidr(cidr);
  const provisioned = (await deps.store.listPoolCidrs(pool.IpamPoolId)).filter((record) => record.State === 'provisioned');
  const inside = provisioned.some((record) => containsCidr(parseCidr(record.Cidr!), cidr));
  return inside
    ? new IpamError('InvalidParameterValue', `The CIDR ${text} overlaps an existing allocation in pool ${pool.IpamPoolId}`)
    : new IpamError('InvalidParameterValue', `The CIDR ${text} is not within the provisioned CIDRs of pool ${pool.IpamPoolId}`);
}

interface GetIpamPoolAllocationsInput extends ListRequest {
  IpamPoolId: string;
  IpamPoolAllocationId?: string;
  Filters?: Filter[];
}

const ALLOCATION_FILTER_FIELDS = [
  'IpamPoolAllocationId',
  'Cidr',
  'Description',
  'ResourceId',
  'ResourceType',
  'ResourceRegion',
  'ResourceOwner',
] as const;
const ALLOCATIONS_PAGE_MAX = 100_000;

export async function getIpamPoolAllocations(deps: Dependencies, context: RequestContext, input: GetIpamPoolAllocationsInput) {
  const matches = compileFilters<IpamPoolAllocation>(input.Filters, ALLOCATION_FILTER_FIELDS);
  const pool = await requirePool(deps, context, input.IpamPoolId, 'GetIpamPoolAllocations');
  if (input.IpamPoolAllocationId !== undefined) {
    const allocation = await deps.store.getAllocation(pool.IpamPoolId, input.IpamPoolAllocationId);
    if (!allocation || allocation.heldUntil) {
      throw new IpamError('InvalidIpamPoolAllocationId.NotFound', awsWords.allocationNotFound(input.IpamPoolAllocationId));
    }
    return { IpamPoolAllocations: matches(allocation) ? [presentAllocation(allocation)] : [] };
  }
  const query = queryFingerprint(['GetIpamPoolAllocations', context.accountId, pool.IpamPoolId, input.Filters ?? []]);
  let position = input.NextToken === undefined ? undefined : decodeNextToken(deps.paginationSecret, query, input.NextToken);
  const limit = input.MaxResults ?? ALLOCATIONS_PAGE_MAX;
  const found: IpamPoolAllocation[] = [];
  // Ask the store for no more than still fits, so every item read is either returned or filtered
  // out, and the store's position is exactly where the next page starts.
  do {
    const page = await deps.store.listAllocations(pool.IpamPoolId, { limit: limit - found.length, after: position });
    // A hold (the release cool-down) is released as far as the caller knows.
    found.push(...page.items.filter((allocation) => !allocation.heldUntil && matches(allocation)));
    position = page.next;
  } while (position && found.length < limit);
  return {
    IpamPoolAllocations: found.map(presentAllocation),
    NextToken: position ? encodeNextToken(deps.paginationSecret, query, position) : undefined,
  };
}

interface ReleaseIpamPoolAllocationInput {
  IpamPoolId: string;
  Cidr: string;
  IpamPoolAllocationId: string;
}

export async function releaseIpamPoolAllocation(deps: Dependencies, context: RequestContext, input: ReleaseIpamPoolAllocationInput) {
  const cidr = formatCidr(parseCidr(input.Cidr));
  const remembered = rememberedRelease(deps, context, input, cidr);
  if (remembered) {
    // Straight to the transaction: its conditions (the allocation is there to take, no free block
    // covers its CIDR) fail safely on a stale guess, and the retry reads the allocation.
    if (!(await releaseOrHold(deps, remembered.pool, remembered.allocation))) {
      throw noAllocationFound(input.IpamPoolAllocationId, cidr, input.IpamPoolId);
    }
    return { Success: true };
  }
  // Everything the release reads is named by the request, so it is one read; what belongs to a
  // pool the caller may not see is thrown away unused.
  const mark = poolMark(deps.store, input.IpamPoolId);
  const view = await deps.store.getReleaseView(input.IpamPoolId, input.IpamPoolAllocationId, mergeCandidates(cidr));
  if (view.pool) rememberPool(deps.store, view.pool, mark);
  const pool = await authorizedPool(deps, context, input.IpamPoolId, view.pool, 'ReleaseIpamPoolAllocation');
  const allocation = view.allocation;
  // A held allocation (the release cool-down) was released already.
  if (!allocation || allocation.Cidr !== cidr || allocation.heldUntil) {
    throw noAllocationFound(input.IpamPoolAllocationId, cidr, pool.IpamPoolId);
  }
  // A principal of a share releases only its own allocations; the pool's owner releases any.
  if (pool.OwnerId !== context.accountId && allocation.ResourceOwner !== context.accountId) {
    throw new IpamError('UnauthorizedOperation', messages.unauthorized());
  }
  if (allocation.ResourceType !== 'custom') {
    throw new IpamError(
      'InvalidParameterValue',
      `Allocation ${allocation.IpamPoolAllocationId} belongs to a ${allocation.ResourceType} resource; only custom allocations can be released`,
    );
  }
  if (!(await releaseOrHold(deps, pool, allocation, view.freeBuddies))) {
    throw noAllocationFound(input.IpamPoolAllocationId, cidr, pool.IpamPoolId);
  }
  return { Success: true };
}

/**
 * ReleaseIpamPoolAllocation's release: at once (releaseAllocation, today's path, no extra read or
 * write) unless the IPAM's tier has a release cool-down (spec §2.4, DN-35). Then the allocation
 * becomes a hold: its space stays taken until the sweep gives it back (holdAllocation). False
 * when the allocation is already gone or held (a concurrent release won).
 */
async function releaseOrHold(deps: Dependencies, pool: IpamPool, allocation: IpamPoolAllocation, freeBuddies?: FreeBlock[]) {
  const seconds = await releaseCooldownSeconds(deps, pool);
  return seconds > 0 ? holdAllocation(deps, pool, allocation, seconds) : releaseAllocation(deps, pool, allocation, 'api', freeBuddies);
}

/**
 * The release cool-down of an allocation of `pool`, by its IPAM's tier: IPAM_RELEASE_COOLDOWN_S
 * on the advanced tier, IPAM_FREE_TIER_RELEASE_COOLDOWN_S on the free tier. With neither set
 * (the default) it reads nothing.
 */
async function releaseCooldownSeconds(deps: Dependencies, pool: IpamPool): Promise<number> {
  const advanced = deps.publicSpace.releaseCooldownSeconds ?? 0;
  const free = deps.publicSpace.freeTierReleaseCooldownSeconds ?? 0;
  if (advanced <= 0 && free <= 0) return 0;
  const ipam = await deps.store.getIpam(pool.ipamId);
  return ipam?.Tier === 'free' ? free : advanced;
}

/**
 * Releases an allocation as the API sees it (announced, hidden, no longer releasable) while its
 * space stays taken until `seconds` from now: the allocation record stays, marked heldUntil, so
 * no free block is written and the allocator cannot hand the space out. The sweep gives expired
 * holds back (giveBackExpiredHolds). False when the allocation is gone or already held.
 */
async function holdAllocation(deps: Dependencies, pool: IpamPool, allocation: IpamPoolAllocation, seconds: number): Promise<boolean> {
  const heldUntil = new Date(deps.now().getTime() + seconds * 1000).toISOString();
  return retryOnConflict(async (attempt) => {
    const current = attempt === 0 ? allocation : await deps.store.getAllocation(allocation.ipamPoolId, allocation.IpamPoolAllocationId);
    if (!current || current.heldUntil) return false;
    const outbox = outboxFor(deps, [allocationChange(pool, current, 'released', 'api')]);
    // A custom allocation has no version: the update is conditional on the record existing with none.
    const hold = { ...current, heldUntil } as IpamPoolAllocation & { version: number };
    await deps.store.commit([
      // Invariant: the allocation is still there and not held (a concurrent release or hold fails this), so it is released once.
      { op: 'update', entity: { type: 'allocation', value: hold } },
      ...outbox.writes,
    ]);
    await outbox.deliver();
    return true;
  });
}

/**
 * The sweep's part of the release cool-down: gives the space of every hold among `allocations`
 * whose time is up back to its pool's free space (releaseAllocation: the delete is conditional
 * on the hold's version, so the space is given back once). Returns how many it gave back.
 */
export async function giveBackExpiredHolds(deps: Dependencies, pools: readonly IpamPool[], allocations: readonly IpamPoolAllocation[]) {
  const now = deps.now().toISOString();
  const byId = new Map(pools.map((pool) => [pool.IpamPoolId, pool]));
  let givenBack = 0;
  for (const allocation of allocations) {
    const pool = byId.get(allocation.ipamPoolId);
    if (!pool || !allocation.heldUntil || allocation.heldUntil > now) continue;
    if (await releaseAllocation(deps, pool, allocation, 'api')) givenBack++;
  }
  return givenBack;
}

/**
 * Under `npm start`, the pool and the allocation as this process remembers them
 * (warm-free-space.ts), when that is the owner releasing a custom allocation of that CIDR: then
 * the release reads nothing. Anything else (a share principal, an allocation this process did
 * not create, a mismatch that needs its error) takes the read.
 */
function rememberedRelease(deps: Dependencies, context: RequestContext, input: ReleaseIpamPoolAllocationInput, cidr: string) {
  const pool = knownPool(deps.store, input.IpamPoolId);
  const allocation = knownAllocation(deps.store, input.IpamPoolId, input.IpamPoolAllocationId);
  if (!pool || !allocation || !poolVisible(context, pool) || pool.OwnerId !== context.accountId) return undefined;
  if (allocation.Cidr !== cidr || allocation.ResourceType !== 'custom') return undefined;
  return { pool, allocation };
}

/** Terraform's provider relies on this code and the words "No allocation found". */
const noAllocationFound = (allocationId: string, cidr: string, poolId: string) =>
  new IpamError('InvalidParameterCombination', `No allocation found for allocation ID ${allocationId} and CIDR ${cidr} in pool ${poolId}`);

/**
 * Deletes an allocation and gives its space back, merged with its free buddies, in one commit
 * (deeper merges follow). `freeBuddies` is readMergeBuddies of the allocation, if already read.
 * `alongside` gives, for each attempt, the writes of the resource the allocation belonged to
 * (deleting a VPC), committed in the same transaction. Returns false when the allocation is
 * already gone (a concurrent release won): its space was given back exactly once, by the
 * winner, and `alongside` was not committed.
 */
export async function releaseAllocation(
  deps: Dependencies,
  pool: IpamPool,
  allocation: IpamPoolAllocation,
  cause: PoolAllocationChange['detail']['cause'],
  freeBuddies?: FreeBlock[],
  alongside: (attempt: number) => Promise<Write[]> = async () => [],
): Promise<boolean> {
  return (await releaseAllocations(deps, [{ pool, allocation, freeBuddies }], cause, alongside)).length > 0;
}

/** One allocation to release, with the free buddies of its CIDR if already read. */
export interface Release {
  pool: IpamPool;
  allocation: IpamPoolAllocation;
  freeBuddies?: FreeBlock[];
}

/**
 * releaseAllocation for several allocations at once (a VPC and all its CIDR blocks): every
 * allocation still there is deleted and given back in one commit with `alongside`. Returns the
 * releases committed; none (and `alongside` not committed) when every allocation was already gone.
 * Allocations sharing a pool could merge into the same buddies: those are given back unmerged in
 * the commit and merged right after (mergeAfterCommit), so no two writes of the commit touch one item.
 * Under `npm start` a release whose buddies were not read already reads none: it gives the space
 * back unmerged and merges after the answer, before any read of that pool's free space
 * (warm-free-space.ts deferMerge), so a release is one transaction and nothing else.
 */
export async function releaseAllocations(
  deps: Dependencies,
  releases: readonly Release[],
  cause: PoolAllocationChange['detail']['cause'],
  alongside: (attempt: number) => Promise<Write[]> = async () => [],
): Promise<Release[]> {
  const deferred = mergesDeferred(deps.store);
  const buddiesOf = (poolId: string, cidr: string) => (deferred ? undefined : readMergeBuddies(deps.store, poolId, cidr));
  const outcome = await retryOnConflict(async (attempt) => {
    const current = await Promise.all(
      releases.map(async (release) => {
        const { ipamPoolId, IpamPoolAllocationId, Cidr } = release.allocation;
        const [allocation, buddies] =
          attempt === 0
            ? [release.allocation, release.freeBuddies ?? (await buddiesOf(ipamPoolId, Cidr))]
            : await Promise.all([deps.store.getAllocation(ipamPoolId, IpamPoolAllocationId), buddiesOf(ipamPoolId, Cidr)]);
        return allocation && { release, allocation, buddies };
      }),
    );
    const present = current.filter((entry) => entry !== undefined);
    if (present.length === 0) return undefined;
    const givenBack = present.map(({ release, allocation, buddies }) => {
      const { ipamPoolId, Cidr, within } = allocation;
      const shared = present.some((other) => other.allocation !== allocation && other.allocation.ipamPoolId === ipamPoolId);
      const giveBack =
        shared || !buddies
          ? { writes: [giveBackWrite(ipamPoolId, Cidr, within)], merged: Cidr, mergeOn: true }
          : giveBackWrites(ipamPoolId, Cidr, within, buddies);
      return { release, allocation, giveBack };
    });
    const outbox = outboxFor(
      deps,
      // A hold (the release cool-down) was announced released when it was held.
      givenBack
        .filter(({ allocation }) => !allocation.heldUntil)
        .map(({ release }) => allocationChange(release.pool, release.allocation, 'released', cause)),
    );
    await deps.store.commit([
      // Invariant: each allocation still exists, so its space is given back exactly once.
      ...givenBack.map(({ allocation }): Write => ({ op: 'delete', entity: { type: 'allocation', value: allocation } })),
      ...givenBack.flatMap(({ giveBack }) => giveBack.writes),
      ...(await alongside(attempt)),
      ...outbox.writes,
    ]);
    return { givenBack, outbox };
  });
  if (!outcome) return [];
  await outcome.outbox.deliver();
  for (const { allocation, giveBack } of outcome.givenBack) {
    if (!giveBack.mergeOn) continue;
    const { ipamPoolId, within } = allocation;
    const merge = (store: Dependencies['store']) => mergeAfterCommit({ store, log: deps.log }, ipamPoolId, giveBack.merged, within);
    if (!deferMerge(deps.store, ipamPoolId, deps.log, merge)) await merge(deps.store);
  }
  return outcome.givenBack.map(({ release }) => release);
}

/**
 * Cascade: releases every allocation of a pool except child-pool ones (those go when the child
 * deprovisions). Resources keep their CIDRs; they simply stop being IPAM allocations — except an
 * Elastic IP, which is nothing but its address: it is released with its allocation (issue 21).
 */
export async function releaseAllocationsOfPool(deps: Dependencies, poolId: string): Promise<void> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) return;
  let after: string | undefined;
  do {
    const page = await deps.store.listAllocations(poolId, { limit: 1000, after });
    for (const allocation of page.items) {
      if (allocation.ResourceType === 'eip')
        await releaseAllocation(deps, pool, allocation, 'api', undefined, () => elasticIpGone(deps, allocation));
      else if (allocation.ResourceType !== 'ipam-pool') await releaseAllocation(deps, pool, allocation, 'api');
    }
    after = page.next;
  } while (after);
}

/** The delete of the Elastic IP an `eip` allocation holds the address of, if it is still there. */
async function elasticIpGone(deps: Dependencies, allocation: IpamPoolAllocation): Promise<Write[]> {
  const { ResourceOwner, ResourceRegion, ResourceId } = allocation;
  const eip =
    ResourceId && ResourceOwner && ResourceRegion ? await deps.store.getElasticIp(ResourceOwner, ResourceRegion, ResourceId) : undefined;
  // Invariant (delete): the EIP is at the version read (a concurrent ReleaseAddress deletes it once).
  return eip ? [{ op: 'delete', entity: { type: 'elastic-ip', value: eip } }] : [];
}
