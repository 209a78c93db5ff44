// The Store on one DynamoDB table. Keys come from keys.ts; every write is part of one
// TransactWriteItems whose conditions carry the invariants the use case checked.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressFamily, Cidr } from '../../domain/cidr.ts';
import { clientTokenExpiresAt, executionExpiresAt, FREE_SPACE_EPOCH_RETENTION_MS, outboxEntryExpiresAt } from '../../domain/expiry.ts';
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
  StoreUnavailable,
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
  keysOf,
  outboxKey,
  recentEventsPartition,
  poolChildrenPrefix,
  poolKey,
  poolPartition,
} from './keys.ts';
import { KeyedReads } from './keyed-reads.ts';
import { SharedTransactions, TRANSACTION_LIMIT, type TransactItem } from './shared-transactions.ts';
import { TIME_TO_LIVE_ATTRIBUTE } from './table-schema.ts';
import { answerUnavailableWhenRetriesRunOut } from './unavailable.ts';

type Item = Record<string, unknown>;
type WriteRequest = NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string][number];

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type', TIME_TO_LIVE_ATTRIBUTE];
const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** History is kept for three years after it ends (spec §17). */
const HISTORY_RETENTION_SECONDS = 3 * 365 * 24 * 3600;
/** A snapshot read that keeps meeting writes in flight gives up after this many tries (a lost race). */
const SNAPSHOT_ATTEMPTS = 20;

function recordOf<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const record: Item = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(name)) record[name] = value;
  return record as T;
}

function itemOf(entity: Entity, version?: number): Item {
  const item: Item = { ...entity.value, ...keysOf(entity), type: entity.type };
  if (version !== undefined) item.version = version;
  if (entity.type === 'client-token') item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(clientTokenExpiresAt(entity.value) / 1000);
  if (entity.type === 'pool-cidr' && entity.value.retainedUntil)
    item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(entity.value.retainedUntil) / 1000);
  if (entity.type === 'execution') {
    const expiresAt = executionExpiresAt(entity.value);
    if (expiresAt !== undefined) item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(expiresAt / 1000);
  }
  if (entity.type === 'byoasn' && entity.value.retainedUntil)
    item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(entity.value.retainedUntil) / 1000);
  // A finished range outside IPAM goes with its record, unless the record still holds an IPAM CIDR's advertisement or ASNs.
  const advertisement = entity.type === 'byoip-advertisement' ? entity.value : undefined;
  if (advertisement?.range?.retainedUntil && !advertisement.advertised && advertisement.associatedAsns.length === 0)
    item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(advertisement.range.retainedUntil) / 1000);
  // A resolver version out of every target's kept set (prefix-list-resolver-retention.ts); an unmark rewrites the item without it.
  if (entity.type === 'prefix-list-resolver-version' && entity.value.retainedUntil)
    item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(entity.value.retainedUntil) / 1000);
  if (entity.type === 'recent-event') item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(entity.value.retainedUntil) / 1000);
  if (entity.type === 'outbox-entry') item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(outboxEntryExpiresAt(entity.value) / 1000);
  if (entity.type === 'address-history' && entity.value.SampledEndTime) {
    item[TIME_TO_LIVE_ATTRIBUTE] = Math.floor(Date.parse(entity.value.SampledEndTime) / 1000) + HISTORY_RETENTION_SECONDS;
  }
  return item;
}

function isVersioned(entity: Entity): entity is Entity & { value: { version: number } } {
  return typeof (entity.value as { version?: unknown }).version === 'number';
}

