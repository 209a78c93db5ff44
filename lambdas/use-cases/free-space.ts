// The allocator on the Store: finding, taking and giving back free blocks of a space (a pool, or
// a scope for top-level pools). The planning is pure (domain/free-space.ts); this file adds the
// reads and writes, and the retry of lost races.
import { setTimeout as sleep } from 'node:timers/promises';
import { type AddressFamily, addressBits, type Cidr, cidrFromStart, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import { carve, mergeBuddies, nextMergeStep, partialCarve, placeInBlock, planMerge, unmergedBuddies } from '../domain/free-space.ts';
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
  /** Set when a best-fit scan found it as the first candidate: the best fit when the scan ran (warm-free-space.ts). */
  bestFit?: boolean;
}

interface PlacementRequest {
  prefixLength: number;
  allowed?: readonly Cidr[];
  disallowed?: readonly Cidr[];
  /**
   * Allocators in different processes (Lambda) that lost a race on a best-fit block would all
   * want it again: after `spread` lost races, one of the next few candidates is taken. 0 (a first
   * try) = the best fit. In one process concurrent callers commit together (allocation-batches.ts).
   */
  spread?: number;
}

/** The most candidates a placement spreads over. */
const MAX_SPREAD = 16;

/**
 * Best fit for a /n: the smallest free block that can hold it, lowest address among equals. A
 * best-fit scan that finds nothing proves nothing (a query is not a snapshot: a concurrent split
 * can move a block from where it has not read yet to where it has), so undefined is answered only
 * when findExactly agrees.
 */
export async function findPlacement(
  store: FreeSpaceStore & Committer,
  spaceId: string,
  family: AddressFamily,
  request: PlacementRequest,
): Promise<Placement | undefined> {
  const placement = await bestFit(store, spaceId, family, request);
  if (placement) return placement;
  const block = await findExactly(store, spaceId, family, (candidate) => fitIn(candidate, request) !== undefined);
  return block && { block, target: fitIn(block, request)! };
}

/**
 * The free block holding exactly this CIDR, if it is entirely free. A block found by key is the
 * answer (the commit that takes it checks it is still there); its ancestors are read at different
 * instants, though, so a miss is only answered when findExactly agrees.
 */
export async function findSpecificPlacement(
  store: FreeSpaceStore & Committer,
  spaceId: string,
  cidr: Cidr,
): Promise<Placement | undefined> {
  const block =
    (await store.freeBlockContaining(spaceId, cidr)) ??
    (await findExactly(store, spaceId, cidr.family, (candidate) => containsCidr(parseCidr(candidate.cidr), cidr)));
  return block && { block, target: cidr };
}

/** One best-fit scan: a placement, or undefined, which proves nothing (see findPlacement). */
export async function bestFit(
  store: FreeSpaceStore,
  spaceId: string,
  family: AddressFamily,
  request: PlacementRequest,
): Promise<Placement | undefined> {
  const candidates: Placement[] = [];
  const wanted = 1 + Math.floor(Math.random() * (Math.min(MAX_SPREAD, request.spread ?? 0) + 1));
  for await (const block of store.freeBlocksForPrefix(spaceId, family, request.prefixLength)) {
    const target = fitIn(block, request);
    if (!target) continue;
    candidates.push({ block, target });
    if (candidates.length >= wanted) break;
  }
  const placement = candidates.at(-1);
  return placement && { ...placement, bestFit: candidates.length === 1 };
}

const fitIn = (block: FreeBlock, request: PlacementRequest) =>
  placeInBlock(parseCidr(block.cidr), request.prefixLength, request.allowed ?? [], request.disallowed ?? []);

/**
 * Passes in which the free space may grow under the search (releases committing meanwhile)
 * before the caller is told to try again.
 */
const MAX_EXACT_PASSES = 20;

