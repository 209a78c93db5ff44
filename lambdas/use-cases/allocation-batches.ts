// Group commit of concurrent allocations by netmask of one pool, in one process (npm start).
//
// Callers of a pool that all searched at once would all pick the same best-fit block, and all
// but one would lose the commit race and retry. Instead, while one batch of a pool is between
// its search and its commit, later callers of that pool queue; when it is done, the next batch
// takes everything queued, places it in one plan (domain/batch-placement.ts: as if each had
// committed in turn) and commits it in one transaction. A caller that finds its pool idle is a
// batch of one and takes today's single path (allocations.ts). In Lambda each environment serves
// one request at a time, so every batch is of one there.
import { type BatchOutcome, type BatchPlan, type BatchRequest, type CandidateStream, planBatch } from '../domain/batch-placement.ts';
import type { Cidr } from '../domain/cidr.ts';
import type { FreeBlock, IpamPool } from '../domain/model/pool.ts';
import { StoreConflict, type Write } from '../ports/store.ts';
import type { Dependencies, Output } from './kernel/context.ts';
import { type Announcement, outboxFor } from './kernel/outbox.ts';
import type { Placement } from './free-space.ts';
import { forgetWarm, rememberCarve, warmMark, warmPool } from './warm-free-space.ts';

/** Items a batch's transaction may hold: DynamoDB's limit is 100, and the margin is for the adapters and the pool's check. */
const MAX_BATCH_ITEMS = 90;
/** Best-fit candidates read per round while planning; the first page of a query holds 10. */
const CANDIDATES_PER_READ = 10;

/** One allocation by netmask waiting for its pool (allocations.ts fills it in). */
export interface BatchEntry {
  request: BatchRequest;
  family: Cidr['family'];
  /** The pool as the request's rules were checked on it. */
  pool: IpamPool;
  /** That pool was remembered rather than read: the batch's commit checks its version. */
  poolRemembered: boolean;
  /** The ClientToken's key (TokenInCommit.key), if any: two requests with one token never share a transaction. */
  tokenKey?: string;
  /** The allocation at `placement`: its own writes (BatchRequest.items of them), event and answer. */
  build(placement: Placement): { writes: Write[]; announcement: Announcement; output: Output };
  /** Whether a request with the same ClientToken has committed (or this cannot be told): undefined without a token. */
  tokenTaken?: () => Promise<boolean>;
  /**
   * Today's single path (find, commit, retry lost races, deliver the event); `early` is a
   * best-fit search already started; `committed` is called once its commit landed, so the pool's
   * next batch need not wait for the delivery.
   */
  alone(early?: Promise<Placement | undefined>, committed?: () => void): Promise<Output>;
}

interface Waiting {
  entry: BatchEntry;
  /** Its batch lost a race once: next time it tries alone. */
  replanned?: boolean;
  resolve: (output: Output) => void;
  reject: (error: unknown) => void;
}

interface PoolQueue {
  waiting: Waiting[];
}

/** Pools with a batch in flight, per store instance (tests build many stores in one process). */
const busyPools = new WeakMap<object, Map<string, PoolQueue>>();

/** When each pool last became busy, by a counter of this process; bounded like the pool families. */
const busySince = new WeakMap<object, Map<string, number>>();
let turns = 0;
const BUSY_SINCE_KEPT = 100_000;

/**
 * A ticket for a best-fit search started now, before the pool is read: undefined when the pool
 * has a batch in flight (the search would race it). allocateInBatch uses the search only if the
 * pool stayed idle since, so no commit of this process can have made it stale.
 */
export function searchTicket(store: object, poolId: string): number | undefined {
  return busyPools.get(store)?.has(poolId) ? undefined : ++turns;
}

/**
 * Allocates `entry` in pool `poolId`: at once on the single path when the pool is idle,
 * otherwise with the next batch of the pool. `early` (see searchTicket) is used only when idle.
 */
export async function allocateInBatch(
  deps: Dependencies,
  poolId: string,
  entry: BatchEntry,
  early?: { search: Promise<Placement | undefined>; ticket: number },
): Promise<Output> {
  const pools = busyPools.get(deps.store) ?? new Map<string, PoolQueue>();
  busyPools.set(deps.store, pools);
  const busy = pools.get(poolId);
  if (busy) return new Promise<Output>((resolve, reject) => busy.waiting.push({ entry, resolve, reject }));
  const queue: PoolQueue = { waiting: [] };
  pools.set(poolId, queue);
  const since = busySince.get(deps.store) ?? new Map<string, number>();
  busySince.set(deps.store, since);
  const fresh = early && (since.get(poolId) ?? 0) < early.ticket ? early.search : undefined;
  if (since.size >= BUSY_SINCE_KEPT) since.clear();
  since.set(poolId, ++turns);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    void drain(deps, pools, poolId, queue);
  };
  try {
    return await entry.alone(fresh, release);
  } finally {
    release();
  }
}

