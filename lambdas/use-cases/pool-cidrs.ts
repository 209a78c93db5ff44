// ProvisionIpamPoolCidr, GetIpamPoolCidrs, DeprovisionIpamPoolCidr.
//
// A pool's CIDR is always an allocation in its source space: the source pool, or the scope for a
// top-level pool. Provisioning takes the space there and makes it the pool's own free space in
// one transaction; deprovisioning gives it back the same way, and is only possible while the
// pool's whole CIDR is one free block — the proof that nothing inside is allocated.
import { addressBits, type Cidr, cidrFromStart, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newAllocationId, newPoolCidrId } from '../domain/ids.ts';
import type { Ipam, IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../domain/model.ts';
import { requireWithinNetmaskRules } from '../domain/pool-rules.ts';
import type { PoolCidrStateChange } from '../ports/events.ts';
import type { Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './context.ts';
import { publicView } from './context.ts';
import {
  findPlacement,
  findSpecificPlacement,
  giveBackWrite,
  healFreeSpace,
  mergeFreeBlock,
  type Placement,
  retryOnConflict,
  takeWrites,
} from './free-space.ts';
import { isSettled, requireIpam, requirePool, requirePoolInHomeRegion, requireSettled } from './lookup.ts';
import { commitAndStart } from './workflow.ts';
import { type ListRequest, pageOf, queryFingerprint } from './pagination.ts';

type PoolCidrFailure = NonNullable<IpamPoolCidr['FailureReason']>['Code'];

const CIDRS_PER_POOL = 50;
/** Private IPv6: unique local space outside AWS's reserved fd00::/16, or global unicast when enabled. */
const ULA_SPACE = parseCidr('fd00::/8');
const ULA_RESERVED = parseCidr('fd00::/16');
const ULA_BY_NETMASK = parseCidr('fd80::/9');
const GUA_SPACE = parseCidr('2000::/3');
const ULA_PREFIX_RANGE = { min: 9, max: 60 };

export const presentPoolCidr = (record: IpamPoolCidr) => publicView(record);

export interface ProvisionIpamPoolCidrInput {
  IpamPoolId: string;
  Cidr?: string;
  NetmaskLength?: number;
  CidrAuthorizationContext?: unknown;
  VerificationMethod?: string;
  IpamExternalResourceVerificationTokenId?: string;
}

export async function provisionIpamPoolCidr(deps: Dependencies, context: RequestContext, input: ProvisionIpamPoolCidrInput) {
  if (input.Cidr !== undefined && input.NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either Cidr or NetmaskLength, not both');
  }
  if (input.Cidr === undefined && input.NetmaskLength === undefined) {
    throw new IpamError('MissingParameter', 'The request must contain the parameter Cidr or NetmaskLength');
  }
  if (input.CidrAuthorizationContext !== undefined || input.VerificationMethod !== undefined || input.IpamExternalResourceVerificationTokenId !== undefined) {
    throw new IpamError('InvalidParameterValue', 'BYOIP verification is not supported by this IPAM yet; public-scope provisioning is unavailable');
  }
  const pool = await requirePoolInHomeRegion(deps, context, input.IpamPoolId);
  requireSettled('pool', pool.IpamPoolId, pool.State);
  const requested = input.Cidr === undefined ? undefined : parseCidr(input.Cidr);
  const bits = addressBits(pool.AddressFamily);
  if (requested && requested.family !== pool.AddressFamily) {
    throw new IpamError('InvalidParameterValue', `The CIDR ${input.Cidr} is not an ${pool.AddressFamily} CIDR like pool ${pool.IpamPoolId}`);
  }
  const netmask = requested?.prefixLength ?? input.NetmaskLength!;
  if (!Number.isInteger(netmask) || netmask < 0 || netmask > bits) {
    throw new IpamError('InvalidParameterValue', `NetmaskLength (${netmask}) must be between 0 and ${bits} for an ${pool.AddressFamily} pool`);
  }
  if (pool.SourceIpamPoolId) {
    const source = await requirePool(deps, context, pool.SourceIpamPoolId);
    requireWithinNetmaskRules(source.IpamPoolId, source, netmask);
  } else {
    if (pool.IpamScopeType === 'public') {
      throw new IpamError(
        'InvalidParameterValue',
        'Public space (BYOIP or Amazon-provided) cannot be provisioned to a top-level public-scope pool by this IPAM yet',
      );
    }
    if (pool.AddressFamily === 'ipv6') requirePrivateIpv6(await requireIpam(deps, context, pool.ipamId), requested, netmask);
    else if (!requested) {
      throw new IpamError('InvalidParameterValue', 'NetmaskLength can only be used for pools with a source pool; give a Cidr for a top-level IPv4 pool');
    }
  }
  // Whether the space is free is the workflow's question, as in AWS: the answer arrives as
  // `provisioned` or `failed-provision` on the record.
  const record: IpamPoolCidr = {
    IpamPoolCidrId: newPoolCidrId(),
    Cidr: requested ? formatCidr(requested) : undefined,
    State: 'pending-provision',
    NetmaskLength: netmask,
    ipamPoolId: pool.IpamPoolId,
    sourceSpaceId: pool.SourceIpamPoolId ?? pool.ipamScopeId,
    version: 1,
  };
  await retryOnConflict(async () => {
    const current = await requirePoolInHomeRegion(deps, context, pool.IpamPoolId);
    requireSettled('pool', current.IpamPoolId, current.State);
    await commitAndStart(
      deps,
      [
        { op: 'create', entity: { type: 'pool-cidr', value: record } },
        // Invariant: the pool is not being deleted while the request is accepted.
        { op: 'check', entity: { type: 'pool', value: current } },
      ],
      'provision-pool-cidr',
      { poolId: record.ipamPoolId, poolCidrId: record.IpamPoolCidrId },
    );
  });
  await announceStateChange(deps, pool, record);
  return { IpamPoolCidr: presentPoolCidr(record) };
}

/** Workflow task: take the space from the source and make it the pool's, or fail the record. */
export async function completeProvision(deps: Dependencies, poolId: string, poolCidrId: string): Promise<void> {
  await retryOnConflict(async (attempt): Promise<void> => {
    const record = await deps.store.getPoolCidr(poolId, poolCidrId);
    if (record?.State !== 'pending-provision') return; // settled already: a retried task does nothing
    const pool = await deps.store.getPool(poolId);
    if (!pool || !isSettled(pool.State)) {
      return failProvision(deps, pool, record, 'cidr-not-available', `Pool ${poolId} is ${pool ? pool.State : 'deleted'}`);
    }
    const requested = record.Cidr === undefined ? undefined : parseCidr(record.Cidr);
    const checks: Write[] = [];
    if (!pool.SourceIpamPoolId && requested && containsCidr(GUA_SPACE, requested)) {
      const ipam = await deps.store.getIpam(pool.ipamId);
      if (!ipam?.EnablePrivateGua) {
        return failProvision(deps, pool, record, 'cidr-not-available', `Private GUA is not enabled on IPAM ${pool.ipamId}`);
      }
      // Invariant: EnablePrivateGua is still on, so no GUA CIDR lands in a pool after it was turned off.
      checks.push({ op: 'check', entity: { type: 'ipam', value: ipam } });
    }
    if (pool.provisionedCidrCount >= CIDRS_PER_POOL) {
      return failProvision(deps, pool, record, 'limit-exceeded', `Pool ${poolId} already has the maximum of ${CIDRS_PER_POOL} CIDRs`);
    }
    const placement = await placeProvision(deps, pool, record.sourceSpaceId, requested, record.NetmaskLength, attempt);
    if (!placement) {
      const where = pool.SourceIpamPoolId ? `source pool ${pool.SourceIpamPoolId}` : `scope ${pool.ipamScopeId}`;
      const message = requested ? `The CIDR ${record.Cidr} is not available in ${where}` : `No /${record.NetmaskLength} CIDR is available in ${where}`;
      return failProvision(deps, pool, record, 'cidr-not-available', message);
    }
    const cidr = formatCidr(placement.target);
    const allocation: IpamPoolAllocation = {
      IpamPoolAllocationId: newAllocationId(),
      Cidr: cidr,
      ResourceId: pool.IpamPoolId,
      ResourceType: 'ipam-pool',
      ResourceRegion: pool.IpamRegion,
      ResourceOwner: pool.OwnerId,
      Tags: [],
      ipamPoolId: record.sourceSpaceId,
      within: placement.block.within,
      createdAt: deps.now().toISOString(),
    };
    const provisioned: IpamPoolCidr = { ...record, State: 'provisioned', Cidr: cidr, sourceAllocationId: allocation.IpamPoolAllocationId };
    await deps.store.commit([
      ...(await takeWrites(deps.store, placement)),
      { op: 'create', entity: { type: 'allocation', value: allocation } },
      // Invariant: the record is still pending, so the space is taken exactly once.
      { op: 'update', entity: { type: 'pool-cidr', value: provisioned } },
      // The provisioned CIDR becomes the pool's free space, merging never past its edge.
      { op: 'create', entity: { type: 'free-block', value: { spaceId: pool.IpamPoolId, cidr, within: cidr } } },
      // Invariant: the pool is still settled and its CIDR count within the quota.
      { op: 'update', entity: { type: 'pool', value: { ...pool, provisionedCidrCount: pool.provisionedCidrCount + 1 } } },
      ...checks,
    ]);
    await announceStateChange(deps, pool, provisioned, record.State);
  });
}

function requirePrivateIpv6(ipam: Ipam, requested: Cidr | undefined, netmask: number): void {
  if (!requested) {
    if (netmask < ULA_PREFIX_RANGE.min || netmask > ULA_PREFIX_RANGE.max) {
      throw new IpamError('InvalidParameterValue', `A ULA CIDR chosen by netmask must be /${ULA_PREFIX_RANGE.min} to /${ULA_PREFIX_RANGE.max}, not /${netmask}`);
    }
    return;
  }
  const text = formatCidr(requested);
  if (containsCidr(ULA_SPACE, requested)) {
    if (containsCidr(requested, ULA_RESERVED) || containsCidr(ULA_RESERVED, requested)) {
      throw new IpamError('InvalidParameterValue', `The ULA CIDR ${text} overlaps fd00::/16, which AWS reserves`);
    }
    if (requested.prefixLength < ULA_PREFIX_RANGE.min || requested.prefixLength > ULA_PREFIX_RANGE.max) {
      throw new IpamError('InvalidParameterValue', `A ULA CIDR must be /${ULA_PREFIX_RANGE.min} to /${ULA_PREFIX_RANGE.max}, not ${text}`);
    }
    return;
  }
  if (containsCidr(GUA_SPACE, requested)) {
    if (!ipam.EnablePrivateGua) {
      throw new IpamError('InvalidParameterValue', `Provisioning the GUA CIDR ${text} to a private pool needs EnablePrivateGua on IPAM ${ipam.IpamId}`);
    }
    return;
  }
  throw new IpamError('InvalidParameterValue', `The CIDR ${text} is neither unique local (fd00::/8) nor global unicast (2000::/3) space`);
}

async function placeProvision(
  deps: Dependencies,
  pool: IpamPool,
  sourceSpaceId: string,
  requested: Cidr | undefined,
  netmask: number,
  attempt: number,
): Promise<Placement | undefined> {
  if (requested) return findSpecificPlacement(deps.store, sourceSpaceId, requested);
  if (pool.SourceIpamPoolId) return findPlacement(deps.store, sourceSpaceId, pool.AddressFamily, { prefixLength: netmask, spread: attempt });
  // A top-level ULA range by netmask: a random aligned block of fd80::/9, in the spirit of RFC 4193.
  for (let tries = 0; tries < 16; tries++) {
    const offset = BigInt.asUintN(128 - ULA_BY_NETMASK.prefixLength, randomBigInt()) >> BigInt(128 - netmask) << BigInt(128 - netmask);
    const placement = await findSpecificPlacement(deps.store, sourceSpaceId, cidrFromStart('ipv6', ULA_BY_NETMASK.start | offset, netmask));
    if (placement) return placement;
  }
  return undefined;
}

function randomBigInt(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

/** Space contention is reported on the record, as AWS does, and takes no space. */
async function failProvision(
  deps: Dependencies,
  pool: IpamPool | undefined,
  record: IpamPoolCidr,
  code: PoolCidrFailure,
  message: string,
): Promise<void> {
  const failed: IpamPoolCidr = { ...record, State: 'failed-provision', FailureReason: { Code: code, Message: message } };
  // Invariant: the record is still pending, so it settles exactly once.
  await deps.store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: failed } }]);
  // A deleted pool has no owner or Region left to announce to.
  if (pool) await announceStateChange(deps, pool, failed, record.State);
}

