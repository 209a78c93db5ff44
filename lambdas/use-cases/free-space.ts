// The allocator on the Store: finding, taking and giving back free blocks of a space (a pool, or
// a scope for top-level pools). The planning is pure (domain/free-space.ts); this file adds the
// reads and writes, and the retry of lost races.
import { setTimeout as sleep } from 'node:timers/promises';
import { type AddressFamily, type Cidr, cidrFromStart, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import { carve, mergeBuddies, nextMergeStep, partialCarve, placeInBlock, planMerge } from '../domain/free-space.ts';
import type { FreeBlock } from '../domain/model/pool.ts';
import type { Log } from '../ports/log.ts';
import { type Committer, type FreeSpaceStore, StoreConflict, StoreUnavailable, type Write } from '../ports/store.ts';

/** Buddies one transaction may create, leaving room for the other items of the use case. */
const MAX_BUDDIES_PER_COMMIT = 80;
/** Merge levels a release reads ahead, so that its usual merges commit with it (a deeper one goes on after). */
const MERGE_LOOKAHEAD = 4;
/** Lost races are retried this often; far more than 32 concurrent allocators on one pool ever need. */
const MAX_ATTEMPTS = 200;

export interface Placement {
  block: FreeBlock;
  target: Cidr;
}

interface PlacementRequest {
  prefixLength: number;
  allowed?: readonly Cidr[];
  disallowed?: readonly Cidr[];
  /**
   * Under contention every allocator wants the same best-fit block; after a lost race, taking one
   * of the next few candidates spreads them out. 0 = the best fit.
   */
  spread?: number;
}

/** The most candidates a placement spreads over. */
const MAX_SPREAD = 16;

/**
 * Lost races per space, as seen by this process. A pool whose allocations keep losing races
 * starts the next ones already spread over more candidate blocks, instead of all callers first
 * colliding on the single best fit; the memory fades by one with every first-try success.
 */
class Contention {
  private readonly level = new Map<string, number>();

  /** The `spread` for this attempt at placing in `spaceId`. */
  spread(spaceId: string, attempt: number): number {
    return Math.min(MAX_SPREAD, attempt + (this.level.get(spaceId) ?? 0));
  }

  /** Records that a placement in `spaceId` committed after `attempt` lost races. */
  settled(spaceId: string, attempt: number): void {
    const next = Math.min(MAX_SPREAD, Math.max(0, (this.level.get(spaceId) ?? 0) + (attempt > 0 ? attempt : -1)));
    if (next === 0) this.level.delete(spaceId);
    else this.level.set(spaceId, next);
  }
}

export const contention = new Contention();

/** Scans that may disagree before "nothing fits" is answered anyway. */
const MAX_EMPTY_SCANS = 10;

/**
 * Best fit for a /n: the smallest free block that can hold it, lowest address among equals.
 * A query is not a snapshot: while it reads, a concurrent allocation can delete a block it has
 * not reached yet and put the split-off pieces where it has already been, so one scan can miss
 * space that was free all along. "Nothing fits" is answered only when two scans in a row saw the
 * same blocks.
 */
export async function findPlacement(
  store: FreeSpaceStore,
  spaceId: string,
  family: AddressFamily,
  request: PlacementRequest,
): Promise<Placement | undefined> {
  let previousScan: string | undefined;
  for (let scan = 0; scan < MAX_EMPTY_SCANS; scan++) {
    const { placement, seen } = await scanForPlacement(store, spaceId, family, request);
    if (placement) return placement;
    if (seen === previousScan) return undefined;
    previousScan = seen;
  }
  return undefined;
}

async function scanForPlacement(
  store: FreeSpaceStore,
  spaceId: string,
  family: AddressFamily,
  request: PlacementRequest,
): Promise<{ placement?: Placement; seen: string }> {
  const candidates: Placement[] = [];
  const seen: string[] = [];
  const wanted = 1 + Math.floor(Math.random() * ((request.spread ?? 0) + 1));
  for await (const block of store.freeBlocksForPrefix(spaceId, family, request.prefixLength)) {
    seen.push(block.cidr);
    const target = placeInBlock(parseCidr(block.cidr), request.prefixLength, request.allowed ?? [], request.disallowed ?? []);
    if (!target) continue;
    candidates.push({ block, target });
    if (candidates.length >= wanted) break;
  }
  return { placement: candidates[candidates.length - 1], seen: seen.join(' ') };
}

/** Misses in a row before "this CIDR is not free" is answered. */
const AGREEING_MISSES = 3;

/**
 * The free block holding exactly this CIDR, if it is entirely free. The ancestors are read one by
 * one, not as a snapshot: a concurrent split or merge can move the block that holds `cidr` from a
 * key not read yet to one already read, so a single miss is not trusted.
 */
export async function findSpecificPlacement(store: FreeSpaceStore, spaceId: string, cidr: Cidr): Promise<Placement | undefined> {
  for (let read = 1; ; read++) {
    const block = await store.freeBlockContaining(spaceId, cidr);
    if (block) return { block, target: cidr };
    if (read >= AGREEING_MISSES) return undefined;
    await sleep(Math.random() * 5);
  }
}

/**
 * Writes that take `target` out of its block. When the carve would leave more buddies than one
 * transaction holds (an IPv6 /128 out of a /0), the block is first split in separate commits —
 * each split keeps the free space exactly the same, so a crash in between loses nothing.
 */
export async function takeWrites(store: Committer, placement: Placement): Promise<Write[]> {
  let block = placement.block;
  let blockCidr = parseCidr(block.cidr);
  while (placement.target.prefixLength - blockCidr.prefixLength > MAX_BUDDIES_PER_COMMIT) {
    const split = partialCarve(blockCidr, placement.target, MAX_BUDDIES_PER_COMMIT);
    const remainder: FreeBlock = { spaceId: block.spaceId, cidr: formatCidr(split.remainder), within: block.within };
    await store.commit([
      { op: 'delete', entity: { type: 'free-block', value: block } },
      ...split.freed.map((cidr) => createFree(block.spaceId, cidr, block.within)),
      { op: 'create', entity: { type: 'free-block', value: remainder } },
    ]);
    block = remainder;
    blockCidr = split.remainder;
  }
  return [
    // Invariant: the block is still free, so nothing else holds any part of it.
    { op: 'delete', entity: { type: 'free-block', value: block } },
    ...carve(blockCidr, placement.target).map((cidr) => createFree(block.spaceId, cidr, block.within)),
  ];
}

function createFree(spaceId: string, cidr: Cidr, within: string): Write {
  return { op: 'create', entity: { type: 'free-block', value: { spaceId, cidr: formatCidr(cidr), within } } };
}

/** The write that returns released space; follow the commit with `mergeFreeBlock`. */
export function giveBackWrite(spaceId: string, cidr: string, within: string): Write {
  // Invariant (create): no free block already covers this exact CIDR.
  return { op: 'create', entity: { type: 'free-block', value: { spaceId, cidr, within } } };
}

/** The buddies giving `cidr` back may merge with in its own commit: read them with the release's other reads. */
export function mergeCandidates(cidr: string): Cidr[] {
  return mergeBuddies(parseCidr(cidr), MERGE_LOOKAHEAD);
}

/** Those of mergeCandidates(cidr) that are free blocks. */
export function readMergeBuddies(store: FreeSpaceStore, spaceId: string, cidr: string): Promise<FreeBlock[]> {
  return store.getFreeBlocks(spaceId, mergeCandidates(cidr));
}

/**
 * The writes that give `cidr` back already merged with the free buddies read (readMergeBuddies),
 * so the usual release is one commit. `merged` is the free block they leave; when `mergeOn` is
 * set, call mergeFreeBlock on it after the commit, because buddies above it were not read.
 */
export function giveBackWrites(
  spaceId: string,
  cidr: string,
  within: string,
  freeBuddies: readonly FreeBlock[],
): { writes: Write[]; merged: string; mergeOn: boolean } {
  const read = new Set(mergeCandidates(cidr).map(formatCidr));
  const free = new Set(freeBuddies.map((block) => block.cidr));
  const plan = planMerge(parseCidr(cidr), parseCidr(within), (buddy) => {
    const text = formatCidr(buddy);
    return read.has(text) ? free.has(text) : undefined;
  });
  const writes: Write[] = [
    // Invariant (delete): each buddy is still free, so merging it takes nobody's space.
    ...plan.absorbed.map(
      (buddy): Write => ({ op: 'delete', entity: { type: 'free-block', value: { spaceId, cidr: formatCidr(buddy), within } } }),
    ),
    // Invariant (create): no free block already covers the space given back.
    createFree(spaceId, plan.merged, within),
  ];
  if (plan.blockedBy) {
    // Invariant: the buddy that stopped the merge has not become free since it was read. A
    // concurrent release of it commits either first (this fails, re-reads and merges) or after
    // (its own check fails), so two free buddies never stay apart.
    writes.push({ op: 'absent', entity: { type: 'free-block', value: { spaceId, cidr: formatCidr(plan.blockedBy), within } } });
  }
  return { writes, merged: formatCidr(plan.merged), mergeOn: plan.unread };
}

/**
 * Restores buddy-system canonical form after a release: merge the block with its buddy while the
 * buddy is free and the parent stays inside the same provisioned CIDR. Two releasers racing on
 * buddies both see each other (each checks after its own write), and the loser of the merge
 * finds its block gone and stops: the winner carries on upwards.
 */
export async function mergeFreeBlock(store: FreeSpaceStore & Committer, spaceId: string, cidr: string, within: string): Promise<void> {
  let block = parseCidr(cidr);
  const boundary = parseCidr(within);
  for (;;) {
    const step = nextMergeStep(block, boundary);
    if (!step) return;
    const buddy = await store.getFreeBlock(spaceId, step.buddy);
    if (!buddy) return;
    try {
      await store.commit([
        { op: 'delete', entity: { type: 'free-block', value: { spaceId, cidr: formatCidr(block), within } } },
        { op: 'delete', entity: { type: 'free-block', value: buddy } },
        createFree(spaceId, step.parent, within),
      ]);
    } catch (error) {
      if (!(error instanceof StoreConflict)) throw error;
      // Someone merged or took our block or its buddy: if ours is still there, look again.
      if (await store.getFreeBlock(spaceId, block)) continue;
      return;
    }
    block = step.parent;
  }
}

/**
 * mergeFreeBlock once a commit has given the block back: that change is done, so a store that is
 * unavailable now must not fail it (a caller's retry would find it made and answer NotFound). The
 * space is free either way, only split; healFreeSpace puts it back together before a deprovision
 * (and healScopeSpace before a scope's deletion).
 */
export async function mergeAfterCommit(
  deps: { store: FreeSpaceStore & Committer; log: Log },
  spaceId: string,
  cidr: string,
  within: string,
): Promise<void> {
  try {
    await mergeFreeBlock(deps.store, spaceId, cidr, within);
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    deps.log.warn('free space left split: the store was unavailable while merging', { spaceId, cidr, error });
  }
}

/**
 * Merges every free block inside `within` as far as it goes. Releasing commits the freed block
 * first and merges in later commits, so a crash in between leaves free space split; this puts
 * it back into canonical form (each merge is conditional, so racing healers are harmless).
 */
export async function healFreeSpace(store: FreeSpaceStore & Committer, spaceId: string, within: Cidr): Promise<void> {
  const boundary = formatCidr(within);
  for (const block of await store.listFreeBlocks(spaceId, within.family)) {
    if (block.within === boundary) await mergeFreeBlock(store, spaceId, block.cidr, block.within);
  }
}

/** Runs `attempt` again when it loses a race, with jittered backoff, a bounded number of times. */
export async function retryOnConflict<T>(attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof StoreConflict) || attemptNumber + 1 >= MAX_ATTEMPTS) {
        if (error instanceof StoreConflict) {
          throw new IpamError('RequestLimitExceeded', 'Too many concurrent changes to the same resource; try again');
        }
        throw error;
      }
      await sleep(Math.random() * Math.min(50, 2 ** Math.min(attemptNumber, 6)));
    }
  }
}

/** The whole address space of a family: the free space a new scope starts with. */
export function wholeAddressSpace(family: AddressFamily): Cidr {
  return cidrFromStart(family, 0n, 0);
}