/** Runs the queued batches of a pool one after another, then marks the pool idle. */
async function drain(deps: Dependencies, pools: Map<string, PoolQueue>, poolId: string, queue: PoolQueue): Promise<void> {
  while (queue.waiting.length > 0) {
    const batch = takeBatch(queue.waiting);
    try {
      queue.waiting.unshift(...(await runBatch(deps, poolId, batch)));
    } catch (error) {
      // runBatch settles every request itself; this only keeps a defect from leaving callers waiting.
      for (const waiting of batch) waiting.reject(error);
    }
  }
  pools.delete(poolId);
}

/** The queue's head up to the first request repeating a ClientToken of the batch (DynamoDB refuses one item twice in a transaction). */
function takeBatch(waiting: Waiting[]): Waiting[] {
  const tokens = new Set<string>();
  let count = 0;
  for (const { entry } of waiting) {
    if (entry.tokenKey !== undefined) {
      if (tokens.has(entry.tokenKey)) break;
      tokens.add(entry.tokenKey);
    }
    count++;
  }
  return waiting.splice(0, count);
}

/** Settles `waiting` with today's single path; resolves once its commit landed or it failed. Never rejects. */
function alone(waiting: Waiting): Promise<void> {
  return new Promise<void>((done) => {
    waiting.entry.alone(undefined, done).then(waiting.resolve, waiting.reject).finally(done);
  });
}

/** Plans and commits one batch; returns the requests that did not fit in its transaction. Never throws. */
async function runBatch(deps: Dependencies, poolId: string, batch: Waiting[]): Promise<Waiting[]> {
  // A batch of one takes the single path, unless the warm view places it without a read.
  if (batch.length === 1 && !warmPool(deps.store, poolId)) {
    await alone(batch[0]);
    return [];
  }
  let outcomes: BatchOutcome[];
  let settle: () => Promise<void>;
  let committing = false;
  // Before the plan's reads: its carve is remembered only if no other commit touches the pool meanwhile.
  const mark = warmMark(deps.store, poolId);
  try {
    const plan = await planWithReads(deps, poolId, batch);
    outcomes = plan.outcomes;
    const placed = batch.flatMap((waiting, i) => {
      const outcome = outcomes[i];
      return typeof outcome === 'object' ? [{ waiting, built: waiting.entry.build(outcome) }] : [];
    });
    if (placed.length === 0) {
      // Not even the first request fits one transaction (an IPv6 carve of over 80 levels): the
      // single path splits it over several.
      if (outcomes[0] === 'deferred') await alone(batch[0]);
      else for (const waiting of batch.filter((_, i) => outcomes[i] === 'unplaced')) await alone(waiting);
      return batch.filter((_, i) => i > 0 && outcomes[i] === 'deferred');
    }
    const outbox = outboxFor(
      deps,
      placed.map(({ built }) => built.announcement),
    );
    const writes: Write[] = [
      // Invariant: the pool is unchanged since the rules of requests that did not read it were checked on it.
      ...poolChecks(placed.map(({ waiting }) => waiting.entry)),
      // Invariant: each block taken is still free, so nothing else holds any part of it.
      ...plan.taken.map((block): Write => ({ op: 'delete', entity: { type: 'free-block', value: block } })),
      // Invariant (create): the pieces left free lie inside the blocks taken, so no free block covers them yet.
      ...plan.created.map((block): Write => ({ op: 'create', entity: { type: 'free-block', value: block } })),
      ...placed.flatMap(({ built }) => built.writes),
      ...outbox.writes,
    ];
    committing = true;
    await deps.store.commit(writes);
    rememberBatchCarve(deps, batch, plan, mark, writes);
    settle = async () => {
      try {
        await outbox.deliver();
      } finally {
        for (const { waiting, built } of placed) waiting.resolve(built.output);
      }
    };
  } catch (error) {
    // The plan may have come from the warm view: the next one reads the store.
    forgetWarm(deps.store, poolId);
    if (error instanceof StoreConflict) return afterLostRace(batch);
    // Any other failure: each request tries alone, in arrival order, and meets its own outcome.
    // Except after a commit that failed without an answer (the store unavailable): it may have
    // landed, so a request without a ClientToken to guard a second try gets the error, as it
    // would alone; one with a token tries again and finds its answer if it landed.
    for (const [i, waiting] of batch.entries()) {
      if (committing && typeof outcomes![i] === 'object' && waiting.entry.tokenKey === undefined) waiting.reject(error);
      else await alone(waiting);
    }
    return [];
  }
  void settle();
  // Requests the plan could not place try the exact search alone: "no room" must be exact.
  for (const waiting of batch.filter((_, i) => outcomes[i] === 'unplaced')) await alone(waiting);
  return batch.filter((_, i) => outcomes[i] === 'deferred');
}