/**
 * Publishes a pool CIDR's committed state change, as the pool's owner in its IPAM's home Region.
 * Called only right after the commit that made the change, so a re-run task that finds the
 * work done announces nothing.
 */
async function announceStateChange(deps: Dependencies, pool: IpamPool, record: IpamPoolCidr, previousState?: IpamPoolCidr['State']): Promise<void> {
  const event: PoolCidrStateChange = {
    'detail-type': 'IPAM Pool CIDR State Change',
    detail: {
      ipamId: pool.ipamId,
      ipamPoolId: pool.IpamPoolId,
      ipamPoolCidrId: record.IpamPoolCidrId,
      cidr: record.Cidr,
      previousState,
      state: record.State,
      failureReason: record.FailureReason?.Message,
    },
  };
  await deps.events.publish([event], { accountId: pool.OwnerId, region: pool.IpamRegion, time: deps.now() });
}

export interface GetIpamPoolCidrsInput extends ListRequest {
  IpamPoolId: string;
  Filters?: Filter[];
}

const POOL_CIDR_FILTER_FIELDS = ['Cidr', 'State', 'IpamPoolCidrId', 'NetmaskLength'] as const;

export async function getIpamPoolCidrs(deps: Dependencies, context: RequestContext, input: GetIpamPoolCidrsInput) {
  const matches = compileFilters<IpamPoolCidr & { Tags?: [] }>(input.Filters, POOL_CIDR_FILTER_FIELDS);
  const pool = await requirePool(deps, context, input.IpamPoolId);
  const records = (await deps.store.listPoolCidrs(pool.IpamPoolId)).filter(matches);
  const query = queryFingerprint(['GetIpamPoolCidrs', context.accountId, pool.IpamPoolId, input.Filters ?? []]);
  const page = pageOf(deps.paginationSecret, query, records, (record) => record.IpamPoolCidrId, input, 1000);
  return { IpamPoolCidrs: page.items.map(presentPoolCidr), NextToken: page.nextToken };
}

