// ProvisionIpamPoolCidr, GetIpamPoolCidrs, DeprovisionIpamPoolCidr.
//
// A pool's CIDR is always an allocation in its source space: the source pool, or the scope for a
// top-level pool. Provisioning takes the space there and makes it the pool's own free space in
// one transaction; deprovisioning gives it back the same way, and only succeeds while the pool's
// whole CIDR is one free block — the proof that nothing inside is allocated.
//
// A pool keeps at most one record per CIDR, as clients that look a pool CIDR up by its CIDR need
// (Terraform's aws_vpc_ipam_pool_cidr): provisioning a CIDR again replaces its finished record
// (deprovisioned or failed-provision), and finished records are forgotten after a day.
import { poolCidrRetainedUntil } from '../domain/expiry.ts';
import { addressBits, type Cidr, cidrFromStart, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { awsWords, IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newAllocationId, newPoolCidrId } from '../domain/ids.ts';
import type { Ipam } from '../domain/model/ipam.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../domain/model/pool.ts';
import type { ByoipProof } from '../domain/model/public-space.ts';
import { requireWithinNetmaskRules } from '../domain/pool-rules.ts';
import type { Write } from '../ports/store.ts';
import { reevaluateIpamResolvers } from './prefix-list-resolver-evaluation.ts';
import { byoipCidrInUse } from './byoip-cidrs.ts';
import { byoipProofOf, isByoipPool, requireNoProof } from './byoip-provisioning.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import {
  findPlacement,
  findSpecificPlacement,
  giveBackWrite,
  healFreeSpace,
  mergeAfterCommit,
  type Placement,
  retryOnConflict,
  takeWrites,
} from './free-space.ts';
import {
  findPoolCidr,
  isSettled,
  requireIpam,
  requirePool,
  requirePoolInHomeRegion,
  requireSettled,
  visiblePoolCidrs,
} from './kernel/lookup.ts';
import { type Announcement, commitAnnouncing } from './kernel/outbox.ts';
import { commitAndStart } from './kernel/workflow.ts';
import { isPlanningRoot, requirePlanningCidr, takePlanningCidr } from './planning-pools.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

type PoolCidrFailure = NonNullable<IpamPoolCidr['FailureReason']>['Code'];

const CIDRS_PER_POOL = 50;
/** States after which nothing happens to a record: provisioning its CIDR again replaces it. */
const FINISHED_STATES: ReadonlySet<IpamPoolCidr['State']> = new Set(['deprovisioned', 'failed-provision', 'failed-import']);
/** Private IPv6: unique local space outside AWS's reserved fd00::/16, or global unicast when enabled. */
const ULA_SPACE = parseCidr('fd00::/8');
const ULA_RESERVED = parseCidr('fd00::/16');
const ULA_BY_NETMASK = parseCidr('fd80::/9');
const GUA_SPACE = parseCidr('2000::/3');
const ULA_PREFIX_RANGE = { min: 9, max: 60 };
/**
 * Amazon-provided space (spec DN-28, DN-308; UG L838, L9649–9652): IPv6 /40–/52 in the console's
 * range, one block per Regional pool; contiguous IPv4 /29–/30, two blocks per account and locale.
 */
const AMAZON_IPV6_PREFIX_RANGE = { min: 40, max: 52 };
const AMAZON_IPV6_BLOCKS_PER_POOL = 1;
const AMAZON_IPV4_PREFIX_RANGE = { min: 29, max: 30 };
const AMAZON_IPV4_BLOCKS_PER_LOCALE = 2;

export const presentPoolCidr = (record: IpamPoolCidr) => publicView(record);

/** A record settling in a finished state, with the time it is forgotten. */
function finished(deps: Dependencies, record: IpamPoolCidr, change: Pick<IpamPoolCidr, 'State'> & Partial<IpamPoolCidr>): IpamPoolCidr {
  return { ...record, ...change, retainedUntil: poolCidrRetainedUntil(deps.now()) };
}

/**
 * Deletes of the finished records of `cidr` (forgotten ones included) that a record taking the
 * CIDR replaces. A record still in use holding it is the caller's to refuse or avoid.
 */
