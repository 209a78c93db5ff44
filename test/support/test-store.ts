// Which Store the use-case rule tests run on, read once for the whole run (vitest.config.ts and the
// harness both ask here): the in-memory adapter by default, fast and without Java, or DynamoDB
// Local with IPAM_TEST_STORE=dynamodb. The contract suite (test/adapters/store-contract.ts) is what
// keeps the two alike; running the rule tests on DynamoDB Local now and then checks it held.
export type TestStoreKind = 'memory' | 'dynamodb';

function selectedTestStore(value: string | undefined): TestStoreKind {
  if (value === undefined || value === '' || value === 'memory') return 'memory';
  if (value === 'dynamodb') return 'dynamodb';
  throw new Error(`IPAM_TEST_STORE must be 'memory' (the default) or 'dynamodb'; got '${value}'`);
}

export const TEST_STORE: TestStoreKind = selectedTestStore(process.env.IPAM_TEST_STORE);
