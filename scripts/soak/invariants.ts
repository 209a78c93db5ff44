// The soak's invariant checker, read through the Store port (so it runs on DynamoDB Local under
// `npm run soak` and on the in-memory store in its own test). For every space — each scope (the
// whole address space of both families) and each pool (its provisioned CIDRs) — the free blocks
// and the allocations tile the space exactly: no gap, no overlap, nothing outside, each piece
// naming the CIDR it lies in. Each child pool's CIDR is an `ipam-pool` allocation of its source
// and each such allocation a CIDR of that child. Every acknowledged allocation still exists. Once
// workflows have settled, nothing is open or in progress, and pools that are gone left nothing.
import {
  type AddressFamily,
  type Cidr,
  compareCidrs,
  containsCidr,
  formatAddress,
  lastAddress,
  parseCidr,
} from '../../lambdas/domain/cidr.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../lambdas/domain/model/pool.ts';
import { wholeAddressSpace } from '../../lambdas/use-cases/free-space.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import { allAllocations } from '../store-reads.ts';

export type ViolationKind =
  | 'gap'
  | 'overlap'
  | 'outside'
  | 'wrong-within'
  | 'child-pool-mismatch'
  | 'lost-allocation'
  | 'unsettled'
  | 'open-execution'
  | 'leftover';

export interface Violation {
  kind: ViolationKind;
  /** The space (pool or scope id), or what was acknowledged. */
  where: string;
  detail: string;
}

/** An allocation a client got a 200 answer for and has not had a 200 answer releasing. */
export interface AcknowledgedAllocation {
  poolId: string;
  cidr: string;
  /** A custom allocation: its IpamPoolAllocationId. */
  allocationId?: string;
  /** A VPC's or an Elastic IP's allocation: the resource's id. */
  resourceId?: string;
}

export interface InvariantInput {
  store: Store;
  /** The accounts whose scopes and pools are checked. */
  accounts: readonly string[];
  acknowledged: readonly AcknowledgedAllocation[];
  /** Pools that were ever created: those no longer in the store must have left no free blocks or allocations. */
  everCreatedPools?: readonly { poolId: string; family: AddressFamily }[];
}

export interface InvariantReport {
  violations: Violation[];
  spaces: number;
  freeBlocks: number;
  allocations: number;
}

interface Piece {
  cidr: Cidr;
  text: string;
  /** What it is, for messages: `free` or the allocation's id. */
  what: string;
  within: string;
}

/** Pool CIDR states in which the space is the pool's: its free blocks and allocations tile it. */
const HELD_STATES: ReadonlySet<IpamPoolCidr['State']> = new Set(['provisioned', 'failed-deprovision']);
const range = (family: AddressFamily, from: bigint, to: bigint) => `${formatAddress(family, from)}–${formatAddress(family, to)}`;

/**
 * The pieces must cover each of `held` exactly once, and lie in none other. Pieces and held
 * CIDRs are aligned, so a piece is either inside a held CIDR or disjoint from it.
 */
export function tilingViolations(where: string, held: readonly Cidr[], pieces: readonly Piece[]): Violation[] {
  const violations: Violation[] = [];
  const sorted = [...pieces].sort((a, b) => compareCidrs(a.cidr, b.cidr));
  const claimed = new Set<Piece>();
  for (const outer of [...held].sort(compareCidrs)) {
    const inside = sorted.filter((piece) => piece.cidr.family === outer.family && containsCidr(outer, piece.cidr));
    let cursor = outer.start;
    let previous: Piece | undefined;
    for (const piece of inside) {
      claimed.add(piece);
      const outerText = `${formatAddress(outer.family, outer.start)}/${outer.prefixLength}`;
      if (piece.within !== outerText)
        violations.push({ kind: 'wrong-within', where, detail: `${piece.what} ${piece.text} names ${piece.within}, lies in ${outerText}` });
      if (piece.cidr.start > cursor)
        violations.push({
          kind: 'gap',
          where,
          detail: `${range(outer.family, cursor, piece.cidr.start - 1n)} is neither free nor allocated`,
        });
      else if (piece.cidr.start < cursor && previous)
        violations.push({ kind: 'overlap', where, detail: `${piece.what} ${piece.text} overlaps ${previous.what} ${previous.text}` });
      const end = lastAddress(piece.cidr) + 1n;
      if (end > cursor) {
        cursor = end;
        previous = piece;
      }
    }
    if (cursor <= lastAddress(outer))
      violations.push({ kind: 'gap', where, detail: `${range(outer.family, cursor, lastAddress(outer))} is neither free nor allocated` });
  }
  for (const piece of sorted) {
    if (!claimed.has(piece))
      violations.push({ kind: 'outside', where, detail: `${piece.what} ${piece.text} lies outside the space's CIDRs` });
  }
  return violations;
}

async function piecesOf(store: Store, spaceId: string, families: readonly AddressFamily[]) {
  const free = (await Promise.all(families.map((family) => store.listFreeBlocks(spaceId, family)))).flat();
  const allocations = await allAllocations(store, spaceId);
  const pieces: Piece[] = [
    ...free.map((block) => ({ cidr: parseCidr(block.cidr), text: block.cidr, what: 'free block', within: block.within })),
    ...allocations.map((allocation) => ({
      cidr: parseCidr(allocation.Cidr),
      text: allocation.Cidr,
      what: `allocation ${allocation.IpamPoolAllocationId} (${allocation.ResourceType})`,
      within: allocation.within,
    })),
  ];
  return { pieces, allocations, freeCount: free.length };
}

