// The Store in process memory, with the DynamoDB adapter's observable semantics: the same key
// builders (keys.ts) decide identity and order, listings come back in sort-key order, pages end
// where DynamoDB's would, and commits check every condition before applying any write. What it
// does not copy is durability and DynamoDB's limits on item size and throughput: it is for tests
// and throwaway runs. The shared contract suite (test/adapters/store-contract.ts) holds both to
// the same behaviour.
import { randomUUID } from 'node:crypto';
import type { AddressFamily, Cidr } from '../../domain/cidr.ts';
import type { OutboxEntry, RecentEvent } from '../../domain/model/events.ts';
import { spacesGrown } from '../../domain/free-space.ts';
import type { FreeBlock, IpamPool, IpamPoolAllocation } from '../../domain/model/pool.ts';
import {
  type Entity,
  type ObservationWrite,
  type Page,
  type PageRequest,
  type Store,
  StoreConflict,
  type Write,
} from '../../ports/store.ts';
import {
  allocationKey,
  containingFreeBlockKeys,
  freeBlockKey,
  freeBlockSortFloor,
  freeSpaceEpochKey,
  freeSpacePartition,
  type ItemKey,
  type ItemKeys,
  keysOf,
  outboxKey,
  recentEventsPartition,
  poolChildrenPrefix,
  poolKey,
  poolPartition,
} from '../dynamodb/keys.ts';
import { KeyedReads } from '../dynamodb/keyed-reads.ts';

type StoredValue = Record<string, unknown>;

interface Item extends ItemKeys {
  type: Entity['type'];
  /** The record as a reader gets it back: a private copy, never handed out. */
  value: StoredValue;
}

/**
 * Attribute names the DynamoDB item uses for itself (keys, `type`, and the TTL attribute of
 * dynamodb/table.ts): a record field of the same name would not survive a round trip there, so it
 * does not here either.
 */
const ITEM_ATTRIBUTES = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type', 'expiresAt']);
/** DynamoDB's TransactWriteItems, BatchGetItem and BatchWriteItem limits. */
const TRANSACTION_LIMIT = 100;
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** The DynamoDB adapter's page sizes for the best-fit query: later pages see writes made meanwhile. */
const FIRST_FREE_BLOCK_PAGE = 10;
const LATER_FREE_BLOCK_PAGE = 100;

/**
 * DynamoDB orders string keys by their UTF-8 bytes, which is code point order; JavaScript's `<`
 * compares UTF-16 code units, which differs for surrogate pairs against U+E000–U+FFFF.
 */
function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);

/**
 * A deep copy of what DynamoDB would store (the document client's marshalling with
 * removeUndefinedValues): undefined members dropped, values it cannot store refused.
 */
function storable(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: DynamoDB cannot store the number ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.filter((member) => member !== undefined).map((member, i) => storable(member, `${path}[${i}]`));
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Set) return new Set([...value].map((member) => storable(member, `${path}{}`)));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(value)) if (member !== undefined) copy[name] = storable(member, `${path}.${name}`);
    return copy;
  }
  throw new TypeError(
    `${path}: DynamoDB's document client does not store ${typeof value === 'object' ? 'class instances' : typeof value}s`,
  );
}

function itemOf(entity: Entity, version?: number): Item {
  const value = storable(entity.value, entity.type) as StoredValue;
  for (const name of ITEM_ATTRIBUTES) delete value[name];
  if (version !== undefined) value.version = version;
  return { ...keysOf(entity), type: entity.type, value };
}

const recordOf = <T>(item: Item | undefined): T | undefined => (item ? (structuredClone(item.value) as T) : undefined);

const isVersioned = (entity: Entity): entity is Entity & { value: { version: number } } =>
  typeof (entity.value as { version?: unknown }).version === 'number';

const itemId = (key: ItemKey) => JSON.stringify([key.PK, key.SK]);

