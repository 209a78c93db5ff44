// Group commit: placing a batch of allocations by netmask of one pool as one plan, as if each had
// committed before the next was placed. Pure; the use case (use-cases/allocation-batches.ts)
// reads the candidates and commits the plan in one transaction.
import { type Cidr, formatCidr, parseCidr } from './cidr.ts';
import { carve, placeInBlock } from './free-space.ts';
import type { FreeBlock } from './model/pool.ts';

export interface BatchRequest {
  prefixLength: number;
  allowed: readonly Cidr[];
  disallowed: readonly Cidr[];
  /** Items of its own the request adds to the transaction (its allocation, its ClientToken's answer). */
  items: number;
}

/** The store's free blocks that can hold a /prefixLength, in best-fit order, as far as read. */
export interface CandidateStream {
  blocks: readonly FreeBlock[];
  /** Every such block has been read. */
  complete: boolean;
}

export interface PlacedRequest {
  /** The free block the target is carved from: a store block, or a piece carved earlier in the batch. */
  block: FreeBlock;
  target: Cidr;
}

/**
 * Per request: its placement; 'unplaced' when neither the candidates nor the batch's pieces hold
 * it (not a proof of "no room": the caller asks the exact search); 'deferred' when placing it
 * would take the transaction past `maxItems` (it and every later request wait for the next batch).
 */
export type BatchOutcome = PlacedRequest | 'unplaced' | 'deferred';

export interface BatchPlan {
  outcomes: BatchOutcome[];
  /** Store blocks the batch consumes: deleted in its commit. */
  taken: FreeBlock[];
  /** Pieces carved in the batch and still free at its end: created in its commit. */
  created: FreeBlock[];
}

/**
 * Best-fit order on blocks of one family: smallest block first, lowest address among equals
 * (the order of Store.freeBlocksForPrefix, domain/free-space.ts bestFitKey).
 */
export function compareBestFit(a: Cidr, b: Cidr): number {
  if (a.prefixLength !== b.prefixLength) return b.prefixLength - a.prefixLength;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

const fitIn = (block: Cidr, request: BatchRequest) => placeInBlock(block, request.prefixLength, request.allowed, request.disallowed);

/**
 * Places `requests` in arrival order, each where the best-fit rule puts it once the earlier ones
 * have committed: store blocks an earlier request consumed are skipped, and the pieces earlier
 * requests carved off compete with the store's candidates in best-fit order. The transaction
 * holds `maxItems`: the blocks taken, the pieces created, each request's items and one outbox entry.
 *
 * Returns `{ more: p }` when the decision needs more of the /p candidate stream than was read:
 * read on and plan again (planning is cheap and deterministic).
 */
export function planBatch(
  requests: readonly BatchRequest[],
  candidates: (prefixLength: number) => CandidateStream,
  maxItems: number,
): BatchPlan | { more: number } {
  const taken = new Map<string, FreeBlock>();
  let pieces: { block: FreeBlock; cidr: Cidr }[] = [];
  const outcomes: BatchOutcome[] = [];
  let ownItems = 1; // the outbox entry holding every event of the batch
  for (const request of requests) {
    if (outcomes.at(-1) === 'deferred') {
      outcomes.push('deferred');
      continue;
    }
    let fromPiece: { index: number; cidr: Cidr; target: Cidr } | undefined;
    for (const [index, piece] of pieces.entries()) {
      const target = fitIn(piece.cidr, request);
      if (target && (!fromPiece || compareBestFit(piece.cidr, fromPiece.cidr) < 0)) fromPiece = { index, cidr: piece.cidr, target };
    }
    const store = firstStoreCandidate(candidates(request.prefixLength), taken, request, fromPiece?.cidr);
    if (store === 'more') return { more: request.prefixLength };
    const useStore = store !== undefined && (!fromPiece || compareBestFit(store.cidr, fromPiece.cidr) < 0);
    const chosen = useStore
      ? { block: store.block, cidr: store.cidr, target: store.target }
      : fromPiece && { ...pieces[fromPiece.index], target: fromPiece.target };
    if (!chosen) {
      outcomes.push('unplaced');
      continue;
    }
    const carved = carve(chosen.cidr, chosen.target);
    const items = taken.size + (useStore ? 1 : 0) + pieces.length - (useStore ? 0 : 1) + carved.length + ownItems + request.items;
    if (items > maxItems) {
      outcomes.push('deferred');
      continue;
    }
    if (useStore) taken.set(store.block.cidr, store.block);
    else pieces = pieces.filter((_, index) => index !== fromPiece!.index);
    const { block } = chosen;
    for (const cidr of carved) pieces.push({ block: { spaceId: block.spaceId, cidr: formatCidr(cidr), within: block.within }, cidr });
    ownItems += request.items;
    outcomes.push({ block, target: chosen.target });
  }
  return { outcomes, taken: [...taken.values()], created: pieces.map((piece) => piece.block) };
}

/**
 * The first store candidate not yet consumed that holds the request; undefined when there is none,
 * or none better than `beat` (a piece of the batch); 'more' when the stream read so far cannot tell.
 */
function firstStoreCandidate(
  stream: CandidateStream,
  taken: ReadonlyMap<string, FreeBlock>,
  request: BatchRequest,
  beat: Cidr | undefined,
): { block: FreeBlock; cidr: Cidr; target: Cidr } | undefined | 'more' {
  for (const block of stream.blocks) {
    if (taken.has(block.cidr)) continue;
    const cidr = parseCidr(block.cidr);
    if (beat && compareBestFit(cidr, beat) > 0) return undefined;
    const target = fitIn(cidr, request);
    if (target) return { block, cidr, target };
  }
  return stream.complete ? undefined : 'more';
}