/**
 * A free block that `fits`, or undefined when none did at one instant. Each pass reads every free
 * block of the space, largest first, between two reads of the space's free-space epoch.
 *
 * Why "none" is then exact without a snapshot: an allocation's commit deletes a block and creates
 * only pieces of it, strictly smaller, so later in this order. Follow a block that fits when the
 * pass ends back through the splits that made it: each ancestor fits too (a placement in a piece
 * is one in the block) and lies earlier in the pass than its piece, and the piece was created when
 * the ancestor went, so the pass meets one of them while it exists. Only a growing commit (a
 * release, a merge, a provision) can put space where the pass has already been, and each one
 * changes the epoch (Store.freeSpaceEpoch): the same epoch before and after proves none happened,
 * so nothing fitted when the pass ended. Allocations never write the epoch, so they do not queue
 * behind one another; growing commits of one space do, and they are the rare ones.
 *
 * A pass that found nothing has read every block, which is when free buddies a crash left apart
 * (a release commits first and merges after) are worth finding: they are merged, then it passes
 * again, so space they hold together serves the request.
 */
async function findExactly(
  store: FreeSpaceStore & Committer,
  spaceId: string,
  family: AddressFamily,
  fits: (block: FreeBlock) => boolean,
): Promise<FreeBlock | undefined> {
  for (let pass = 0; pass < MAX_EXACT_PASSES; pass++) {
    const before = await store.freeSpaceEpoch(spaceId, family);
    const seen: FreeBlock[] = [];
    for await (const block of store.freeBlocksLargestFirst(spaceId, family, addressBits(family))) {
      if (fits(block)) return block;
      seen.push(block);
    }
    const unmerged = unmergedBuddies(seen);
    for (const block of unmerged) await mergeFreeBlock(store, spaceId, block.cidr, block.within);
    if (unmerged.length === 0 && (await store.freeSpaceEpoch(spaceId, family)) === before) return undefined;
  }
  throw new StoreConflict(`The free space of ${spaceId} kept growing during the search; try again`);
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
 * mergeFreeBlock a few levels at a time: the buddies of MERGE_LOOKAHEAD levels in one read, and
 * the free ones merged in one commit, as a release merges in its own commit. For a block given
 * back unmerged (mergeAfterCommit).
 */
export async function mergeFreeBlockAhead(store: FreeSpaceStore & Committer, spaceId: string, cidr: string, within: string): Promise<void> {
  let block = formatCidr(parseCidr(cidr));
  for (;;) {
    const { writes, merged, mergeOn } = giveBackWrites(spaceId, block, within, await readMergeBuddies(store, spaceId, block));
    if (merged === block) return; // no free buddy
    try {
      await store.commit([
        // Invariant (delete): the block is still free, so merging it takes nobody's space.
        { op: 'delete', entity: { type: 'free-block', value: { spaceId, cidr: block, within } } },
        ...writes,
      ]);
    } catch (error) {
      if (!(error instanceof StoreConflict)) throw error;
      // Someone merged or took our block, or freed the buddy that stopped the merge: if ours is still there, look again.
      if (await store.getFreeBlock(spaceId, parseCidr(block))) continue;
      return;
    }
    if (!mergeOn) return;
    block = merged;
  }
}

/**
 * mergeFreeBlockAhead once a commit has given the block back: that change is done, so a store that is
 * unavailable now must not fail it (a caller's retry would find it made and answer NotFound). The
 * space is free either way, only split: the exact search heals it when an allocation needs it,
 * healFreeSpace before a deprovision and healScopeSpace before a scope's deletion.
 */
export async function mergeAfterCommit(
  deps: { store: FreeSpaceStore & Committer; log: Log },
  spaceId: string,
  cidr: string,
  within: string,
): Promise<void> {
  try {
    await mergeFreeBlockAhead(deps.store, spaceId, cidr, within);
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    deps.log.warn('free space left split: the store was unavailable while merging', { spaceId, cidr, error });
  }
}

/**
 * Merges free buddies a crash left apart (a release commits the freed block first and merges in
 * later commits) inside `inside`, before a deprovision decides whether the CIDR is all free. Each
 * merge is conditional, so racing healers are harmless.
 */
export async function healFreeSpace(store: FreeSpaceStore & Committer, spaceId: string, inside: Cidr): Promise<void> {
  const blocks = await store.listFreeBlocks(spaceId, inside.family);
  for (const block of unmergedBuddies(blocks.filter((free) => containsCidr(inside, parseCidr(free.cidr))))) {
    await mergeFreeBlock(store, spaceId, block.cidr, block.within);
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