/** The same opaque position as the DynamoDB adapter's: its LastEvaluatedKey, base64url JSON. */
function encodePosition(key: ItemKey | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify({ PK: key.PK, SK: key.SK })).toString('base64url') : undefined;
}

function decodePosition(position: string | undefined, partition: string): string | undefined {
  if (!position) return undefined;
  const key = JSON.parse(Buffer.from(position, 'base64url').toString()) as Partial<ItemKey>;
  // DynamoDB refuses (ValidationException) a start key that does not belong to the query.
  if (key.PK !== partition || typeof key.SK !== 'string') throw new Error('The provided starting key is invalid');
  return key.SK;
}

/** Refuses a batch that names one item twice, as BatchGetItem, BatchWriteItem and TransactWriteItems do. */
function refuseDuplicates(keys: ItemKey[], what: string): void {
  const ids = new Set<string>();
  for (const key of keys) {
    const id = itemId(key);
    if (ids.has(id)) throw new Error(`${what} names the same item more than once: ${id}`);
    ids.add(id);
  }
}

interface SortKeyCondition {
  /** begins_with(SK, prefix) */
  prefix?: string;
  /** SK >= from */
  from?: string;
}

/** Index of the first of the sorted `keys` at or after `key` (strictly after it when `exclusive`). */
function firstAtOrAfter(keys: string[], key: string, exclusive = false): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareKeys(keys[middle], key);
    if (order < 0 || (exclusive && order === 0)) low = middle + 1;
    else high = middle;
  }
  return low;
}

class Partition {
  readonly items = new Map<string, Item>();
  private sorted: string[] | undefined;

  put(item: Item): void {
    if (!this.items.has(item.SK)) this.sorted = undefined;
    this.items.set(item.SK, item);
  }

  delete(sortKey: string): void {
    if (this.items.delete(sortKey)) this.sorted = undefined;
  }

  sortKeys(): string[] {
    this.sorted ??= [...this.items.keys()].sort(compareKeys);
    return this.sorted;
  }
}

export class InMemoryStore extends KeyedReads implements Store {
  private readonly partitions = new Map<string, Partition>();
  /** GSI1: index partition key → items by id. Updated with the table, so never lags (like DynamoDB Local). */
  private readonly index = new Map<string, Map<string, Item>>();
  /** Free-space epochs by item id (the DynamoDB adapter keeps them as items no other read returns). */
  private readonly epochs = new Map<string, string>();

  async listAllocations(poolId: string, page: PageRequest): Promise<Page<IpamPoolAllocation>> {
    // DynamoDB refuses a Query Limit below 1 with a ValidationException.
    if (!(page.limit >= 1)) throw new Error(`A page limit of ${page.limit} is not at least 1`);
    const partition = poolPartition(poolId);
    const result = this.query(partition, { prefix: poolChildrenPrefix.allocations }, decodePosition(page.after, partition), page.limit);
    return { items: result.items.map((item) => recordOf<IpamPoolAllocation>(item)!), next: encodePosition(result.lastEvaluated) };
  }

