// Test access to the run's DynamoDB Local (started by test/global-setup.ts).
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../lambdas/adapters/dynamodb/table.ts';

export interface TestTable {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export function dynamoDbEndpoint(): string {
  const endpoint = inject('dynamoDbEndpoint');
  // Everything below sends real requests: make sure they can only reach this machine.
  if (!endpoint || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(endpoint)) {
    throw new Error(`Tests need DynamoDB Local from test/global-setup.ts; got endpoint '${endpoint}'.`);
  }
  return endpoint;
}

/** A client for DynamoDB Local with dummy credentials, so no real AWS account is ever involved. */
export function testDynamoDbClient(endpoint = dynamoDbEndpoint()): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** A freshly created table of the real definition, unique to the caller. */
export async function createTestTable(): Promise<TestTable> {
  const client = testDynamoDbClient();
  const tableName = `test-${randomUUID()}`;
  await ensureTable(client, tableName);
  // Same marshalling as the service's own document client (lambdas/hosts/dependencies.ts).
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, doc, tableName };
}
