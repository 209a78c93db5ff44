// A warm view of free space, for a process that alone writes its store (`npm start` under its
// data-dir lock: Dependencies.soleServerSince). After an allocation by netmask /p placed by a
// best-fit scan, the process remembers the pool as read and the pieces the carve left free. The
// block taken was the smallest free block fitting /p, so its pieces, strictly smaller, are better
// for the next /p than any other block of the store: the next /p of that pool needs no read at
// all. Valid for the same /p only (another netmask may have a better block elsewhere), and only
// while no other commit touched the pool or its free space — which this process sees, since it
// alone writes: soleServerStore forgets on every such commit. The same watch keeps each pool as
// last read until a commit writes the pool itself (knownPool): an allocation checks its rules on
// it, and its commit checks the pool's version, instead of reading it. It also keeps the
// allocations this process created until a commit writes them again (knownAllocation), so the
// owner's release reads nothing either, and it runs a release's merges after the answer
// (deferMerge): until they have committed, every free-space read of that space waits for them,
// so no caller sees the released block apart from its free buddies. Lambda never wraps its store,
// so nothing here applies there.
import { setImmediate as afterIo } from 'node:timers/promises';
import { parseCidr } from '../domain/cidr.ts';
import { placeInBlock } from '../domain/free-space.ts';
import type { FreeBlock, IpamPool, IpamPoolAllocation } from '../domain/model/pool.ts';
import type { Log } from '../ports/log.ts';
import type { Store, Write } from '../ports/store.ts';
import type { Placement } from './free-space.ts';

interface WarmPool {
  /** The pool as read, at its version: the warm commit checks it is unchanged. */
  pool: IpamPool;
  netmask: number;
  /** The free pieces of the carves since the best-fit scan, in best-fit order. */
  pieces: FreeBlock[];
  generation: number;
}

interface Watch {
  /** Per pool or space: bumped when a commit touching it starts and when it ends. One number per id written by this process. */
  generations: Map<string, number>;
  /** Commits in flight per pool or space. */
  inflight: Map<string, number>;
  warm: Map<string, WarmPool>;
  /** The same for pool records alone (a commit writing the pool itself, not its free space). */
  poolGenerations: Map<string, number>;
  poolsInflight: Map<string, number>;
  /** Each pool as last read, while no commit wrote it since (knownPool). */
  pools: Map<string, { pool: IpamPool; generation: number }>;
  /** Allocations this process created, by allocationKey, while no commit wrote them since (knownAllocation). */
  allocations: Map<string, IpamPoolAllocation>;
  /** Per space: its deferred merges, chained in order (deferMerge); they never reject. */
  merges: Map<string, Promise<void>>;
  /** The store as watched, without waiting for deferred merges: what the merges themselves use. */
  direct: Store;
}

/** Pools remembered at most (knownPool); the oldest go first. */
const POOLS_KEPT = 10_000;
/** Allocations remembered at most (knownAllocation); the oldest go first. About 0.5 KB each. */
const ALLOCATIONS_KEPT = 20_000;

/** Free-space reads of one space (its id first) that wait for the space's deferred merges. */
const SPACE_READS = new Set<PropertyKey>(['freeBlockContaining', 'getFreeBlock', 'getFreeBlocks', 'listFreeBlocks', 'freeSpaceEpoch']);
/** The same for scans (async iterables). */
const SPACE_SCANS = new Set<PropertyKey>(['freeBlocksForPrefix', 'freeBlocksLargestFirst']);

const allocationKey = (poolId: string, allocationId: string) => `${poolId} ${allocationId}`;

const watches = new WeakMap<object, Watch>();

/**
 * `store`, watched: every commit forgets the warm view of each space whose free blocks it writes
 * and of each pool it writes. Only for a store this process alone writes.
 */
