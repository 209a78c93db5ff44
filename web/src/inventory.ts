// What several pages read: every IPAM, scope and pool of the signed-in account and Region, and a
// pool's space (provisioned CIDRs and allocations, page by page).
import { type ApiClient, type ApiOutput, callAll } from './api/client.ts';
import { type Cidr, type Family, parseCidr, sizeOf } from './map/cidr.ts';

export interface Inventory {
  ipams: ApiOutput[];
  scopes: ApiOutput[];
  pools: ApiOutput[];
}

export async function loadInventory(client: ApiClient): Promise<Inventory> {
  const [ipams, scopes, pools] = await Promise.all([
    callAll(client, 'DescribeIpams', { MaxResults: 1000 }, 'Ipams'),
    callAll(client, 'DescribeIpamScopes', { MaxResults: 1000 }, 'IpamScopes'),
    callAll(client, 'DescribeIpamPools', { MaxResults: 1000 }, 'IpamPools'),
  ]);
  return { ipams, scopes, pools };
}

export interface PoolSpace {
  family: Family;
  provisioned: bigint;
  allocated: bigint;
  cidrs: ApiOutput[];
}

const total = (cidrs: (Cidr | undefined)[]) => cidrs.reduce((sum, cidr) => sum + (cidr ? sizeOf(cidr) : 0n), 0n);

/** A pool's CIDRs and the addresses its provisioned ones hold. */
export async function poolCidrs(client: ApiClient, pool: ApiOutput): Promise<Omit<PoolSpace, 'allocated'>> {
  const cidrs = await callAll(client, 'GetIpamPoolCidrs', { IpamPoolId: pool.IpamPoolId, MaxResults: 1000 }, 'IpamPoolCidrs');
  return {
    family: pool.AddressFamily,
    provisioned: total(cidrs.filter((cidr) => cidr.State === 'provisioned').map((cidr) => parseCidr(cidr.Cidr))),
    cidrs,
  };
}

/** The addresses a list of allocations holds. */
export const allocatedBy = (allocations: ApiOutput[]): bigint => total(allocations.map((allocation) => parseCidr(allocation.Cidr)));

/** A pool's provisioned and allocated address counts (every allocation read, 1,000 a page). */
export async function poolSpace(client: ApiClient, pool: ApiOutput): Promise<PoolSpace> {
  const [cidrs, allocations] = await Promise.all([
    poolCidrs(client, pool),
    callAll(client, 'GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId, MaxResults: 1000 }, 'IpamPoolAllocations'),
  ]);
  return { ...cidrs, allocated: allocatedBy(allocations) };
}

/** Allocated / provisioned as a percentage with one decimal (0 when nothing is provisioned). */
export function utilisation(space: { provisioned: bigint; allocated: bigint }): number {
  if (space.provisioned === 0n) return 0;
  return Number((space.allocated * 1000n) / space.provisioned) / 10;
}

export const tagValue = (resource: ApiOutput, key: string): string | undefined =>
  (resource.Tags as { Key: string; Value: string }[] | undefined)?.find((tag) => tag.Key === key)?.Value;

/** A pool's name for people: its Name tag, else its description, else its id. */
export const poolLabel = (pool: ApiOutput): string => tagValue(pool, 'Name') ?? pool.Description ?? pool.IpamPoolId;

/** A pool's scope id: pools name their scope by ARN only (`…:ipam-scope/ipam-scope-…`). */
export const scopeIdOf = (pool: ApiOutput): string =>
  String(pool.IpamScopeArn ?? '')
    .split('/')
    .pop() ?? '';

/** A scope's IPAM id: scopes name their IPAM by ARN only (`…:ipam/ipam-…`). */
export const ipamIdOf = (scope: ApiOutput): string =>
  String(scope.IpamArn ?? '')
    .split('/')
    .pop() ?? '';
