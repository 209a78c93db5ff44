// What the store relies on, checked against the run's DynamoDB Local: the table definition and
// transactions that report why they were cancelled.
import { DescribeTableCommand, type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../lambdas/adapters/dynamodb/table.ts';
import { createTestTable } from '../../support/dynamodb.ts';

let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ client, doc, tableName } = await createTestTable());
});

describe('ensureTable', () => {
  it('creates the single table with PK/SK and GSI1, on demand', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus, index.Projection?.ProjectionType])).toEqual([
      ['GSI1', 'ACTIVE', 'ALL'],
    ]);
  });

  it('leaves an existing table and its items alone', async () => {
    await doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'IPAM#ipam-1', SK: 'META' } }));
    await ensureTable(client, tableName);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'IPAM#ipam-1', SK: 'META' } }));
    expect(Item).toEqual({ PK: 'IPAM#ipam-1', SK: 'META' });
  });

  it('tolerates several callers creating the same table at once', async () => {
    const name = `${tableName}-raced`;
    await Promise.all([1, 2, 3, 4].map(() => ensureTable(client, name)));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });
});

describe('transactions', () => {
  it('apply nothing when a condition fails, and say which one failed and why', async () => {
    const existing = { PK: 'POOL#ipam-pool-1', SK: 'ALLOC#a', Cidr: '10.0.0.0/24' };
    await doc.send(new PutCommand({ TableName: tableName, Item: existing }));

    const error = await doc
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { PK: 'POOL#ipam-pool-1', SK: 'ALLOC#b' },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              // Invariant under test: an allocation id is used once.
              Put: {
                TableName: tableName,
                Item: { ...existing, Cidr: '10.0.1.0/24' },
                ConditionExpression: 'attribute_not_exists(PK)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      )
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons;
    expect(reasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(reasons?.[1]?.Item?.Cidr).toEqual({ S: '10.0.0.0/24' });
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'POOL#ipam-pool-1', SK: 'ALLOC#b' } }));
    expect(Item).toBeUndefined();
  });
});