/**
 * One check of the remembered pool the batch's requests were checked on (they share one pool). If
 * they saw different versions, the oldest is checked: the commit then fails, and each tries again
 * until alone, where it reads the pool.
 */
function poolChecks(entries: readonly BatchEntry[]): Write[] {
  const pools = entries.flatMap((entry) => (entry.poolRemembered ? [entry.pool] : []));
  if (pools.length === 0) return [];
  const oldest = pools.reduce((a, b) => (b.version < a.version ? b : a));
  return [{ op: 'check', entity: { type: 'pool', value: oldest } }];
}

/**
 * A batch lost its commit race: another process took a block it planned on, or a ClientToken of
 * the batch was committed meanwhile (a caller's retry). Requests whose token is taken get their
 * first answer alone; the others are planned once more on what the store holds now, and a second
 * loss sends each alone (today's path, which retries with spreading).
 */
async function afterLostRace(batch: Waiting[]): Promise<Waiting[]> {
  const taken = await Promise.all(batch.map((waiting) => waiting.entry.tokenTaken?.().catch(() => true) ?? false));
  const again: Waiting[] = [];
  for (const [i, waiting] of batch.entries()) {
    if (taken[i] || waiting.replanned) await alone(waiting);
    else again.push({ ...waiting, replanned: true });
  }
  return again;
}

/** A batch's plan, with the candidates it was made from, by netmask. */
type PlanWithReads = BatchPlan & { streams: ReadonlyMap<number, CandidateStream> };

/**
 * planBatch, reading the best-fit candidates of each netmask as far as the plan needs them. The
 * pool's warm view (warm-free-space.ts), while exact, holds the best /p candidates of the store in
 * order: the plan starts from them without a read, and reads the store only if it needs more.
 */
async function planWithReads(deps: Dependencies, spaceId: string, batch: Waiting[]): Promise<PlanWithReads> {
  const requests = batch.map((waiting) => waiting.entry.request);
  const warm = warmPool(deps.store, spaceId);
  if (warm) {
    const stream: CandidateStream = { blocks: warm.pieces, complete: false };
    const plan = planBatch(requests, (prefixLength) => (prefixLength === warm.netmask ? stream : EMPTY_STREAM), MAX_BATCH_ITEMS);
    if (!('more' in plan)) return { ...plan, streams: new Map([[warm.netmask, stream]]) };
  }
  const family = batch[0].entry.family;
  const streams = new Map<number, { stream: CandidateStream & { blocks: FreeBlock[] }; next: AsyncIterator<FreeBlock> }>();
  const read = async (prefixLength: number) => {
    let reading = streams.get(prefixLength);
    if (!reading) {
      reading = {
        stream: { blocks: [], complete: false },
        next: deps.store.freeBlocksForPrefix(spaceId, family, prefixLength)[Symbol.asyncIterator](),
      };
      streams.set(prefixLength, reading);
    }
    for (let count = 0; count < CANDIDATES_PER_READ; count++) {
      const result = await reading.next.next();
      if (result.done) {
        reading.stream.complete = true;
        return;
      }
      reading.stream.blocks.push(result.value);
    }
  };
  // The first round reads every netmask of the batch at once.
  await Promise.all([...new Set(requests.map((request) => request.prefixLength))].map(read));
  for (;;) {
    const plan = planBatch(requests, (prefixLength) => streams.get(prefixLength)!.stream, MAX_BATCH_ITEMS);
    if (!('more' in plan)) return { ...plan, streams: new Map([...streams].map(([prefixLength, { stream }]) => [prefixLength, stream])) };
    await read(plan.more);
  }
}

/** Not read yet: the plan asks for more, and planWithReads reads the store. */
const EMPTY_STREAM: CandidateStream = { blocks: [], complete: false };

/**
 * After a batch of plain /p requests committed: remembers the pool's warm view as the single path
 * does (rememberCarve). The blocks it read for /p and did not take, with the pieces it left, are
 * the store's best /p candidates: every block it did not read comes after them in best-fit order.
 */
function rememberBatchCarve(
  deps: Dependencies,
  batch: readonly Waiting[],
  plan: PlanWithReads,
  mark: number | undefined,
  writes: readonly Write[],
): void {
  const { prefixLength } = batch[0].entry.request;
  const plain = batch.every(
    ({ entry: { request } }) => request.prefixLength === prefixLength && !request.allowed.length && !request.disallowed.length,
  );
  const stream = plan.streams.get(prefixLength);
  if (!plain || !stream || plan.outcomes.includes('unplaced')) return;
  const taken = new Set(plan.taken.map((block) => block.cidr));
  const pool = batch.map(({ entry }) => entry.pool).reduce((a, b) => (b.version > a.version ? b : a));
  const rest = stream.blocks.filter((block) => !taken.has(block.cidr));
  rememberCarve(deps.store, pool, prefixLength, mark, rest, writes);
}
