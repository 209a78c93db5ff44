// One in-memory DynamoDB Local for the whole test run; each test file makes its own table on it
// (test/support/dynamodb.ts). Only the `dynamodb-local` project of vitest.config.ts has this
// global setup, and Vitest runs it only when the run selected one of that project's files: a run
// of unit tests, of the in-memory contract suite or of the use-case tests on the in-memory store
// (the default; IPAM_TEST_STORE=dynamodb moves them here) needs no Java.
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
