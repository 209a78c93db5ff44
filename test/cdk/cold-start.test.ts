// The bench's cold-start measure (scripts/bench/cold-start.ts) as a test: the api handler bundled
// with the CDK's esbuild options (bundling.test.ts checks they write the synth's very bundle),
// loaded by fresh plain Node processes with the function's environment, answers SigV4-signed
// AllocateIpamPoolCidr requests from a pool on DynamoDB Local — with and without source maps.
// Its timings are the bench's business; here only that it runs and what it reports.
import { expect, test } from 'vitest';
import { measureColdStart } from '../../scripts/bench/cold-start.ts';
import { dynamoDbEndpoint } from '../support/dynamodb.ts';

test('the bundled api loads in a fresh node and answers a signed AllocateIpamPoolCidr, first and warm', async () => {
  // measureColdStart throws unless every call answered 200 with a /24 from the pool.
  const cold = await measureColdStart({ dynamoDbEndpoint: dynamoDbEndpoint(), runs: 1, warmCalls: 2 });
  expect(cold.runs).toBe(1);
  expect(cold.bundleGzipBytes).toBeGreaterThan(0);
  expect(cold.bundleGzipBytes).toBeLessThan(cold.bundleBytes);
  expect(cold.sourceMapBytes).toBeGreaterThan(0);
  for (const run of [cold.deployed, cold.withSourceMaps]) {
    for (const value of Object.values(run)) expect(value).toBeGreaterThan(0);
    // The secret's read happens during the import, after the evaluation it ends.
    expect(run.evaluateMs).toBeLessThanOrEqual(run.loadMs);
  }
}, 120_000);
