// The store contract on DynamoDB Local (a fresh table per test), and what only this adapter does:
// mark expiring items for DynamoDB's TTL.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { elasticIpKey, poolCidrKey } from '../../../lambdas/adapters/dynamodb/keys.ts';
import { DynamoDbStore } from '../../../lambdas/adapters/dynamodb/store.ts';
import { TIME_TO_LIVE_ATTRIBUTE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { ElasticIp } from '../../../lambdas/domain/model/public-space.ts';
import { StoreConflict } from '../../../lambdas/ports/store.ts';
import { createTestTable } from '../../support/dynamodb.ts';
import { describeStoreContract } from '../store-contract.ts';

describeStoreContract('DynamoDbStore', async () => {
  const { doc, tableName } = await createTestTable();
  return new DynamoDbStore(doc, tableName);
});

describe('DynamoDbStore and TTL', () => {
  it("marks a finished pool CIDR for DynamoDB's TTL at its retainedUntil, and a live one not at all", async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const rawItem = async (key: { PK: string; SK: string }) => (await doc.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    const live = {
      IpamPoolCidrId: 'ipam-pool-cidr-ttl',
      State: 'provisioned' as const,
      NetmaskLength: 16,
      ipamPoolId: 'pool-ttl',
      sourceSpaceId: 's',
      version: 1,
    };
    await store.commit([{ op: 'create', entity: { type: 'pool-cidr', value: live } }]);
    expect((await rawItem(poolCidrKey('pool-ttl', 'ipam-pool-cidr-ttl')))?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    const retainedUntil = '2030-01-02T00:00:00.000Z';
    await store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...live, State: 'deprovisioned', retainedUntil } } }]);
    expect((await rawItem(poolCidrKey('pool-ttl', 'ipam-pool-cidr-ttl')))?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(retainedUntil) / 1000);
    expect(await store.getPoolCidr('pool-ttl', 'ipam-pool-cidr-ttl')).toMatchObject({ State: 'deprovisioned', retainedUntil });
  });
});

describe('DynamoDbStore and records stored before their type was versioned', () => {
  it('updates an Elastic IP of 0.1.0 (no version) once, then by its version like any other', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const key = elasticIpKey('123456789012', 'us-east-1', 'eipalloc-0legacy');
    const legacy = { AllocationId: 'eipalloc-0legacy', ownerId: '123456789012', region: 'us-east-1', PublicIp: '203.0.113.7', Tags: [] };
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...legacy, ...key, type: 'elastic-ip' } }));
    const read = (await store.getElasticIp('123456789012', 'us-east-1', 'eipalloc-0legacy')) as ElasticIp;
    expect(read.version).toBeUndefined();
    const tagged = { ...read, Tags: [{ Key: 'team', Value: 'net' }] };
    await store.commit([{ op: 'update', entity: { type: 'elastic-ip', value: tagged } }]);
    // A second writer that read the unversioned record loses: the record has a version now.
    await expect(store.commit([{ op: 'update', entity: { type: 'elastic-ip', value: read } }])).rejects.toBeInstanceOf(StoreConflict);
    const now = (await store.getElasticIp('123456789012', 'us-east-1', 'eipalloc-0legacy')) as ElasticIp;
    expect(now).toMatchObject({ version: 1, Tags: [{ Key: 'team', Value: 'net' }] });
    await store.commit([{ op: 'update', entity: { type: 'elastic-ip', value: { ...now, Tags: [] } } }]);
    expect(await store.getElasticIp('123456789012', 'us-east-1', 'eipalloc-0legacy')).toMatchObject({ version: 2, Tags: [] });
  });
});
