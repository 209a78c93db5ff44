// Finding the records a request names, as the caller may see them. A record of another account
// or outside the request's Region answers exactly like a missing one: NotFound never leaks.
import { IpamError, messages } from '../../domain/errors.ts';
import { isForgottenPoolCidr } from '../../domain/expiry.ts';
import type { Ipam, IpamScope, ResourceState } from '../../domain/model/ipam.ts';
import type { IpamPool, IpamPoolCidr } from '../../domain/model/pool.ts';
import type { Dependencies, RequestContext } from './context.ts';

/** IPAM administration happens in the IPAM's home Region. */
export const ipamVisible = (context: RequestContext, ipam: Ipam) =>
  ipam.OwnerId === context.accountId && ipam.IpamRegion === context.region;

export const scopeVisible = (context: RequestContext, scope: IpamScope) =>
  scope.OwnerId === context.accountId && scope.IpamRegion === context.region;

/** Pools answer in the home Region and in their locale, where their allocations are made. */
export const poolVisible = (context: RequestContext, pool: IpamPool) =>
  pool.OwnerId === context.accountId && (pool.IpamRegion === context.region || pool.Locale === context.region);

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

export async function requirePool(deps: Dependencies, context: RequestContext, poolId: string): Promise<IpamPool> {
  return visiblePool(context, poolId, await deps.store.getPool(poolId));
}

/** `pool` (read as `poolId`) if the caller may see it; NotFound otherwise. */
export function visiblePool(context: RequestContext, poolId: string, pool: IpamPool | undefined): IpamPool {
  if (!pool || !poolVisible(context, pool)) throw new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', poolId));
  return pool;
}

/** Administrative changes to a pool are made in the IPAM's home Region, like every IPAM change. */
export async function requirePoolInHomeRegion(deps: Dependencies, context: RequestContext, poolId: string): Promise<IpamPool> {
  const pool = await requirePool(deps, context, poolId);
  if (pool.IpamRegion !== context.region) throw new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', poolId));
  return pool;
}

const SETTLED_STATES: ReadonlySet<ResourceState> = new Set(['create-complete', 'modify-complete']);

export const isSettled = (state: ResourceState) => SETTLED_STATES.has(state);

/** Changes need a settled resource: not one still being created, changed or deleted. */
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
