// The store contract on DynamoDB Local (a fresh table per test), and what only this adapter does:
// mark expiring items for DynamoDB's TTL.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { poolCidrKey } from '../../../lambdas/adapters/dynamodb/keys.ts';
import { DynamoDbStore } from '../../../lambdas/adapters/dynamodb/store.ts';
import { TIME_TO_LIVE_ATTRIBUTE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
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