export interface DeprovisionIpamPoolCidrInput {
  IpamPoolId: string;
  Cidr?: string;
}

export async function deprovisionIpamPoolCidr(deps: Dependencies, context: RequestContext, input: DeprovisionIpamPoolCidrInput) {
  const pool = await requirePoolInHomeRegion(deps, context, input.IpamPoolId);
  const records = await deps.store.listPoolCidrs(pool.IpamPoolId);
  const deprovisionable = records.filter((record) => DEPROVISIONABLE_STATES.has(record.State));
  let record: IpamPoolCidr | undefined;
  if (input.Cidr === undefined) {
    // The guide's tutorial deprovisions without --cidr: fine when there is only one to choose.
    if (deprovisionable.length !== 1) throw new IpamError('MissingParameter', messages.missingParameter('Cidr'));
    record = deprovisionable[0];
  } else {
    const cidr = formatCidr(parseCidr(input.Cidr));
    record = deprovisionable.find((candidate) => candidate.Cidr === cidr);
    if (!record) {
      const other = records.find((candidate) => candidate.Cidr === cidr && candidate.State !== 'failed-provision');
      if (other) throw new IpamError('IncorrectState', `The CIDR ${cidr} of pool ${pool.IpamPoolId} is in state '${other.State}'`);
      throw new IpamError('InvalidParameterValue', `The CIDR ${cidr} is not provisioned to pool ${pool.IpamPoolId}`);
    }
  }
  const pending = await reserveForDeprovision(deps, pool, record!.IpamPoolCidrId, (writes, args) =>
    commitAndStart(deps, writes, 'deprovision-pool-cidr', args),
  );
  return { IpamPoolCidr: presentPoolCidr(pending) };
}