/** Each `ipam-pool` allocation of a space is a held CIDR of the child it names, and the other way round. */
function childPoolViolations(
  spaceId: string,
  allocations: readonly IpamPoolAllocation[],
  childRecords: ReadonlyMap<string, IpamPoolCidr[]>,
): Violation[] {
  const violations: Violation[] = [];
  for (const allocation of allocations.filter((a) => a.ResourceType === 'ipam-pool')) {
    const record = childRecords.get(allocation.ResourceId ?? '')?.find((r) => r.sourceAllocationId === allocation.IpamPoolAllocationId);
    if (!record || record.Cidr !== allocation.Cidr || !(HELD_STATES.has(record.State) || record.State === 'pending-deprovision'))
      violations.push({
        kind: 'child-pool-mismatch',
        where: spaceId,
        detail: `allocation ${allocation.IpamPoolAllocationId} ${allocation.Cidr} for pool ${allocation.ResourceId} has no matching pool CIDR (found ${record ? `${record.Cidr} ${record.State}` : 'none'})`,
      });
  }
  for (const [childId, records] of childRecords) {
    for (const record of records.filter((r) => HELD_STATES.has(r.State) && r.sourceSpaceId === spaceId)) {
      if (!allocations.some((a) => a.IpamPoolAllocationId === record.sourceAllocationId && a.Cidr === record.Cidr))
        violations.push({
          kind: 'child-pool-mismatch',
          where: spaceId,
          detail: `pool ${childId}'s CIDR ${record.Cidr} (${record.State}) has no allocation ${record.sourceAllocationId} here`,
        });
    }
  }
  return violations;
}

function lostAllocations(acknowledged: readonly AcknowledgedAllocation[], bySpace: ReadonlyMap<string, IpamPoolAllocation[]>): Violation[] {
  const violations: Violation[] = [];
  for (const ack of acknowledged) {
    const found = (bySpace.get(ack.poolId) ?? []).some(
      (allocation) =>
        allocation.Cidr === ack.cidr &&
        (ack.allocationId === undefined || allocation.IpamPoolAllocationId === ack.allocationId) &&
        (ack.resourceId === undefined || allocation.ResourceId === ack.resourceId),
    );
    if (!found)
      violations.push({
        kind: 'lost-allocation',
        where: ack.poolId,
        detail: `acknowledged ${ack.cidr} (${ack.allocationId ?? ack.resourceId}) is not among the pool's allocations`,
      });
  }
  return violations;
}

export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const { store } = input;
  const violations: Violation[] = [];
  const pools: IpamPool[] = [];
  const scopes: string[] = [];
  for (const account of input.accounts) {
    pools.push(...(await store.listPools(account)));
    scopes.push(...(await store.listScopes(account)).map((scope) => scope.IpamScopeId));
  }
  const records = new Map<string, IpamPoolCidr[]>();
  for (const pool of pools) records.set(pool.IpamPoolId, await store.listPoolCidrs(pool.IpamPoolId));
  const allocationsBySpace = new Map<string, IpamPoolAllocation[]>();
  let freeBlocks = 0;
  const both: AddressFamily[] = ['ipv4', 'ipv6'];
  const check = async (spaceId: string, held: Cidr[], families: readonly AddressFamily[]) => {
    const { pieces, allocations, freeCount } = await piecesOf(store, spaceId, families);
    freeBlocks += freeCount;
    allocationsBySpace.set(spaceId, allocations);
    violations.push(...tilingViolations(spaceId, held, pieces));
    const children = new Map(
      pools
        .filter((pool) => pool.SourceIpamPoolId === spaceId || pool.ipamScopeId === spaceId)
        .map((pool) => [pool.IpamPoolId, records.get(pool.IpamPoolId) ?? []]),
    );
    violations.push(...childPoolViolations(spaceId, allocations, children));
  };
  for (const scopeId of scopes) await check(scopeId, both.map(wholeAddressSpace), both);
  for (const pool of pools) {
    if (pool.State.endsWith('-in-progress'))
      violations.push({ kind: 'unsettled', where: pool.IpamPoolId, detail: `pool is ${pool.State}` });
    const poolRecords = records.get(pool.IpamPoolId) ?? [];
    for (const record of poolRecords.filter((r) => r.State.startsWith('pending-')))
      violations.push({
        kind: 'unsettled',
        where: pool.IpamPoolId,
        detail: `CIDR ${record.Cidr ?? record.IpamPoolCidrId} is ${record.State}`,
      });
    const held = poolRecords.filter(
      (r) => r.Cidr && (HELD_STATES.has(r.State) || (r.State === 'pending-deprovision' && r.allocationsInside)),
    );
    await check(
      pool.IpamPoolId,
      held.map((r) => parseCidr(r.Cidr!)),
      [pool.AddressFamily],
    );
  }
  violations.push(...lostAllocations(input.acknowledged, allocationsBySpace));
  const present = new Set(pools.map((pool) => pool.IpamPoolId));
  for (const gone of (input.everCreatedPools ?? []).filter((pool) => !present.has(pool.poolId))) {
    const free = await store.listFreeBlocks(gone.poolId, gone.family);
    const allocations = await allAllocations(store, gone.poolId);
    if (free.length + allocations.length > 0)
      violations.push({
        kind: 'leftover',
        where: gone.poolId,
        detail: `deleted pool left ${free.length} free block(s) and ${allocations.length} allocation(s): ${[...free.map((b) => b.cidr), ...allocations.map((a) => a.Cidr)].slice(0, 5).join(', ')}`,
      });
  }
  for (const execution of await store.listOpenExecutions())
    violations.push({
      kind: 'open-execution',
      where: execution.executionId,
      detail: `${execution.workflow} open since ${execution.startedAt}`,
    });
  const allocations = [...allocationsBySpace.values()].reduce((sum, list) => sum + list.length, 0);
  return { violations, spaces: allocationsBySpace.size, freeBlocks, allocations };
}
