// Every key of the single table is built here, and only here.
//
// Access patterns:
// | item             | PK                               | SK                          | GSI1PK                   | GSI1SK  | serves                                   |
// |------------------|----------------------------------|-----------------------------|--------------------------|---------|------------------------------------------|
// | IPAM             | IPAM#<ipamId>                    | META                        | OWNER#<account>#ipam     | <id>    | get by id; DescribeIpams per owner       |
// | scope            | SCOPE#<scopeId>                  | META                        | OWNER#<account>#scope    | <id>    | get by id; DescribeIpamScopes per owner  |
// | pool             | POOL#<poolId>                    | META                        | OWNER#<account>#pool     | <id>    | get by id; DescribeIpamPools per owner   |
// | pool CIDR        | POOL#<poolId>                    | CIDR#<poolCidrId>           |                          |         | GetIpamPoolCidrs                         |
// | allocation       | POOL#<poolId>                    | ALLOC#<allocationId>        |                          |         | GetIpamPoolAllocations (paged)           |
// | free block       | FREE#<spaceId>#<family>          | bestFitKey: <host bits, 3 digits>#<start, 32 hex> | |         | best fit: one ascending query from bestFitKeyFloor(n); containing block: batch get of the ancestors |
// | IPAM region slot | IPAMSLOT#<account>#<region>      | META                        |                          |         | one IPAM per account and Region          |
// | client token     | TOKEN#<account>#<action>#<token> | META                        |                          |         | idempotent retries                       |
// | workflow execution | EXEC#<executionId>             | META                        | EXECUTIONS#open (only while open) | <startedAt>#<id> | get by id; open executions to resume at start |
//
// Free-block sort keys order by prefix length descending, then address ascending, which is
// exactly best-fit order (domain/free-space.ts): the first block at or after the floor for /n is
// the smallest that holds a /n.
import type { AddressFamily, Cidr } from '../../domain/cidr.ts';
import { enclosingCidr, parseCidr } from '../../domain/cidr.ts';
import { bestFitKey, bestFitKeyFloor } from '../../domain/free-space.ts';
import type { Entity } from '../../ports/store.ts';

export interface ItemKey {
  PK: string;
  SK: string;
}

export interface ItemKeys extends ItemKey {
  GSI1PK?: string;
  GSI1SK?: string;
}

const META = 'META';

export const ownerIndexKey = (accountId: string, type: 'ipam' | 'scope' | 'pool') => `OWNER#${accountId}#${type}`;

export const ipamKey = (ipamId: string): ItemKey => ({ PK: `IPAM#${ipamId}`, SK: META });
export const scopeKey = (scopeId: string): ItemKey => ({ PK: `SCOPE#${scopeId}`, SK: META });
export const poolKey = (poolId: string): ItemKey => ({ PK: `POOL#${poolId}`, SK: META });
export const poolCidrKey = (poolId: string, poolCidrId: string): ItemKey => ({ PK: `POOL#${poolId}`, SK: `CIDR#${poolCidrId}` });
export const allocationKey = (poolId: string, allocationId: string): ItemKey => ({
  PK: `POOL#${poolId}`,
  SK: `ALLOC#${allocationId}`,
});
export const poolChildrenPrefix = { cidrs: 'CIDR#', allocations: 'ALLOC#' } as const;
export const poolPartition = (poolId: string) => `POOL#${poolId}`;

export const freeSpacePartition = (spaceId: string, family: AddressFamily) => `FREE#${spaceId}#${family}`;
/** Sort key from which the best-fit query for a /prefixLength starts. */
export const freeBlockSortFloor = bestFitKeyFloor;
export const freeBlockKey = (spaceId: string, cidr: Cidr): ItemKey => ({
  PK: freeSpacePartition(spaceId, cidr.family),
  SK: bestFitKey(cidr),
});

/** Keys of every block that could contain `cidr`: itself and each ancestor up to /0. */
export function containingFreeBlockKeys(spaceId: string, cidr: Cidr): ItemKey[] {
  const keys: ItemKey[] = [];
  for (let prefixLength = cidr.prefixLength; prefixLength >= 0; prefixLength--) {
    keys.push(freeBlockKey(spaceId, enclosingCidr(cidr, prefixLength)));
  }
  return keys;
}

export const ipamRegionSlotKey = (accountId: string, region: string): ItemKey => ({
  PK: `IPAMSLOT#${accountId}#${region}`,
  SK: META,
});
export const clientTokenKey = (accountId: string, action: string, clientToken: string): ItemKey => ({
  PK: `TOKEN#${accountId}#${action}#${clientToken}`,
  SK: META,
});

export const executionKey = (executionId: string): ItemKey => ({ PK: `EXEC#${executionId}`, SK: META });
/** Sparse: only open executions carry GSI1 keys, so closing one (a put without them) drops it from the index. */
export const OPEN_EXECUTIONS_INDEX_KEY = 'EXECUTIONS#open';

/** The full key set (table and index) an entity is stored under. */
export function keysOf(entity: Entity): ItemKeys {
  switch (entity.type) {
    case 'ipam':
      return { ...ipamKey(entity.value.IpamId), GSI1PK: ownerIndexKey(entity.value.OwnerId, 'ipam'), GSI1SK: entity.value.IpamId };
    case 'scope':
      return {
        ...scopeKey(entity.value.IpamScopeId),
        GSI1PK: ownerIndexKey(entity.value.OwnerId, 'scope'),
        GSI1SK: entity.value.IpamScopeId,
      };
    case 'pool':
      return { ...poolKey(entity.value.IpamPoolId), GSI1PK: ownerIndexKey(entity.value.OwnerId, 'pool'), GSI1SK: entity.value.IpamPoolId };
    case 'pool-cidr':
      return poolCidrKey(entity.value.ipamPoolId, entity.value.IpamPoolCidrId);
    case 'allocation':
      return allocationKey(entity.value.ipamPoolId, entity.value.IpamPoolAllocationId);
    case 'free-block':
      return freeBlockKey(entity.value.spaceId, parseCidr(entity.value.cidr));
    case 'ipam-region-slot':
      return ipamRegionSlotKey(entity.value.accountId, entity.value.region);
    case 'client-token':
      return clientTokenKey(entity.value.accountId, entity.value.action, entity.value.clientToken);
    case 'execution':
      return entity.value.status === 'open'
        ? { ...executionKey(entity.value.executionId), GSI1PK: OPEN_EXECUTIONS_INDEX_KEY, GSI1SK: `${entity.value.startedAt}#${entity.value.executionId}` }
        : executionKey(entity.value.executionId);
  }
}