const DEPROVISIONABLE_STATES: ReadonlySet<IpamPoolCidr['State']> = new Set(['provisioned', 'failed-deprovision']);

/**
 * Accepting a deprovision takes the pool's whole CIDR out of its free space at once: that proves
 * nothing inside is allocated, and keeps anything from being allocated there while it goes.
 */
async function reserveForDeprovision(
  deps: Dependencies,
  pool: IpamPool,
  poolCidrId: string,
  commit: (writes: Write[], args: Record<string, unknown>) => Promise<void>,
): Promise<IpamPoolCidr> {
  const poolId = pool.IpamPoolId;
  const { pending, previousState } = await retryOnConflict(async () => {
    const record = await deps.store.getPoolCidr(poolId, poolCidrId);
    if (!record?.Cidr || !DEPROVISIONABLE_STATES.has(record.State)) {
      throw new IpamError('IncorrectState', `The CIDR ${record?.Cidr ?? poolCidrId} of pool ${poolId} is not provisioned`);
    }
    const cidr = parseCidr(record.Cidr);
    let wholeCidrFree = await deps.store.getFreeBlock(poolId, cidr);
    if (!wholeCidrFree) {
      // Free space a crash left split is still free: put it back together before deciding.
      await healFreeSpace(deps.store, poolId, cidr);
      wholeCidrFree = await deps.store.getFreeBlock(poolId, cidr);
    }
    if (!wholeCidrFree) {
      throw new IpamError(
        'DependencyViolation',
        `The CIDR ${record.Cidr} of pool ${poolId} still has allocations (or child pool CIDRs); release them first`,
      );
    }
    const pending: IpamPoolCidr = { ...record, State: 'pending-deprovision', FailureReason: undefined };
    await commit(
      [
        // Invariant: the pool's whole CIDR is one free block, so nothing inside it is allocated.
        { op: 'delete', entity: { type: 'free-block', value: wholeCidrFree } },
        { op: 'update', entity: { type: 'pool-cidr', value: pending } },
      ],
      { poolId, poolCidrId },
    );
    return { pending: { ...pending, version: pending.version + 1 }, previousState: record.State };
  });
  await announceStateChange(deps, pool, pending, previousState);
  return pending;
}