function replacedRecordWrites(records: IpamPoolCidr[], cidr: string, keep: string): Write[] {
  return (
    records
      .filter((record) => record.Cidr === cidr && record.IpamPoolCidrId !== keep && FINISHED_STATES.has(record.State))
      // Invariant: the record replaced is still the finished one read, so one (pool, CIDR) keeps one record.
      .map((record): Write => ({ op: 'delete', entity: { type: 'pool-cidr', value: record } }))
  );
}

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
  const pool = await requirePoolInHomeRegion(deps, context, input.IpamPoolId);
  requireSettled('pool', pool.IpamPoolId, pool.State);
  const requested = input.Cidr === undefined ? undefined : parseCidr(input.Cidr);
  const bits = addressBits(pool.AddressFamily);
  if (requested && requested.family !== pool.AddressFamily) {
    throw new IpamError(
      'InvalidParameterValue',
      `The CIDR ${input.Cidr} is not an ${pool.AddressFamily} CIDR like pool ${pool.IpamPoolId}`,
    );
  }
  const netmask = requested?.prefixLength ?? input.NetmaskLength!;
  if (!Number.isInteger(netmask) || netmask < 0 || netmask > bits) {
    throw new IpamError(
      'InvalidParameterValue',
      `NetmaskLength (${netmask}) must be between 0 and ${bits} for an ${pool.AddressFamily} pool`,
    );
  }
  // BYOIP (byoip-provisioning.ts): proof of control, verified by its own workflow before the space is taken.
  let byoipProof: ByoipProof | undefined;
  if (!isByoipPool(pool)) requireNoProof(pool, input);
  // A resource planning pool's space is its VPC's (planning-pools.ts), not the scope's.
  let sourceSpaceId = pool.SourceIpamPoolId ?? pool.ipamScopeId;
  if (pool.SourceIpamPoolId) {
    const source = await requirePool(deps, context, pool.SourceIpamPoolId);
    requireWithinNetmaskRules(source.IpamPoolId, source, netmask);
  } else if (isPlanningRoot(pool)) {
    sourceSpaceId = await requirePlanningCidr(deps, pool, requested);
  } else if (pool.PublicIpSource === 'amazon') {
    requireAmazonProvidedRequest(pool, requested, netmask);
  } else if (isByoipPool(pool)) {
    byoipProof = await byoipProofOf(deps, context, pool, requested, input);
  } else {
    if (pool.AddressFamily === 'ipv6') requirePrivateIpv6(await requireIpam(deps, context, pool.ipamId), requested, netmask);
    else if (!requested) {
      throw new IpamError(
        'InvalidParameterValue',
        'NetmaskLength can only be used for pools with a source pool; give a Cidr for a top-level IPv4 pool',
      );
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
    sourceSpaceId,
    byoipProof,
    version: 1,
  };
  await retryOnConflict(async () => {
    const current = await requirePoolInHomeRegion(deps, context, pool.IpamPoolId);
    requireSettled('pool', current.IpamPoolId, current.State);
    const records = record.Cidr === undefined ? [] : await deps.store.listPoolCidrs(pool.IpamPoolId);
    const holder = records.find((other) => other.Cidr === record.Cidr && !FINISHED_STATES.has(other.State));
    if (holder) {
      throw new IpamError('IncorrectState', awsWords.cidrInInvalidState(pool.IpamPoolId, record.Cidr!));
    }
    await commitAndStart(
      deps,
      [
        { op: 'create', entity: { type: 'pool-cidr', value: record } },
        ...(record.Cidr === undefined ? [] : replacedRecordWrites(records, record.Cidr, record.IpamPoolCidrId)),
        // Invariant: the pool is not being deleted, and no other record of it took this CIDR since
        // the records were read — every write that gives a record its CIDR updates the pool.
        { op: 'update', entity: { type: 'pool', value: current } },
      ],
      byoipProof ? 'provision-byoip-cidr' : 'provision-pool-cidr',
      { poolId: record.ipamPoolId, poolCidrId: record.IpamPoolCidrId },
      [stateChange(pool, record)],
    );
  });
  return { IpamPoolCidr: presentPoolCidr(record) };
}

/**
 * A CIDR coming into a top-level pool from elsewhere (a BYOIP range moved from EC2,
 * byoip-transfer.ts): its record waits in pending-import, committed with `writes`, and the
 * import-byoip-cidr workflow provisions it like any CIDR (completeProvision with an ImportSettlement).
 */
