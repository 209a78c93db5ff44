// The store contract on DynamoDB Local: conditional writes, atomic commits, best-fit order and
// the containing-block lookup the allocator relies on.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { poolCidrKey } from '../../../lambdas/adapters/dynamodb/keys.ts';
import { DynamoDbStore } from '../../../lambdas/adapters/dynamodb/store.ts';
import { TIME_TO_LIVE_ATTRIBUTE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { parseCidr } from '../../../lambdas/domain/cidr.ts';
import type { FreeBlock, IpamPoolAllocation, IpamRegionSlot } from '../../../lambdas/domain/model.ts';
import { StoreConflict, type Write } from '../../../lambdas/ports/store.ts';
import { createTestTable } from '../../support/dynamodb.ts';

let store: DynamoDbStore;
let rawItem: (key: { PK: string; SK: string }) => Promise<Record<string, unknown> | undefined>;

beforeAll(async () => {
  const { doc, tableName } = await createTestTable();
  store = new DynamoDbStore(doc, tableName);
  rawItem = async (key) => (await doc.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
});

const freeBlock = (spaceId: string, cidr: string, within = cidr): Write => ({ op: 'create', entity: { type: 'free-block', value: { spaceId, cidr, within } } });

function allocation(poolId: string, n: number): IpamPoolAllocation {
  return {
    IpamPoolAllocationId: `ipam-pool-alloc-${String(n).padStart(32, '0')}`,
    Cidr: `10.0.${n}.0/24`,
    ResourceType: 'custom',
    ResourceOwner: '123456789012',
    Tags: [],
    ipamPoolId: poolId,
    within: '10.0.0.0/16',
    createdAt: new Date().toISOString(),
  };
}

describe('DynamoDbStore', () => {
  it('refuses to create what exists, and applies nothing of a commit whose condition fails', async () => {
    const slot: IpamRegionSlot = { accountId: '123456789012', region: 'us-east-1', ipamId: 'ipam-1' };
    await store.commit([{ op: 'create', entity: { type: 'ipam-region-slot', value: slot } }]);
    await expect(
      store.commit([freeBlock('space-atomic', '10.0.0.0/8'), { op: 'create', entity: { type: 'ipam-region-slot', value: slot } }]),
    ).rejects.toBeInstanceOf(StoreConflict);
    expect(await store.getFreeBlock('space-atomic', parseCidr('10.0.0.0/8'))).toBeUndefined();
  });

  it('updates only the version it read, and bumps it', async () => {
    const cidr = { IpamPoolCidrId: 'ipam-pool-cidr-1', State: 'provisioned' as const, NetmaskLength: 16, ipamPoolId: 'pool-v', sourceSpaceId: 's', version: 1 };
    await store.commit([{ op: 'create', entity: { type: 'pool-cidr', value: cidr } }]);
    await store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...cidr, State: 'deprovisioned' } } }]);
    expect(await store.getPoolCidr('pool-v', 'ipam-pool-cidr-1')).toMatchObject({ State: 'deprovisioned', version: 2 });
    await expect(store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...cidr, State: 'provisioned' } } }])).rejects.toBeInstanceOf(StoreConflict);
    await expect(store.commit([{ op: 'check', entity: { type: 'pool-cidr', value: cidr } }])).rejects.toBeInstanceOf(StoreConflict);
    await expect(store.commit([{ op: 'delete', entity: { type: 'pool-cidr', value: cidr } }])).rejects.toBeInstanceOf(StoreConflict);
  });

  it("marks a finished pool CIDR for DynamoDB's TTL at its retainedUntil, and a live one not at all", async () => {
    const live = { IpamPoolCidrId: 'ipam-pool-cidr-ttl', State: 'provisioned' as const, NetmaskLength: 16, ipamPoolId: 'pool-ttl', sourceSpaceId: 's', version: 1 };
    await store.commit([{ op: 'create', entity: { type: 'pool-cidr', value: live } }]);
    expect((await rawItem(poolCidrKey('pool-ttl', 'ipam-pool-cidr-ttl')))?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    const retainedUntil = '2030-01-02T00:00:00.000Z';
    await store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...live, State: 'deprovisioned', retainedUntil } } }]);
    expect((await rawItem(poolCidrKey('pool-ttl', 'ipam-pool-cidr-ttl')))?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(retainedUntil) / 1000);
    expect(await store.getPoolCidr('pool-ttl', 'ipam-pool-cidr-ttl')).toMatchObject({ State: 'deprovisioned', retainedUntil });
  });

  it('deletes a free block only while it exists: two takers of one block, one wins', async () => {
    await store.commit([freeBlock('space-race', '10.0.0.0/24')]);
    const take = { op: 'delete', entity: { type: 'free-block', value: { spaceId: 'space-race', cidr: '10.0.0.0/24', within: '10.0.0.0/24' } } } as const;
    const results = await Promise.allSettled([store.commit([take]), store.commit([take])]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(StoreConflict);
  });

  it("checks that a record is still absent, and reads several free blocks by CIDR at once", async () => {
    await store.commit([freeBlock('space-absent', '10.0.0.0/28'), freeBlock('space-absent', '10.0.0.32/27')]);
    const absent = (cidr: string): Write => ({ op: 'absent', entity: { type: 'free-block', value: { spaceId: 'space-absent', cidr, within: cidr } } });
    await store.commit([absent('10.0.0.16/28'), freeBlock('space-absent', '10.0.0.64/26')]);
    await expect(store.commit([absent('10.0.0.0/28'), freeBlock('space-absent', '10.0.0.128/25')])).rejects.toBeInstanceOf(StoreConflict);
    expect(await store.getFreeBlock('space-absent', parseCidr('10.0.0.128/25'))).toBeUndefined();
    const found = await store.getFreeBlocks('space-absent', ['10.0.0.0/28', '10.0.0.16/28', '10.0.0.64/26'].map(parseCidr));
    expect(found.map((block) => block.cidr).sort()).toEqual(['10.0.0.0/28', '10.0.0.64/26']);
    expect(await store.getFreeBlocks('space-absent', [])).toEqual([]);
  });

  it('reads what a release needs in one go: the pool, the allocation and the free buddies', async () => {
    const taken = allocation('pool-release', 1);
    await store.commit([{ op: 'create', entity: { type: 'allocation', value: taken } }, freeBlock('pool-release', '10.0.0.0/24', '10.0.0.0/16')]);
    const view = await store.getReleaseView('pool-release', taken.IpamPoolAllocationId, ['10.0.0.0/24', '10.0.2.0/23'].map(parseCidr));
    expect(view).toEqual({ pool: undefined, allocation: taken, freeBuddies: [{ spaceId: 'pool-release', cidr: '10.0.0.0/24', within: '10.0.0.0/16' }] });
    expect((await store.getReleaseView('pool-release', 'ipam-pool-alloc-missing', [])).allocation).toBeUndefined();
  });

  it('lists free blocks in best-fit order: smallest that fits first, lowest address among equals', async () => {
    await store.commit(['10.2.0.0/16', '10.1.0.0/24', '10.0.0.0/24', '10.3.0.0/28', '10.4.0.0/25'].map((c) => freeBlock('space-order', c)));
    const order: string[] = [];
    for await (const block of store.freeBlocksForPrefix('space-order', 'ipv4', 26)) order.push(block.cidr);
    expect(order).toEqual(['10.4.0.0/25', '10.0.0.0/24', '10.1.0.0/24', '10.2.0.0/16']);
    const none: FreeBlock[] = [];
    for await (const block of store.freeBlocksForPrefix('space-order', 'ipv6', 64)) none.push(block);
    expect(none).toEqual([]);
  });

  it('finds the free block containing a CIDR, for IPv4 and for an IPv6 /128 (two batches of ancestors)', async () => {
    await store.commit([freeBlock('space-contain', '10.2.0.0/16'), freeBlock('space-contain', '2001:db8::/32')]);
    expect((await store.freeBlockContaining('space-contain', parseCidr('10.2.5.0/24')))?.cidr).toBe('10.2.0.0/16');
    expect((await store.freeBlockContaining('space-contain', parseCidr('10.2.0.0/16')))?.cidr).toBe('10.2.0.0/16');
    expect(await store.freeBlockContaining('space-contain', parseCidr('10.3.0.0/24'))).toBeUndefined();
    expect((await store.freeBlockContaining('space-contain', parseCidr('2001:db8:1:2::7/128')))?.cidr).toBe('2001:db8::/32');
  });

  it('pages through allocations without losing or repeating any', async () => {
    await store.commit(Array.from({ length: 25 }, (_, n): Write => ({ op: 'create', entity: { type: 'allocation', value: allocation('pool-pages', n) } })));
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.listAllocations('pool-pages', { limit: 10, after });
      seen.push(...page.items.map((a) => a.IpamPoolAllocationId));
      after = page.next;
      pages++;
    } while (after);
    expect(new Set(seen).size).toBe(25);
    expect(pages).toBeGreaterThanOrEqual(3);
  });
});