  async *freeBlocksForPrefix(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock> {
    const partition = freeSpacePartition(spaceId, family);
    const from = freeBlockSortFloor(family, prefixLength);
    let start: string | undefined;
    let limit = FIRST_FREE_BLOCK_PAGE;
    do {
      // One page at a time from the current state, as the DynamoDB adapter reads its pages.
      const result = this.query(partition, { from }, start, limit);
      for (const item of result.items) yield recordOf<FreeBlock>(item)!;
      start = result.lastEvaluated?.SK;
      limit = LATER_FREE_BLOCK_PAGE;
    } while (start !== undefined);
  }

  async *freeBlocksLargestFirst(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock> {
    const partition = freeSpacePartition(spaceId, family);
    const from = freeBlockSortFloor(family, prefixLength);
    let before: string | undefined;
    let limit = FIRST_FREE_BLOCK_PAGE;
    for (;;) {
      // One page at a time from the current state, descending, as the DynamoDB adapter reads them.
      const stored = this.partitions.get(partition);
      const sortKeys = stored?.sortKeys() ?? [];
      const end = before === undefined ? sortKeys.length : firstAtOrAfter(sortKeys, before);
      const begin = Math.max(firstAtOrAfter(sortKeys, from), end - limit);
      const page = sortKeys.slice(begin, end).reverse();
      const records = page.map((sortKey) => recordOf<FreeBlock>(stored!.items.get(sortKey))!);
      yield* records;
      if (page.length < limit) return;
      before = page.at(-1);
      limit = LATER_FREE_BLOCK_PAGE;
    }
  }

  async freeSpaceEpoch(spaceId: string, family: AddressFamily): Promise<string | undefined> {
    return this.epochs.get(itemId(freeSpaceEpochKey(spaceId, family)));
  }

  async freeBlockContaining(spaceId: string, cidr: Cidr): Promise<FreeBlock | undefined> {
    // Free blocks are disjoint, so at most one ancestor is free.
    return recordOf<FreeBlock>(this.batchGet(containingFreeBlockKeys(spaceId, cidr))[0]);
  }

  getFreeBlock(spaceId: string, cidr: Cidr) {
    return this.get<FreeBlock>(freeBlockKey(spaceId, cidr));
  }

  async getFreeBlocks(spaceId: string, cidrs: readonly Cidr[]): Promise<FreeBlock[]> {
    return this.batchGet(cidrs.map((cidr) => freeBlockKey(spaceId, cidr))).map((item) => recordOf<FreeBlock>(item)!);
  }

  async getReleaseView(poolId: string, allocationId: string, buddies: readonly Cidr[]) {
    const items = this.batchGet([
      poolKey(poolId),
      allocationKey(poolId, allocationId),
      ...buddies.map((cidr) => freeBlockKey(poolId, cidr)),
    ]);
    const ofType = <T>(type: Entity['type']) => items.filter((item) => item.type === type).map((item) => recordOf<T>(item)!);
    return {
      pool: ofType<IpamPool>('pool')[0],
      allocation: ofType<IpamPoolAllocation>('allocation')[0],
      freeBuddies: ofType<FreeBlock>('free-block'),
    };
  }

  listFreeBlocks(spaceId: string, family: AddressFamily) {
    return this.queryRecords<FreeBlock>(freeSpacePartition(spaceId, family));
  }

  async commit(writes: Write[]): Promise<void> {
    if (writes.length === 0) return;
    const freeBlocks = (op: Write['op']) =>
      writes.flatMap((write) => (write.op === op && write.entity.type === 'free-block' ? [write.entity.value] : []));
    const grown = spacesGrown(freeBlocks('delete'), freeBlocks('create'));
    // Each epoch changed is one more item of the DynamoDB adapter's transaction.
    const size = writes.length + grown.length;
    if (size > TRANSACTION_LIMIT) throw new Error(`A commit of ${size} writes exceeds the transaction limit`);
    const planned = writes.map((write) => ({ write, item: this.itemToWrite(write) }));
    // Real DynamoDB refuses a transaction naming one item twice (ValidationException) whatever the
    // conditions; DynamoDB Local may report a conflict instead. Such a plan is a bug, never a race
    // to retry, so it is refused before any condition is judged (the DynamoDB adapter does too).
    refuseDuplicates(
      planned.map(({ item }) => item),
      'A transaction',
    );
    const reasons = planned.map(({ write, item }) => (this.conditionHolds(write, this.item(item)) ? 'None' : 'ConditionalCheckFailed'));
    if (reasons.some((reason) => reason !== 'None')) throw new StoreConflict(`Transaction cancelled: ${reasons.join(', ')}`);
    for (const { write, item } of planned) {
      if (write.op === 'create' || write.op === 'update') this.put(item);
      else if (write.op === 'delete') this.remove(item);
    }
    // A growing commit changes its spaces' epochs with it (a fresh value never repeats).
    for (const { spaceId, family } of grown) {
      this.epochs.set(itemId(freeSpaceEpochKey(spaceId, family)), randomUUID());
    }
  }

  async writeObservations(writes: ObservationWrite[]): Promise<void> {
    // Batch by batch like BatchWriteItem: a refused batch leaves the earlier ones written.
    for (let i = 0; i < writes.length; i += BATCH_WRITE_LIMIT) {
      const batch = writes.slice(i, i + BATCH_WRITE_LIMIT).map((write) => ({ op: write.op, item: itemOf(write.entity) }));
      refuseDuplicates(
        batch.map(({ item }) => item),
        'A batch of observation writes',
      );
      // Observations only: the last sweep wins, so no condition guards these writes.
      for (const { op, item } of batch) {
        if (op === 'put') this.put(item);
        else this.remove(item);
      }
    }
  }

  async deleteOutboxEntries(entries: readonly OutboxEntry[], recentEvents: readonly RecentEvent[] = []): Promise<void> {
    // Puts first, as the DynamoDB adapter sends them.
    const requests = [
      ...recentEvents.map((event) => ({ op: 'put' as const, item: itemOf({ type: 'recent-event', value: event }) })),
      ...entries.map((entry) => ({ op: 'delete' as const, key: outboxKey(entry) })),
    ];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      const batch = requests.slice(i, i + BATCH_WRITE_LIMIT);
      refuseDuplicates(
        batch.map((request) => (request.op === 'delete' ? request.key : request.item)),
        'A batch of outbox deletes and recent-event puts',
      );
      // No condition: a delivered entry is forgotten, whoever delivered it; an event's record is the same whoever writes it.
      for (const request of batch) {
        if (request.op === 'delete') this.remove(request.key);
        else this.put(request.item);
      }
    }
  }

  async listRecentEvents(accountId: string, region: string, page: PageRequest): Promise<Page<RecentEvent>> {
    if (!(page.limit >= 1)) throw new Error(`A page limit of ${page.limit} is not at least 1`);
    const partition = recentEventsPartition(accountId, region);
    const after = decodePosition(page.after, partition);
    const stored = this.partitions.get(partition);
    const sortKeys = stored?.sortKeys() ?? [];
    // Newest first, as DynamoDB's descending query: from the key just before `after`.
    const items: Item[] = [];
    for (let i = (after === undefined ? sortKeys.length : firstAtOrAfter(sortKeys, after)) - 1; i >= 0 && items.length < page.limit; i--) {
      items.push(stored!.items.get(sortKeys[i])!);
    }
    return {
      items: items.map((item) => recordOf<RecentEvent>(item)!),
      next: encodePosition(items.length === page.limit ? items.at(-1) : undefined),
    };
  }

  /** The item a write stores (create, update) or names (delete, check, absent). */
  private itemToWrite(write: Write): Item {
    // A record without a version yet (as the DynamoDB store) carries version 1 from its first update.
    return write.op === 'update' ? itemOf(write.entity, (write.entity.value.version ?? 0) + 1) : itemOf(write.entity);
  }

  private conditionHolds(write: Write, stored: Item | undefined): boolean {
    const storedVersion = stored?.value.version;
    switch (write.op) {
      case 'create':
      case 'absent':
        return stored === undefined;
      case 'update':
      case 'check':
        return stored !== undefined && storedVersion === write.entity.value.version;
      case 'delete':
        return isVersioned(write.entity) ? stored !== undefined && storedVersion === write.entity.value.version : stored !== undefined;
    }
  }

  private item(key: ItemKey): Item | undefined {
    return this.partitions.get(key.PK)?.items.get(key.SK);
  }

  private put(item: Item): void {
    // A put replaces the whole item, index keys included (a closed execution leaves the open index).
    const replaced = this.item(item);
    if (replaced?.GSI1PK !== undefined) this.index.get(replaced.GSI1PK)!.delete(itemId(replaced));
    let partition = this.partitions.get(item.PK);
    if (!partition) {
      partition = new Partition();
      this.partitions.set(item.PK, partition);
    }
    partition.put(item);
    if (item.GSI1PK !== undefined && item.GSI1SK !== undefined) {
      let indexed = this.index.get(item.GSI1PK);
      if (!indexed) {
        indexed = new Map();
        this.index.set(item.GSI1PK, indexed);
      }
      indexed.set(itemId(item), item);
    }
  }

  private remove(key: ItemKey): void {
    const partition = this.partitions.get(key.PK);
    const existing = partition?.items.get(key.SK);
    if (!partition || !existing) return;
    partition.delete(key.SK);
    if (partition.items.size === 0) this.partitions.delete(key.PK);
    if (existing.GSI1PK !== undefined) {
      const indexed = this.index.get(existing.GSI1PK);
      indexed?.delete(itemId(existing));
      if (indexed?.size === 0) this.index.delete(existing.GSI1PK);
    }
  }

  protected async get<T>(key: ItemKey): Promise<T | undefined> {
    return recordOf<T>(this.item(key));
  }

  /** BatchGetItem: the items found (in no promised order), refusing a batch that repeats a key. */
  private batchGet(keys: ItemKey[]): Item[] {
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) refuseDuplicates(keys.slice(i, i + BATCH_GET_LIMIT), 'A batch get');
    return keys.map((key) => this.item(key)).filter((item): item is Item => item !== undefined);
  }