function encodePosition(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodePosition(position: string | undefined): Item | undefined {
  return position ? (JSON.parse(Buffer.from(position, 'base64url').toString()) as Item) : undefined;
}

export class DynamoDbStore extends KeyedReads implements Store {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly transactions: SharedTransactions;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    super();
    this.doc = doc;
    this.tableName = tableName;
    this.transactions = new SharedTransactions(async (items) => {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
    });
    answerUnavailableWhenRetriesRunOut(doc);
  }

  async listAllocations(poolId: string, page: PageRequest): Promise<Page<IpamPoolAllocation>> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolPartition(poolId), ':prefix': poolChildrenPrefix.allocations },
        Limit: page.limit,
        ExclusiveStartKey: decodePosition(page.after),
        ConsistentRead: true,
      }),
    );
    const items = (result.Items ?? []).map((item) => recordOf<IpamPoolAllocation>(item)!);
    return { items, next: encodePosition(result.LastEvaluatedKey) };
  }

  freeBlocksForPrefix(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock> {
    return this.freeBlocksThatFit(spaceId, family, prefixLength, 'best-fit');
  }

  freeBlocksLargestFirst(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock> {
    return this.freeBlocksThatFit(spaceId, family, prefixLength, 'largest-first');
  }

  /** The free blocks that can hold a /prefixLength, in sort-key order (best fit) or reversed. */
  private async *freeBlocksThatFit(
    spaceId: string,
    family: AddressFamily,
    prefixLength: number,
    order: 'best-fit' | 'largest-first',
  ): AsyncIterable<FreeBlock> {
    let start: Item | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK >= :from',
          ExpressionAttributeValues: { ':pk': freeSpacePartition(spaceId, family), ':from': freeBlockSortFloor(family, prefixLength) },
          ConsistentRead: true,
          ScanIndexForward: order === 'best-fit',
          // Best fit is almost always the first item; later pages only matter with Allowed/DisallowedCidrs.
          Limit: start ? 100 : 10,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) yield recordOf<FreeBlock>(item)!;
      start = result.LastEvaluatedKey;
    } while (start);
  }

  async freeSpaceEpoch(spaceId: string, family: AddressFamily): Promise<string | undefined> {
    // A GetItem may be served from before a transaction that is still being applied; a
    // TransactGetItems is refused instead, and such a read must not look unchanged.
    const found = await this.snapshot([freeSpaceEpochKey(spaceId, family)]).catch((error: unknown) => {
      if (error instanceof StoreConflict) return [{ epoch: `in-flight ${randomUUID()}` }];
      throw error;
    });
    return found[0]?.epoch as string | undefined;
  }

  async freeBlockContaining(spaceId: string, cidr: Cidr): Promise<FreeBlock | undefined> {
    const found = await this.batchGetAll(containingFreeBlockKeys(spaceId, cidr));
    // Free blocks are disjoint, so at most one ancestor is free.
    return recordOf<FreeBlock>(found[0]);
  }

  getFreeBlock(spaceId: string, cidr: Cidr) {
    return this.get<FreeBlock>(freeBlockKey(spaceId, cidr));
  }

  async getFreeBlocks(spaceId: string, cidrs: readonly Cidr[]): Promise<FreeBlock[]> {
    const found = await this.batchGetAll(cidrs.map((cidr) => freeBlockKey(spaceId, cidr)));
    return found.map((item) => recordOf<FreeBlock>(item)!);
  }

  async getReleaseView(poolId: string, allocationId: string, buddies: readonly Cidr[]) {
    const items = await this.batchGetAll([
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

  async listFreeBlocks(spaceId: string, family: AddressFamily): Promise<FreeBlock[]> {
    const blocks: FreeBlock[] = [];
    for await (const item of this.queryAll(freeSpacePartition(spaceId, family))) blocks.push(recordOf<FreeBlock>(item)!);
    return blocks;
  }

  async commit(writes: Write[]): Promise<void> {
    if (writes.length === 0) return;
    refuseRepeatedItems(writes);
    const items = [...writes.map((write) => this.transactItem(write)), ...this.epochChanges(writes)];
    if (items.length > TRANSACTION_LIMIT) throw new Error(`A commit of ${items.length} writes exceeds the transaction limit`);
    try {
      // The SDK gives each call a ClientRequestToken of its own (an idempotency token in DynamoDB's
      // model), so its retry of a transaction that landed but whose answer was lost (a timeout, a
      // dropped connection) succeeds without applying it twice (test/faults/injected-faults.test.ts).
      // Concurrent commits of this process may share one transaction (shared-transactions.ts).
      await this.transactions.commit(items);
    } catch (error) {
      if (error instanceof TransactionCanceledException && isLostRace(error)) throw new StoreConflict(describeCancellation(error));
      if (error instanceof TransactionCanceledException && isThrottled(error)) throw new StoreUnavailable(describeCancellation(error));
      throw error;
    }
  }

  async writeObservations(writes: ObservationWrite[]): Promise<void> {
    // Observations only: the last sweep wins, so no condition guards these writes.
    await this.batchWrite(
      writes.map((write) => {
        const { PK, SK } = keysOf(write.entity);
        return write.op === 'put' ? { PutRequest: { Item: itemOf(write.entity) } } : { DeleteRequest: { Key: { PK, SK } } };
      }),
    );
  }

  async deleteOutboxEntries(entries: readonly OutboxEntry[], recentEvents: readonly RecentEvent[] = []): Promise<void> {
    // No condition: a delivered entry is forgotten, whoever delivered it, and its events' records
    // are the same whoever writes them (keyed by eventId). Puts first: a batch that fails leaves
    // its entries in the outbox, so their events are delivered, and kept, again.
    await this.batchWrite([
      ...recentEvents.map((event) => ({ PutRequest: { Item: itemOf({ type: 'recent-event', value: event }) } })),
      ...entries.map((entry) => ({ DeleteRequest: { Key: outboxKey(entry) } })),
    ]);
  }

  async listRecentEvents(accountId: string, region: string, page: PageRequest): Promise<Page<RecentEvent>> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': recentEventsPartition(accountId, region) },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: decodePosition(page.after),
      }),
    );
    const items = (result.Items ?? []).map((item) => recordOf<RecentEvent>(item)!);
    return { items, next: encodePosition(result.LastEvaluatedKey) };
  }

  /** Unconditional puts and deletes, in batches, until DynamoDB has processed every one. */
  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(i, i + BATCH_WRITE_LIMIT);
      while (pending.length > 0) {
        const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }

  protected async queryRecordsFrom<T>(partition: string, from: string, limit: number): Promise<T[]> {
    const records: T[] = [];
    let start: Item | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND SK >= :from',
          ExpressionAttributeValues: { ':pk': partition, ':from': from },
          ConsistentRead: true,
          Limit: limit - records.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) records.push(recordOf<T>(item)!);
      start = result.LastEvaluatedKey;
    } while (start && records.length < limit);
    return records;
  }

  protected async queryRecords<T>(partition: string, sortPrefix?: string): Promise<T[]> {
    const records: T[] = [];
    for await (const item of this.queryAll(partition, sortPrefix)) records.push(recordOf<T>(item)!);
    return records;
  }

  /**
   * A new free-space epoch for each space the commit grows. Unconditional: the value only has to
   * change, and a fresh random one never repeats. Two growing commits of one space conflict on
   * it, so releases in one pool take turns; allocations (splits) never write it.
   */
  private epochChanges(writes: Write[]): TransactItem[] {
    const freeBlocks = (op: Write['op']) =>
      writes.flatMap((write) => (write.op === op && write.entity.type === 'free-block' ? [write.entity.value] : []));
    return spacesGrown(freeBlocks('delete'), freeBlocks('create')).map(({ spaceId, family }) => ({
      Put: {
        TableName: this.tableName,
        Item: {
          ...freeSpaceEpochKey(spaceId, family),
          type: 'free-space-epoch',
          epoch: randomUUID(),
          [TIME_TO_LIVE_ATTRIBUTE]: Math.floor((Date.now() + FREE_SPACE_EPOCH_RETENTION_MS) / 1000),
        },
      },
    }));
  }

  /** TransactGetItems: the items found, all as of one instant; StoreConflict when writes in flight keep refusing it. */
  private async snapshot(keys: ItemKey[]): Promise<Item[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.doc.send(
          new TransactGetCommand({ TransactItems: keys.map((Key) => ({ Get: { TableName: this.tableName, Key } })) }),
        );
        return (result.Responses ?? []).flatMap((response) => (response.Item ? [response.Item] : []));
      } catch (error) {
        if (!(error instanceof TransactionCanceledException && isLostRace(error))) throw error;
        if (attempt >= SNAPSHOT_ATTEMPTS) throw new StoreConflict(describeCancellation(error));
        await sleep(Math.random() * Math.min(20, 2 ** attempt));
      }
    }
  }

  private transactItem(write: Write): TransactItem {
    const TableName = this.tableName;
    const entity = write.entity;
    const { PK, SK } = keysOf(entity);
    switch (write.op) {
      case 'create':
        // Invariant: ids, free blocks and slots are unique — never overwrite what exists.
        return { Put: { TableName, Item: itemOf(entity), ConditionExpression: 'attribute_not_exists(PK)' } };
      case 'update': {
        // Invariant: nothing changed the record since it was read and checked. A record stored
        // before its type was versioned (Elastic IPs of 0.1.0) has none: it is updated only while
        // it still has none, and carries version 1 from then on (an allocation put on hold by the
        // release cool-down too); it must still exist, as in the memory store.
        const read: number | undefined = isVersioned(entity) ? entity.value.version : undefined;
        return {
          Put: {
            TableName,
            Item: itemOf(entity, (read ?? 0) + 1),
            ExpressionAttributeNames: { '#version': 'version' },
            ...(read === undefined
              ? { ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#version)' }
              : { ConditionExpression: '#version = :version', ExpressionAttributeValues: { ':version': read } }),
          },
        };
      }
      case 'delete':
        return isVersioned(entity)
          ? {
              // Invariant: the record deleted is the one whose state was checked.
              Delete: {
                TableName,
                Key: { PK, SK },
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': entity.value.version },
              },
            }
          : // Invariant: the item (a free block, an allocation) is still there to take.
            { Delete: { TableName, Key: { PK, SK }, ConditionExpression: 'attribute_exists(PK)' } };
      case 'absent':
        // Invariant: a record this decision saw missing has not appeared since.
        return { ConditionCheck: { TableName, Key: { PK, SK }, ConditionExpression: 'attribute_not_exists(PK)' } };
      case 'check':
        // Invariant: a record this decision depends on did not change.
        return {
          ConditionCheck: {
            TableName,
            Key: { PK, SK },
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': write.entity.value.version },
          },
        };
    }
  }

  protected async get<T>(key: ItemKey): Promise<T | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return recordOf<T>(result.Item);
  }

  /** Any number of keys, in parallel batches of the BatchGetItem limit. */
  private async batchGetAll(keys: ItemKey[]): Promise<Item[]> {
    const batches: ItemKey[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) batches.push(keys.slice(i, i + BATCH_GET_LIMIT));
    return (await Promise.all(batches.map((batch) => this.batchGet(batch)))).flat();
  }

  private async batchGet(keys: ItemKey[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending: ItemKey[] = keys;
    while (pending.length > 0) {
      const result = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[this.tableName] ?? []));
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as ItemKey[] | undefined) ?? [];
    }
    return found;
  }

  /** Every record under one GSI1 partition (optionally only sort keys starting with sortPrefix), in sort-key order. */
  protected async queryIndex<T>(partition: string, sortPrefix?: string): Promise<T[]> {
    const records: T[] = [];
    let start: Item | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: sortPrefix ? 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)' : 'GSI1PK = :pk',
          ExpressionAttributeValues: sortPrefix ? { ':pk': partition, ':prefix': sortPrefix } : { ':pk': partition },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of result.Items ?? []) records.push(recordOf<T>(item)!);
      start = result.LastEvaluatedKey;
    } while (start);
    return records;
  }

  private async *queryAll(partition: string, sortPrefix?: string): AsyncIterable<Item> {
    let start: Item | undefined;
    do {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: sortPrefix ? 'PK = :pk AND begins_with(SK, :prefix)' : 'PK = :pk',
          ExpressionAttributeValues: sortPrefix ? { ':pk': partition, ':prefix': sortPrefix } : { ':pk': partition },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      yield* result.Items ?? [];
      start = result.LastEvaluatedKey;
    } while (start);
  }
}