/** Workflow task: give a reserved CIDR back to the source pool (or scope) it came from. */
export async function completeDeprovision(deps: Dependencies, poolId: string, poolCidrId: string): Promise<void> {
  await retryOnConflict(async () => {
    const record = await deps.store.getPoolCidr(poolId, poolCidrId);
    if (record?.State !== 'pending-deprovision') return; // settled already: a retried task does nothing
    const pool = await deps.store.getPool(poolId);
    const sourceAllocation = await deps.store.getAllocation(record.sourceSpaceId, record.sourceAllocationId ?? '');
    if (!pool || !record.Cidr || !sourceAllocation) throw new Error(`Pool CIDR ${poolCidrId} of pool ${poolId} lost its pool or source allocation`);
    const deprovisioned: IpamPoolCidr = { ...record, State: 'deprovisioned' };
    await deps.store.commit([
      // Invariant: the record is still pending, so the space goes back exactly once.
      { op: 'update', entity: { type: 'pool-cidr', value: deprovisioned } },
      { op: 'update', entity: { type: 'pool', value: { ...pool, provisionedCidrCount: pool.provisionedCidrCount - 1 } } },
      { op: 'delete', entity: { type: 'allocation', value: sourceAllocation } },
      giveBackWrite(record.sourceSpaceId, record.Cidr, sourceAllocation.within),
    ]);
    await announceStateChange(deps, pool, deprovisioned, record.State);
    await mergeFreeBlock(deps.store, record.sourceSpaceId, record.Cidr, sourceAllocation.within);
  });
}

/**
 * Workflow task on the failure branch: a provision that could not finish fails without taking
 * space; a deprovision that could not finish puts the CIDR back into the pool's free space.
 */
export async function failPoolCidr(deps: Dependencies, poolId: string, poolCidrId: string, reason: string): Promise<void> {
  await retryOnConflict(async (): Promise<void> => {
    const record = await deps.store.getPoolCidr(poolId, poolCidrId);
    if (record?.State !== 'pending-provision' && record?.State !== 'pending-deprovision') return;
    const pool = await deps.store.getPool(poolId);
    if (record.State === 'pending-provision') return failProvision(deps, pool, record, 'cidr-not-available', `Provisioning failed: ${reason}`);
    if (!record.Cidr) return;
    const failed: IpamPoolCidr = { ...record, State: 'failed-deprovision' };
    await deps.store.commit([
      // Invariant: the record is still pending, so the CIDR goes back to the pool exactly once.
      { op: 'update', entity: { type: 'pool-cidr', value: failed } },
      giveBackWrite(poolId, record.Cidr, record.Cidr),
    ]);
    if (pool) await announceStateChange(deps, pool, failed, record.State);
  });
}

/** Cascade: deprovision every provisioned CIDR of a pool whose allocations are gone, right away. */
export async function deprovisionAllCidrs(deps: Dependencies, poolId: string): Promise<void> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) return;
  for (const record of await deps.store.listPoolCidrs(poolId)) {
    if (DEPROVISIONABLE_STATES.has(record.State)) {
      await reserveForDeprovision(deps, pool, record.IpamPoolCidrId, (writes) => deps.store.commit(writes));
    }
    if (DEPROVISIONABLE_STATES.has(record.State) || record.State === 'pending-deprovision') {
      await completeDeprovision(deps, poolId, record.IpamPoolCidrId);
    }
  }
}