  /** Query on the table: ascending sort keys after `exclusiveStart`, at most `limit` of them. */
  private query(
    partition: string,
    condition: SortKeyCondition,
    exclusiveStart?: string,
    limit = Infinity,
  ): { items: Item[]; lastEvaluated?: Item } {
    const stored = this.partitions.get(partition);
    if (!stored) return { items: [] };
    const sortKeys = stored.sortKeys();
    // Keys sharing a prefix are contiguous in sort order, starting at the first key >= the prefix.
    let i = Math.max(
      condition.from === undefined ? 0 : firstAtOrAfter(sortKeys, condition.from),
      condition.prefix === undefined ? 0 : firstAtOrAfter(sortKeys, condition.prefix),
      exclusiveStart === undefined ? 0 : firstAtOrAfter(sortKeys, exclusiveStart, true),
    );
    const items: Item[] = [];
    for (; i < sortKeys.length && items.length < limit; i++) {
      if (condition.prefix !== undefined && !sortKeys[i].startsWith(condition.prefix)) break;
      items.push(stored.items.get(sortKeys[i])!);
    }
    // Like DynamoDB, a page that reached its limit names its last key, even if nothing follows.
    return items.length === limit ? { items, lastEvaluated: items.at(-1) } : { items };
  }

  protected async queryRecords<T>(partition: string, sortPrefix?: string): Promise<T[]> {
    return this.query(partition, { prefix: sortPrefix }).items.map((item) => recordOf<T>(item)!);
  }

  protected async queryRecordsFrom<T>(partition: string, from: string, limit: number): Promise<T[]> {
    return this.query(partition, { from }, undefined, limit).items.map((item) => recordOf<T>(item)!);
  }

  /** Every record under one GSI1 partition (optionally only sort keys starting with sortPrefix), in sort-key order. */
  protected async queryIndex<T>(partition: string, sortPrefix?: string): Promise<T[]> {
    const items = [...(this.index.get(partition)?.values() ?? [])].filter(
      (item) => sortPrefix === undefined || item.GSI1SK!.startsWith(sortPrefix),
    );
    items.sort((a, b) => compareKeys(a.GSI1SK!, b.GSI1SK!) || compareKeys(a.PK, b.PK) || compareKeys(a.SK, b.SK));
    return items.map((item) => recordOf<T>(item)!);
  }
}