/**
 * DynamoDB refuses a transaction that names one item twice with a ValidationException (DynamoDB
 * Local may cancel it as a failed condition instead, which would be retried as a lost race). Such
 * a write plan is a bug: say so before sending it, the same way everywhere.
 */
function refuseRepeatedItems(writes: Write[]): void {
  const seen = new Set<string>();
  for (const write of writes) {
    const { PK, SK } = keysOf(write.entity);
    const id = JSON.stringify([PK, SK]);
    if (seen.has(id)) throw new Error(`A transaction names the same item more than once: ${id}`);
    seen.add(id);
  }
}

const LOST_RACE_REASONS = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict']);

/** A failed condition or a concurrent transaction is a lost race; anything else is a bug to surface. */
function isLostRace(error: TransactionCanceledException): boolean {
  return (error.CancellationReasons ?? []).every((reason) => LOST_RACE_REASONS.has(reason.Code ?? 'None'));
}

const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/** Cancelled because an item was throttled (and otherwise only lost races): nothing was written, a retry may pass. */
function isThrottled(error: TransactionCanceledException): boolean {
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  return (
    codes.some((code) => THROTTLED_REASONS.has(code)) && codes.every((code) => THROTTLED_REASONS.has(code) || LOST_RACE_REASONS.has(code))
  );
}

function describeCancellation(error: TransactionCanceledException): string {
  const reasons = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  return `Transaction cancelled: ${reasons.join(', ')}`;
}