export function soleServerStore(store: Store): Store {
  const watch = {
    generations: new Map(),
    inflight: new Map(),
    warm: new Map(),
    poolGenerations: new Map(),
    poolsInflight: new Map(),
    pools: new Map(),
    allocations: new Map(),
    merges: new Map(),
  } as Omit<Watch, 'direct'> as Watch;
  const count = (counts: Map<string, number>, id: string, change: number) => {
    const value = (counts.get(id) ?? 0) + change;
    if (value === 0) counts.delete(id);
    else counts.set(id, value);
  };
  const bump = (id: string, inflight: number) => {
    watch.generations.set(id, (watch.generations.get(id) ?? 0) + 1);
    count(watch.inflight, id, inflight);
    watch.warm.delete(id);
  };
  const bumpPool = (id: string, inflight: number) => {
    watch.poolGenerations.set(id, (watch.poolGenerations.get(id) ?? 0) + 1);
    count(watch.poolsInflight, id, inflight);
    watch.pools.delete(id);
  };
  const commit = async (writes: Write[]) => {
    const touched = touchedIds(writes);
    const pools = writtenPools(writes);
    for (const id of touched) bump(id, 1);
    for (const id of pools) bumpPool(id, 1);
    for (const allocation of writtenAllocations(writes))
      watch.allocations.delete(allocationKey(allocation.ipamPoolId, allocation.IpamPoolAllocationId));
    try {
      await store.commit(writes);
    } finally {
      for (const id of touched) bump(id, -1);
      for (const id of pools) bumpPool(id, -1);
    }
    // A created allocation is stored exactly as written (allocations carry no version). Should a
    // commit racing this one have deleted it already, the remembered copy's delete fails on its
    // condition (the allocation is there to take) and the release reads: stale is safe.
    for (const { op, entity } of writes) {
      if (op !== 'create' || entity.type !== 'allocation') continue;
      if (watch.allocations.size >= ALLOCATIONS_KEPT) watch.allocations.delete(watch.allocations.keys().next().value!);
      watch.allocations.set(allocationKey(entity.value.ipamPoolId, entity.value.IpamPoolAllocationId), entity.value);
    }
  };
  const wrap = (waitForMerges: boolean) =>
    new Proxy(store, {
      get(target, property) {
        if (property === 'commit') return commit;
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (waitForMerges && SPACE_READS.has(property)) {
          return async (spaceId: string, ...rest: unknown[]) => {
            await watch.merges.get(spaceId);
            return value.call(target, spaceId, ...rest);
          };
        }
        if (waitForMerges && SPACE_SCANS.has(property)) {
          return async function* (spaceId: string, ...rest: unknown[]) {
            await watch.merges.get(spaceId);
            yield* value.call(target, spaceId, ...rest);
          };
        }
        return value.bind(target);
      },
    });
  watch.direct = wrap(false);
  const watched = wrap(true);
  watches.set(watched, watch);
  return watched;
}

function touchedIds(writes: readonly Write[]): Set<string> {
  const ids = new Set<string>();
  for (const { entity } of writes) {
    if (entity.type === 'free-block') ids.add(entity.value.spaceId);
    else if (entity.type === 'pool') ids.add(entity.value.IpamPoolId);
  }
  return ids;
}

/** The allocations a commit writes. */
function writtenAllocations(writes: readonly Write[]): IpamPoolAllocation[] {
  return writes.flatMap(({ op, entity }) => (entity.type === 'allocation' && op !== 'check' && op !== 'absent' ? [entity.value] : []));
}

/** The pools a commit writes (a `check` writes nothing). */
function writtenPools(writes: readonly Write[]): string[] {
  return writes.flatMap(({ op, entity }) => (entity.type === 'pool' && op !== 'check' ? [entity.value.IpamPoolId] : []));
}

/** Where a pool's record stands now, for rememberPool; undefined for an unwatched store. */
export function poolMark(store: object, poolId: string): number | undefined {
  const watch = watches.get(store);
  return watch && (watch.poolGenerations.get(poolId) ?? 0);
}

/** Remembers `pool` as read, if no commit wrote it since `mark` (taken before the read) and none is in flight. */
export function rememberPool(store: object, pool: IpamPool, mark: number | undefined): void {
  const watch = watches.get(store);
  const poolId = pool.IpamPoolId;
  if (!watch || mark === undefined || watch.poolsInflight.has(poolId) || (watch.poolGenerations.get(poolId) ?? 0) !== mark) return;
  watch.pools.delete(poolId);
  if (watch.pools.size >= POOLS_KEPT) watch.pools.delete(watch.pools.keys().next().value!);
  watch.pools.set(poolId, { pool, generation: mark });
}

/**
 * The pool as this process last read it, if no commit has written it since (this process alone
 * writes the store, so it sees every such commit) and none is in flight; undefined otherwise.
 */
export function knownPool(store: object, poolId: string): IpamPool | undefined {
  const watch = watches.get(store);
  const known = watch?.pools.get(poolId);
  if (!watch || !known || watch.poolsInflight.has(poolId) || (watch.poolGenerations.get(poolId) ?? 0) !== known.generation)
    return undefined;
  return known.pool;
}

/** Where a pool stands now (a pool's free space is its own space), for rememberCarve; undefined for an unwatched store. */
export function warmMark(store: object, poolId: string): number | undefined {
  const watch = watches.get(store);
  return watch && (watch.generations.get(poolId) ?? 0);
}

