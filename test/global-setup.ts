// One in-memory DynamoDB Local for the whole test run; each test file makes its own table on it
// (test/support/dynamodb.ts).
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../lambdas/adapters/local/dynamodb-local.ts';

declare module 'vitest' {
  interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal({ port: 0 });
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