export async function acceptImport(
  deps: Dependencies,
  pool: IpamPool,
  cidr: Cidr,
  writes: (record: IpamPoolCidr) => Write[],
  args: Record<string, unknown>,
): Promise<IpamPoolCidr> {
  const record: IpamPoolCidr = {
    IpamPoolCidrId: newPoolCidrId(),
    Cidr: formatCidr(cidr),
    State: 'pending-import',
    NetmaskLength: cidr.prefixLength,
    ipamPoolId: pool.IpamPoolId,
    sourceSpaceId: pool.ipamScopeId,
    version: 1,
  };
  const records = await deps.store.listPoolCidrs(pool.IpamPoolId);
  if (records.some((other) => other.Cidr === record.Cidr && !FINISHED_STATES.has(other.State))) {
    throw new IpamError('IncorrectState', awsWords.cidrInInvalidState(pool.IpamPoolId, record.Cidr!));
  }
  await commitAndStart(
    deps,
    [
      ...writes(record),
      { op: 'create', entity: { type: 'pool-cidr', value: record } },
      ...replacedRecordWrites(records, record.Cidr!, record.IpamPoolCidrId),
      // Invariant: the pool is not being deleted, and no other record of it took this CIDR since the records were read.
      { op: 'update', entity: { type: 'pool', value: pool } },
    ],
    'import-byoip-cidr',
    { ...args, poolId: pool.IpamPoolId, poolCidrId: record.IpamPoolCidrId },
    [stateChange(pool, record)],
  );
  return record;
}

/**
 * What provisioning a pending-import record adds to its commit: the allocation that holds the
 * whole CIDR for its resource (so none of it is free), and whatever moves with it — or why the
 * import cannot happen after all.
 */
export type ImportSettlement = (pool: IpamPool, cidr: string) => Promise<{ refusal: string } | { writes: Write[] }>;

