// Finding the records a request names, as the caller may see them. A record of another account
// or outside the request's Region answers exactly like a missing one: NotFound never leaks.
import { awsWords, IpamError, messages } from '../../domain/errors.ts';
import { isForgottenPoolCidr } from '../../domain/expiry.ts';
import type { Ipam, IpamScope, ResourceState } from '../../domain/model/ipam.ts';
import type { IpamPool, IpamPoolCidr } from '../../domain/model/pool.ts';
import type { SharedAction } from '../../domain/sharing.ts';
import { requireTierAllowsAllocationTo } from '../ipam-tiers.ts';
import { sharedAccess } from '../sharing/access.ts';
import type { Dependencies, RequestContext } from './context.ts';

/** IPAM administration happens in the IPAM's home Region. */
export const ipamVisible = (context: RequestContext, ipam: Ipam) =>
  ipam.OwnerId === context.accountId && ipam.IpamRegion === context.region;

export const scopeVisible = (context: RequestContext, scope: IpamScope) =>
  scope.OwnerId === context.accountId && scope.IpamRegion === context.region;

/** Pools answer in the home Region and in their locale, where their allocations are made. */
export const poolInRegion = (context: RequestContext, pool: IpamPool) =>
  pool.IpamRegion === context.region || pool.Locale === context.region;

export const poolVisible = (context: RequestContext, pool: IpamPool) => pool.OwnerId === context.accountId && poolInRegion(context, pool);

export async function requireIpam(deps: Dependencies, context: RequestContext, ipamId: string): Promise<Ipam> {
  const ipam = await deps.store.getIpam(ipamId);
  if (!ipam || !ipamVisible(context, ipam)) throw new IpamError('InvalidIpamId.NotFound', messages.notFound('ipam', ipamId));
  return ipam;
}

export async function requireScope(deps: Dependencies, context: RequestContext, scopeId: string): Promise<IpamScope> {
  const scope = await deps.store.getScope(scopeId);
  if (!scope || !scopeVisible(context, scope)) {
    throw new IpamError('InvalidIpamScopeId.NotFound', messages.notFound('ipam-scope', scopeId));
  }
  return scope;
}

/**
 * The pool, if the caller owns it or, for `action`, a share allows it (see authorizedPool).
 * Without `action` the request is the owner's alone.
 */
export async function requirePool(deps: Dependencies, context: RequestContext, poolId: string, action?: SharedAction): Promise<IpamPool> {
  return authorizedPool(deps, context, poolId, await deps.store.getPool(poolId), action);
}

/**
 * `pool` (read as `poolId`) if the caller owns it, or a share allows the caller `action` on it
 * (design: owner, or principal of an active share whose permission allows it). A principal that
 * may only see the pool gets UnauthorizedOperation; everyone else the NotFound of a missing pool,
 * so a non-principal learns nothing. Owners pay no extra read.
 */
export async function authorizedPool(
  deps: Dependencies,
  context: RequestContext,
  poolId: string,
  pool: IpamPool | undefined,
  action?: SharedAction,
): Promise<IpamPool> {
  if (pool && poolVisible(context, pool)) return pool;
  // AWS tells the owner allocating in the wrong Region so (aws-ia/terraform-aws-vpc #65); anyone else learns nothing.
  if (pool && pool.OwnerId === context.accountId && action === 'AllocateIpamPoolCidr') {
    throw new IpamError('InvalidParameterValue', awsWords.poolNotInRegion(poolId, context.region));
  }
  if (pool && pool.OwnerId !== context.accountId && poolInRegion(context, pool)) {
    const allows = await sharedAccess(deps, context.accountId, pool.IpamPoolArn, pool.OwnerId);
    if (action && allows(action)) {
      // A shared pool allocates to its principal: an advanced-tier feature (DN-10).
      if (action === 'AllocateIpamPoolCidr' || action === 'ImportByoipCidrToIpam')
        await requireTierAllowsAllocationTo(deps, pool, context.accountId);
      return pool;
    }
    if (allows('DescribeIpamPools')) throw new IpamError('UnauthorizedOperation', messages.unauthorized());
  }
  throw new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', poolId));
}

/** Administrative changes to a pool are made in the IPAM's home Region, like every IPAM change. */
export async function requirePoolInHomeRegion(deps: Dependencies, context: RequestContext, poolId: string): Promise<IpamPool> {
  const pool = await requirePool(deps, context, poolId);
  if (pool.IpamRegion !== context.region) throw new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', poolId));
  return pool;
}

/**
 * Where a resource takes changes and does its work. A modification in progress already holds its
 * new values (only its state waits for settle-state), so it counts: AWS does not say it refuses.
 */
const SETTLED_STATES: ReadonlySet<ResourceState> = new Set(['create-complete', 'modify-in-progress', 'modify-complete']);

export const isSettled = (state: ResourceState) => SETTLED_STATES.has(state);

/** Changes need a settled resource: not one still being created, or being deleted, or failed. */
export function requireSettled(kind: string, id: string, state: ResourceState): void {
  if (!SETTLED_STATES.has(state)) {
    throw new IpamError('IncorrectState', `The ${kind} '${id}' is in state '${state}' and cannot be changed now`);
  }
}

// Pool CIDR records as every reader sees them: DynamoDB's TTL deletes a forgotten (finished, past
// retainedUntil) record late, and DynamoDB Local and memory never, so these skip it. Writes that
// replace such a record (provisioning its CIDR again) read the store's list, forgotten ones included.

/** One pool CIDR by id, or undefined if there is none or it was forgotten. */
export async function findPoolCidr(deps: Dependencies, poolId: string, poolCidrId: string): Promise<IpamPoolCidr | undefined> {
  const record = await deps.store.getPoolCidr(poolId, poolCidrId);
  return record && !isForgottenPoolCidr(record, deps.now()) ? record : undefined;
}

/** The pool's CIDR records that are not forgotten. */
export async function visiblePoolCidrs(deps: Dependencies, poolId: string): Promise<IpamPoolCidr[]> {
  const now = deps.now();
  return (await deps.store.listPoolCidrs(poolId)).filter((record) => !isForgottenPoolCidr(record, now));
}

/** A Modify request must change something: a member besides the id (an empty list changes nothing), as AWS requires. */
export function requireModification(input: object, id: string, kind: 'ipam' | 'ipam pool'): void {
  const changes = Object.entries(input).filter(
    ([name, value]) => name !== id && value !== undefined && !(Array.isArray(value) && value.length === 0),
  );
  if (changes.length === 0) throw new IpamError('InvalidParameterCombination', awsWords.noModification(kind));
}