/** The warm view of a pool, if still exact: no commit touched the pool since, and none is in flight. */
export function warmPool(store: object, poolId: string): WarmPool | undefined {
  const watch = watches.get(store);
  const warm = watch?.warm.get(poolId);
  if (!watch || !warm || watch.inflight.has(poolId) || watch.generations.get(poolId) !== warm.generation) return undefined;
  return warm;
}

/** The best fit for /netmask in the warm view of the pool, and the pieces left besides it; undefined when none fits. */
export function warmPlacement(store: object, poolId: string, netmask: number): { placement: Placement; rest: FreeBlock[] } | undefined {
  const warm = warmPool(store, poolId);
  if (!warm || warm.netmask !== netmask) return undefined;
  for (const [index, block] of warm.pieces.entries()) {
    const target = placeInBlock(parseCidr(block.cidr), netmask, [], []);
    if (target) return { placement: { block, target }, rest: warm.pieces.filter((_, i) => i !== index) };
  }
  return undefined;
}

export function forgetWarm(store: object, poolId: string): void {
  watches.get(store)?.warm.delete(poolId);
}

/**
 * After a commit that carved a best-fit block of `pool` for /netmask with `takes`: remembers the
 * pieces left (`rest` besides the new ones), if no commit but this one touched the pool since
 * `mark` (taken before the pool and the free space were read) and none is in flight.
 */
export function rememberCarve(
  store: object,
  pool: IpamPool,
  netmask: number,
  mark: number | undefined,
  rest: readonly FreeBlock[],
  takes: readonly Write[],
): void {
  const watch = watches.get(store);
  const poolId = pool.IpamPoolId;
  // This commit's own start and end are the only changes allowed since the mark.
  if (!watch || mark === undefined || watch.inflight.has(poolId) || watch.generations.get(poolId) !== mark + 2) return;
  const created = takes.flatMap((write) =>
    write.op === 'create' && write.entity.type === 'free-block' && write.entity.value.spaceId === poolId ? [write.entity.value] : [],
  );
  watch.warm.set(poolId, { pool, netmask, pieces: bestFitOrder([...rest, ...created]), generation: mark + 2 });
}

/** Smallest block first, lowest address among equals (domain/free-space.ts's best fit). */
function bestFitOrder(blocks: FreeBlock[]): FreeBlock[] {
  const keyed = blocks.map((block) => ({ block, cidr: parseCidr(block.cidr) }));
  keyed.sort((a, b) =>
    a.cidr.prefixLength !== b.cidr.prefixLength ? b.cidr.prefixLength - a.cidr.prefixLength : a.cidr.start < b.cidr.start ? -1 : 1,
  );
  return keyed.map(({ block }) => block);
}

/**
 * The allocation as this process created it, while no commit has written it since; undefined
 * otherwise, or for an unwatched store (a Lambda's).
 */
export function knownAllocation(store: object, poolId: string, allocationId: string): IpamPoolAllocation | undefined {
  return watches.get(store)?.allocations.get(allocationKey(poolId, allocationId));
}

/** Whether releases in this store merge after their answer (deferMerge): a store this process alone writes. */
export function mergesDeferred(store: object): boolean {
  return watches.has(store);
}

/**
 * Runs `merge` after the answer that gave space back to `spaceId`, after the space's earlier
 * deferred merges; until it has committed, reads of that space's free blocks wait for it, so
 * every placement sees the space merged, as if the release had merged in its own commit. `merge`
 * is handed the store without that wait; a failure is logged (a merge not done leaves free space
 * split, which the exact search and the heals merge later) and the reads go on. Returns false for
 * a store this process does not alone write: there the caller merges before answering.
 */
export function deferMerge(store: object, spaceId: string, log: Log, merge: (direct: Store) => Promise<void>): boolean {
  const watch = watches.get(store);
  if (!watch) return false;
  // After the I/O callbacks of this turn: the answer of the release goes out first.
  const next = (watch.merges.get(spaceId) ?? afterIo())
    .then(() => merge(watch.direct))
    .catch((error: unknown) => log.error('free space left split: a merge after a release failed', { spaceId, error }));
  watch.merges.set(spaceId, next);
  void next.finally(() => {
    if (watch.merges.get(spaceId) === next) watch.merges.delete(spaceId);
  });
  return true;
}

/** Resolves once every merge deferred so far (and any they chain) has run: for a stopping service, the bench and tests. */
export async function settleFreeSpace(store: object): Promise<void> {
  const watch = watches.get(store);
  while (watch && watch.merges.size > 0) await Promise.all(watch.merges.values());
}