/** Workflow task: take the space from the source and make it the pool's, or fail the record. */
export async function completeProvision(
  deps: Dependencies,
  poolId: string,
  poolCidrId: string,
  importing?: ImportSettlement,
): Promise<void> {
  let provisionedIn: string | undefined;
  await retryOnConflict(async (attempt): Promise<void> => {
    const record = await findPoolCidr(deps, poolId, poolCidrId);
    // Settled already: a retried task does nothing.
    if (record?.State !== (importing ? 'pending-import' : 'pending-provision')) return;
    const pool = await deps.store.getPool(poolId);
    if (!pool || !isSettled(pool.State)) {
      return failProvision(deps, pool, record, 'cidr-not-available', `Pool ${poolId} is ${pool ? pool.State : 'deleted'}`);
    }
    const requested = record.Cidr === undefined ? undefined : parseCidr(record.Cidr);
    const checks: Write[] = [];
    // Private GUA only: public-scope GUA is BYOIP, proved by its own workflow.
    if (!pool.SourceIpamPoolId && pool.IpamScopeType === 'private' && requested && containsCidr(GUA_SPACE, requested)) {
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
    if (isAmazonProvided(pool)) {
      const quota = await amazonQuota(deps, pool, record.NetmaskLength);
      if (quota.refusal) return failProvision(deps, pool, record, 'limit-exceeded', quota.refusal);
      checks.push(...quota.checks);
    }
    const records = await deps.store.listPoolCidrs(poolId);
    // CIDRs other requests to this pool are waiting for: a CIDR chosen by netmask avoids them.
    const held = records
      .filter((other) => other.IpamPoolCidrId !== poolCidrId && other.Cidr !== undefined && !FINISHED_STATES.has(other.State))
      .map((other) => parseCidr(other.Cidr!));
    let taken: { target: Cidr; within: string; writes: Write[] };
    if (isPlanningRoot(pool) && requested) {
      const planned = await takePlanningCidr(deps, pool, requested);
      if ('refusal' in planned) return failProvision(deps, pool, record, 'cidr-not-available', planned.refusal);
      taken = { target: requested, ...planned };
    } else {
      const placement = await placeProvision(deps, pool, record.sourceSpaceId, requested, record.NetmaskLength, attempt, held);
      if (!placement) {
        const where = pool.SourceIpamPoolId
          ? `source pool ${pool.SourceIpamPoolId}`
          : isAmazonProvided(pool)
            ? `the Amazon-provided space of scope ${pool.ipamScopeId}`
            : `scope ${pool.ipamScopeId}`;
        const message = requested
          ? `The CIDR ${record.Cidr} is not available in ${where}`
          : `No /${record.NetmaskLength} CIDR is available in ${where}`;
        return failProvision(deps, pool, record, 'cidr-not-available', message);
      }
      taken = { target: placement.target, within: placement.block.within, writes: await takeWrites(deps.store, placement) };
    }
    const cidr = formatCidr(taken.target);
    const imported = importing ? await importing(pool, cidr) : undefined;
    if (imported && 'refusal' in imported) return failProvision(deps, pool, record, 'cidr-not-available', imported.refusal);
    const allocation: IpamPoolAllocation = {
      IpamPoolAllocationId: newAllocationId(),
      Cidr: cidr,
      ResourceId: pool.IpamPoolId,
      ResourceType: 'ipam-pool',
      ResourceRegion: pool.IpamRegion,
      ResourceOwner: pool.OwnerId,
      Tags: [],
      ipamPoolId: record.sourceSpaceId,
      within: taken.within,
      createdAt: deps.now().toISOString(),
    };
    const provisioned: IpamPoolCidr = { ...record, State: 'provisioned', Cidr: cidr, sourceAllocationId: allocation.IpamPoolAllocationId };
    await commitAnnouncing(
      deps,
      [
        ...taken.writes,
        { op: 'create', entity: { type: 'allocation', value: allocation } },
        // Invariant: the record is still pending, so the space is taken exactly once.
        { op: 'update', entity: { type: 'pool-cidr', value: provisioned } },
        // The provisioned CIDR becomes the pool's free space, merging never past its edge — unless
        // it comes in allocated whole (an import).
        ...(imported
          ? imported.writes
          : [{ op: 'create', entity: { type: 'free-block', value: { spaceId: pool.IpamPoolId, cidr, within: cidr } } } satisfies Write]),
        ...replacedRecordWrites(records, cidr, poolCidrId),
        // Invariant: the pool is still settled, its CIDR count within the quota, and no other record
        // of it took this CIDR since the records were read (every such write updates the pool).
        { op: 'update', entity: { type: 'pool', value: { ...pool, provisionedCidrCount: pool.provisionedCidrCount + 1 } } },
        ...checks,
      ],
      [stateChange(pool, provisioned, record.State)],
    );
    provisionedIn = pool.ipamId;
  });
  // A new pool CIDR can change what prefix list resolvers select.
  if (provisionedIn) await reevaluateIpamResolvers(deps, provisionedIn);
}

/** A top-level public pool whose space AWS provides, rather than the customer (BYOIP). */
const isAmazonProvided = (pool: IpamPool) => !pool.SourceIpamPoolId && pool.PublicIpSource === 'amazon';

/** What is wrong with the request itself is refused at once; quotas are the workflow's (DN-29, DN-308). */
function requireAmazonProvidedRequest(pool: IpamPool, requested: Cidr | undefined, netmask: number): void {
  if (requested) {
    throw new IpamError(
      'InvalidParameterValue',
      `Amazon-provided space is chosen by the service: give pool ${pool.IpamPoolId} a NetmaskLength, not a Cidr`,
    );
  }
  if (pool.Locale === 'None') {
    throw new IpamError(
      'InvalidParameterCombination',
      `Amazon-provided space can only be provisioned to a pool with a locale; ${pool.IpamPoolId} has none`,
    );
  }
  if (pool.AddressFamily === 'ipv4' && pool.AwsService !== 'ec2') {
    throw new IpamError(
      'InvalidParameterCombination',
      `Amazon-provided contiguous IPv4 needs a pool with AwsService ec2; ${pool.IpamPoolId} has ${pool.AwsService ?? 'none'}`,
    );
  }
  if (pool.AddressFamily === 'ipv6' && (netmask < AMAZON_IPV6_PREFIX_RANGE.min || netmask > AMAZON_IPV6_PREFIX_RANGE.max)) {
    throw new IpamError(
      'InvalidParameterValue',
      `An Amazon-provided IPv6 CIDR must be /${AMAZON_IPV6_PREFIX_RANGE.min} to /${AMAZON_IPV6_PREFIX_RANGE.max}, not /${netmask}`,
    );
  }
}

/**
 * The Amazon-provided block quotas, read when the space is about to be taken. The pool's own
 * count is guarded by the pool update of the provisioning commit; the contiguous IPv4 count
 * spans the account's other such pools in the locale, so they are checked unchanged too.
 */
async function amazonQuota(deps: Dependencies, pool: IpamPool, netmask: number): Promise<{ refusal?: string; checks: Write[] }> {
  if (pool.AddressFamily === 'ipv6') {
    const refusal =
      pool.provisionedCidrCount >= AMAZON_IPV6_BLOCKS_PER_POOL
        ? `Pool ${pool.IpamPoolId} already has the maximum of ${AMAZON_IPV6_BLOCKS_PER_POOL} Amazon-provided IPv6 CIDR block(s)`
        : undefined;
    return { refusal, checks: [] };
  }
  const others = (await deps.store.listPools(pool.OwnerId)).filter(
    (other) =>
      other.IpamPoolId !== pool.IpamPoolId && isAmazonProvided(other) && other.AddressFamily === 'ipv4' && other.Locale === pool.Locale,
  );
  const blocks = others.reduce((sum, other) => sum + other.provisionedCidrCount, pool.provisionedCidrCount);
  const allowedSize = netmask >= AMAZON_IPV4_PREFIX_RANGE.min && netmask <= AMAZON_IPV4_PREFIX_RANGE.max;
  // AWS's own wording for this refusal (spec DN-308).
  const refusal =
    allowedSize && blocks < AMAZON_IPV4_BLOCKS_PER_LOCALE
      ? undefined
      : `account ${pool.OwnerId} cannot provision a ipv4 contiguous block of size /${netmask} in locale ${pool.Locale}`;
  // Invariant: no other contiguous block of this account and locale was provisioned meanwhile.
  return { refusal, checks: others.map((other): Write => ({ op: 'check', entity: { type: 'pool', value: other } })) };
}

function requirePrivateIpv6(ipam: Ipam, requested: Cidr | undefined, netmask: number): void {
  if (!requested) {
    if (netmask < ULA_PREFIX_RANGE.min || netmask > ULA_PREFIX_RANGE.max) {
      throw new IpamError(
        'InvalidParameterValue',
        `A ULA CIDR chosen by netmask must be /${ULA_PREFIX_RANGE.min} to /${ULA_PREFIX_RANGE.max}, not /${netmask}`,
      );
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
      throw new IpamError(
        'InvalidParameterValue',
        `Provisioning the GUA CIDR ${text} to a private pool needs EnablePrivateGua on IPAM ${ipam.IpamId}`,
      );
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
  disallowed: readonly Cidr[],
): Promise<Placement | undefined> {
  if (requested) return findSpecificPlacement(deps.store, sourceSpaceId, requested);
  if (pool.SourceIpamPoolId)
    return findPlacement(deps.store, sourceSpaceId, pool.AddressFamily, { prefixLength: netmask, disallowed, spread: attempt });
  if (isAmazonProvided(pool)) {
    // The scope's free space, restricted to the (simulated) Amazon space: lowest free block first.
    const allowed = [parseCidr(pool.AddressFamily === 'ipv6' ? deps.publicSpace.amazonIpv6Space : deps.publicSpace.amazonIpv4Space)];
    return findPlacement(deps.store, sourceSpaceId, pool.AddressFamily, { prefixLength: netmask, allowed, disallowed, spread: attempt });
  }
  // A top-level ULA range by netmask: a random aligned block of fd80::/9, in the spirit of RFC 4193.
  for (let tries = 0; tries < 16; tries++) {
    const offset = (BigInt.asUintN(128 - ULA_BY_NETMASK.prefixLength, randomBigInt()) >> BigInt(128 - netmask)) << BigInt(128 - netmask);
    const candidate = cidrFromStart('ipv6', ULA_BY_NETMASK.start | offset, netmask);
    if (disallowed.some((cidr) => containsCidr(cidr, candidate) || containsCidr(candidate, cidr))) continue;
    const placement = await findSpecificPlacement(deps.store, sourceSpaceId, candidate);
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
  const State = record.State === 'pending-import' ? 'failed-import' : 'failed-provision';
  const failed = finished(deps, record, { State, FailureReason: { Code: code, Message: message } });
  // Invariant: the record is still pending, so it settles exactly once.
  // A deleted pool has no owner or Region left to announce to.
  await commitAnnouncing(
    deps,
    [{ op: 'update', entity: { type: 'pool-cidr', value: failed } }],
    pool ? [stateChange(pool, failed, record.State)] : [],
  );
}

/**
 * A pool CIDR's state change, announced as the pool's owner in its IPAM's home Region. Committed
 * with the change, so a re-run task that finds the work done announces nothing.
 */
function stateChange(pool: IpamPool, record: IpamPoolCidr, previousState?: IpamPoolCidr['State']): Announcement {
  return {
    event: {
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
    },
    accountId: pool.OwnerId,
    region: pool.IpamRegion,
  };
}

export interface GetIpamPoolCidrsInput extends ListRequest {
  IpamPoolId: string;
  Filters?: Filter[];
}

const POOL_CIDR_FILTER_FIELDS = ['Cidr', 'State', 'IpamPoolCidrId', 'NetmaskLength'] as const;

export async function getIpamPoolCidrs(deps: Dependencies, context: RequestContext, input: GetIpamPoolCidrsInput) {
  const matches = compileFilters<IpamPoolCidr & { Tags?: [] }>(input.Filters, POOL_CIDR_FILTER_FIELDS);
  const pool = await requirePool(deps, context, input.IpamPoolId, 'GetIpamPoolCidrs');
  const records = (await visiblePoolCidrs(deps, pool.IpamPoolId)).filter(matches);
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
  const records = await visiblePoolCidrs(deps, pool.IpamPoolId);
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
  const pending = await reserveForDeprovision(deps, pool, record!.IpamPoolCidrId, (writes, args, announcements) =>
    commitAndStart(deps, writes, 'deprovision-pool-cidr', args, announcements),
  );
  return { IpamPoolCidr: presentPoolCidr(pending) };
}

const DEPROVISIONABLE_STATES: ReadonlySet<IpamPoolCidr['State']> = new Set(['provisioned', 'failed-deprovision']);

/**
 * Accepting a deprovision takes the pool's whole CIDR out of its free space at once: that proves
 * nothing inside is allocated, and keeps anything from being allocated there while it goes. With
 * allocations (or child pool CIDRs) inside, AWS accepts it too and the record ends
 * failed-deprovision (terraform-provider-aws #30165): it is accepted without taking any space,
 * marked for the workflow to fail.
 */
async function reserveForDeprovision(
  deps: Dependencies,
  pool: IpamPool,
  poolCidrId: string,
  commit: (writes: Write[], args: Record<string, unknown>, announcements: Announcement[]) => Promise<void>,
): Promise<IpamPoolCidr> {
  const poolId = pool.IpamPoolId;
  return retryOnConflict(async () => {
    const record = await findPoolCidr(deps, poolId, poolCidrId);
    if (!record?.Cidr || !DEPROVISIONABLE_STATES.has(record.State)) {
      throw new IpamError('IncorrectState', `The CIDR ${record?.Cidr ?? poolCidrId} of pool ${poolId} is not provisioned`);
    }
    // A BYOIP CIDR must be withdrawn and rid of its ASN associations first (spec S5 C4).
    const inUse = await byoipCidrInUse(deps, pool, record.Cidr);
    if (inUse) throw inUse;
    const cidr = parseCidr(record.Cidr);
    let wholeCidrFree = await deps.store.getFreeBlock(poolId, cidr);
    if (!wholeCidrFree) {
      // Free space a crash left split is still free: put it back together before deciding.
      await healFreeSpace(deps.store, poolId, cidr);
      wholeCidrFree = await deps.store.getFreeBlock(poolId, cidr);
    }
    const pending: IpamPoolCidr = {
      ...record,
      State: 'pending-deprovision',
      FailureReason: undefined,
      allocationsInside: wholeCidrFree ? undefined : true,
    };
    await commit(
      [
        // Invariant: the pool's whole CIDR is one free block, so nothing inside it is allocated.
        ...(wholeCidrFree ? [{ op: 'delete', entity: { type: 'free-block', value: wholeCidrFree } } satisfies Write] : []),
        // Invariant: the record is unchanged since it was read, so one request takes it to pending.
        { op: 'update', entity: { type: 'pool-cidr', value: pending } },
      ],
      { poolId, poolCidrId },
      [stateChange(pool, pending, record.State)],
    );
    return { ...pending, version: pending.version + 1 };
  });
}

/** Workflow task: give a reserved CIDR back to the source pool (or scope) it came from. */
export async function completeDeprovision(deps: Dependencies, poolId: string, poolCidrId: string): Promise<void> {
  let deprovisionedIn: string | undefined;
  await retryOnConflict(async () => {
    const record = await findPoolCidr(deps, poolId, poolCidrId);
    if (record?.State !== 'pending-deprovision') return; // settled already: a retried task does nothing
    const pool = await deps.store.getPool(poolId);
    if (record.allocationsInside) {
      const failed: IpamPoolCidr = {
        ...record,
        State: 'failed-deprovision',
        allocationsInside: undefined,
        FailureReason: { Message: awsWords.cidrHasAllocations() },
      };
      // Invariant: the record is still pending, so it settles exactly once.
      await commitAnnouncing(
        deps,
        [{ op: 'update', entity: { type: 'pool-cidr', value: failed } }],
        pool ? [stateChange(pool, failed, record.State)] : [],
      );
      return;
    }
    const sourceAllocation = await deps.store.getAllocation(record.sourceSpaceId, record.sourceAllocationId ?? '');
    if (!pool || !record.Cidr || !sourceAllocation)
      throw new Error(`Pool CIDR ${poolCidrId} of pool ${poolId} lost its pool or source allocation`);
    const deprovisioned = finished(deps, record, { State: 'deprovisioned' });
    await commitAnnouncing(
      deps,
      [
        // Invariant: the record is still pending, so the space goes back exactly once.
        { op: 'update', entity: { type: 'pool-cidr', value: deprovisioned } },
        { op: 'update', entity: { type: 'pool', value: { ...pool, provisionedCidrCount: pool.provisionedCidrCount - 1 } } },
        { op: 'delete', entity: { type: 'allocation', value: sourceAllocation } },
        giveBackWrite(record.sourceSpaceId, record.Cidr, sourceAllocation.within),
      ],
      [stateChange(pool, deprovisioned, record.State)],
    );
    await mergeAfterCommit(deps, record.sourceSpaceId, record.Cidr, sourceAllocation.within);
    deprovisionedIn = pool.ipamId;
  });
  if (deprovisionedIn) await reevaluateIpamResolvers(deps, deprovisionedIn);
}

/**
 * Workflow task on the failure branch: a provision that could not finish fails without taking
 * space; a deprovision that could not finish puts the CIDR back into the pool's free space.
 */
export async function failPoolCidr(deps: Dependencies, poolId: string, poolCidrId: string, reason: string): Promise<void> {
  await retryOnConflict(async (): Promise<void> => {
    const record = await findPoolCidr(deps, poolId, poolCidrId);
    if (record?.State !== 'pending-provision' && record?.State !== 'pending-deprovision' && record?.State !== 'pending-import') return;
    const pool = await deps.store.getPool(poolId);
    if (record.State !== 'pending-deprovision')
      return failProvision(
        deps,
        pool,
        record,
        'cidr-not-available',
        `${record.State === 'pending-import' ? 'Import' : 'Provisioning'} failed: ${reason}`,
      );
    if (!record.Cidr) return;
    const failed: IpamPoolCidr = { ...record, State: 'failed-deprovision', allocationsInside: undefined };
    await commitAnnouncing(
      deps,
      [
        // Invariant: the record is still pending, so the CIDR goes back to the pool exactly once.
        { op: 'update', entity: { type: 'pool-cidr', value: failed } },
        // Space taken when the deprovision was accepted goes back (none was taken with allocations inside).
        ...(record.allocationsInside ? [] : [giveBackWrite(poolId, record.Cidr, record.Cidr)]),
      ],
      pool ? [stateChange(pool, failed, record.State)] : [],
    );
  });
}

/** Cascade: deprovision every provisioned CIDR of a pool whose allocations are gone, right away. */
export async function deprovisionAllCidrs(deps: Dependencies, poolId: string): Promise<void> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) return;
  for (const record of await deps.store.listPoolCidrs(poolId)) {
    if (DEPROVISIONABLE_STATES.has(record.State)) {
      await reserveForDeprovision(deps, pool, record.IpamPoolCidrId, (writes, _args, announcements) =>
        commitAnnouncing(deps, writes, announcements),
      );
    }
    if (DEPROVISIONABLE_STATES.has(record.State) || record.State === 'pending-deprovision') {
      await completeDeprovision(deps, poolId, record.IpamPoolCidrId);
    }
  }
}
