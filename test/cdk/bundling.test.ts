// The one synthesis with bundling on, over the repository's real handlers and statemachines/:
// esbuild (local, never Docker) must produce an ESM bundle per Lambda, and the api and discovery
// sweep bundles must actually run — loaded by plain Node as Lambda would, against DynamoDB Local
// and a stand-in for the Secrets Manager and Step Functions endpoints — the one answering a
// signed CreateIpam, the other sweeping a static inventory file.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestTable, dynamoDbEndpoint, type TestTable } from '../support/dynamodb.ts';
import { lambdaContext, signedQueryEvent } from './support/api-gateway-event.ts';
import { type FakeAwsEndpoint, startFakeAwsEndpoint } from './support/fake-aws-endpoint.ts';
import { createUseCaseHarness } from '../support/use-cases.ts';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { PROJECT_ROOT, removeTemporaryDirs, type Synthesised, synthesise, temporaryDir } from './support/synth.ts';
import { seedExecution } from '../workflows/support.ts';
import { lambdaEsbuildOptions } from '../../lib/lambda-bundling.ts';

const CALLER = {
  accessKeyId: 'AKIABUNDLETEST000001',
  secretAccessKey: 'bundle-test-secret-0123456789abcdefghij',
  accountId: '210987654321',
};

let synth: Synthesised;
let table: TestTable;
let fakeAws: FakeAwsEndpoint | undefined;

beforeAll(async () => {
  synth = synthesise({ bundling: true });
  table = await createTestTable();
});

afterAll(async () => {
  table?.client.destroy();
  await fakeAws?.close();
  removeTemporaryDirs();
});

/** The folder esbuild wrote a function's code to, found through the stack's asset manifest. */
function bundleDir(functionName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(synth.outdir, `${synth.stateless.artifactId}.assets.json`), 'utf8'));
  const asset = Object.values(manifest.files as Record<string, { displayName: string; source: { path: string } }>).find(
    (file) => file.displayName === `${functionName}/Function/Code`,
  );
  expect(asset, functionName).toBeDefined();
  return path.join(synth.outdir, asset!.source.path);
}

test.each(['ApiHandler', 'WorkflowTask', 'DiscoverySweep', 'WorkflowReconciler'])(
  '%s is bundled to one ESM file with a source map',
  (name) => {
    const dir = bundleDir(name);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __ipamCreateRequire } from 'node:module';")).toBe(true);
    expect(statSync(path.join(dir, 'index.mjs.map')).size).toBeGreaterThan(0);
    expect(code.length).toBeLessThan(5 * 1024 * 1024);
  },
);

test('lambdaEsbuildOptions (the bench bundles with them) write the very index.mjs the synth wrote for the api', async () => {
  const outdir = temporaryDir('ipam-esbuild-');
  await build(lambdaEsbuildOptions(PROJECT_ROOT, path.join(PROJECT_ROOT, 'lambdas/handlers/api-lambda.ts'), outdir));
  expect(readFileSync(path.join(outdir, 'index.mjs')).equals(readFileSync(path.join(bundleDir('ApiHandler'), 'index.mjs')))).toBe(true);
});

test('the api bundle has only the EC2 shapes its codec knows; the sweep bundle has the EC2 client discovery reads with', () => {
  // The api function reads no inventory (docs/performance.md, Lambda cold start): no EC2 client, ~860 KB less to load.
  const shapeOfAnUnknownOperation = '"DescribeInstancesRequest"';
  expect(readFileSync(path.join(bundleDir('ApiHandler'), 'index.mjs'), 'utf8')).not.toContain(shapeOfAnUnknownOperation);
  expect(readFileSync(path.join(bundleDir('DiscoverySweep'), 'index.mjs'), 'utf8')).toContain(shapeOfAnUnknownOperation);
});

test('the bundled api Lambda runs under plain Node and answers a signed CreateIpam with EC2 XML', async () => {
  // Answers the two JSON-protocol calls the api Lambda makes besides DynamoDB.
  fakeAws = await startFakeAwsEndpoint(({ target }) =>
    target === 'secretsmanager.GetSecretValue'
      ? { SecretString: JSON.stringify({ accessKeys: [CALLER], paginationSecret: 'b'.repeat(64) }) }
      : target === 'AWSStepFunctions.StartExecution'
        ? { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ipam-resource-creation:x', startDate: Date.now() / 1000 }
        : undefined,
  );
  const endpoint = fakeAws.url;
  const event = await signedQueryEvent({ body: 'Action=CreateIpam&Version=2016-11-15&Description=bundled', credentials: CALLER });
  const script = `
    const { handler } = await import(${JSON.stringify(path.join(bundleDir('ApiHandler'), 'index.mjs'))});
    const result = await handler(JSON.parse(process.env.TEST_EVENT), { ...JSON.parse(process.env.TEST_CONTEXT), getRemainingTimeInMillis: () => 25000 });
    process.stdout.write(JSON.stringify(result));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', script], {
    env: {
      PATH: process.env.PATH,
      TEST_EVENT: JSON.stringify(event),
      TEST_CONTEXT: JSON.stringify(lambdaContext),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_SFN: endpoint,
      IPAM_TABLE_NAME: table.tableName,
      IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
      IPAM_ACCESS_KEYS_SECRET_ID: 'ipam-access-keys',
      IPAM_EVENT_BUS_NAME: 'ipam-events',
      IPAM_STATE_MACHINE_ARNS: JSON.stringify({
        'resource-creation': 'arn:aws:states:us-east-1:123456789012:stateMachine:ipam-resource-creation',
      }),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  });
  const result = JSON.parse(stdout.slice(stdout.lastIndexOf('{"statusCode"')));
  expect(result.statusCode).toBe(200);
  const body = new XMLParser({ parseTagValue: false }).parse(result.body).CreateIpamResponse;
  expect(body.requestId).toBe(result.headers['x-amzn-RequestId']);
  expect(body.ipam.ipamId).toMatch(/^ipam-[0-9a-f]{17}$/);
  expect(fakeAws.calls.map((call) => call.target)).toEqual(['secretsmanager.GetSecretValue', 'AWSStepFunctions.StartExecution']);
});

test('with the real handlers and statemachines/, every ASL file becomes a state machine', () => {
  const machines = Object.values(synth.statelessTemplate.findResources('AWS::StepFunctions::StateMachine')).map(
    (machine) => machine.Properties.StateMachineName,
  );
  const files = Object.keys(synth.stateless.stateMachines).map((name) => `ipam-${name}`);
  expect(machines.sort()).toEqual(files.sort());
  // No allow-list by default: no resource policy.
  expect(Object.values(synth.statelessTemplate.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Policy).toBeUndefined();
});

test('the bundled discovery sweep runs under plain Node: one sweep of the inventory file, its report logged, EMF on stdout', async () => {
  // A table with one IPAM (its default resource discovery covers us-east-1), and what exists there.
  const sweepTable = await createTestTable();
  const harness = await createUseCaseHarness({ store: new DynamoDbStore(sweepTable.doc, sweepTable.tableName) });
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
  const inventoryFile = path.join(temporaryDir('ipam-inventory-'), 'inventory.json');
  writeFileSync(
    inventoryFile,
    JSON.stringify({
      accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-0a1b2c3d4e5f60718', Cidrs: ['10.0.0.0/16'] }] } } },
    }),
  );
  const script = `
    const { handler } = await import(${JSON.stringify(path.join(bundleDir('DiscoverySweep'), 'index.mjs'))});
    const report = await handler({ 'detail-type': 'Scheduled Event', time: '2026-11-23T08:00:00Z' }, { ...JSON.parse(process.env.TEST_CONTEXT), getRemainingTimeInMillis: () => 300000 });
    process.stdout.write('REPORT ' + JSON.stringify(report));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', script], {
    env: {
      PATH: process.env.PATH,
      TEST_CONTEXT: JSON.stringify({ ...lambdaContext, functionName: 'ipam-stateless-DiscoverySweepFunction' }),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // As the stack sets them (lib/stateless-stack.ts), with DynamoDB Local and the static inventory.
      IPAM_TABLE_NAME: sweepTable.tableName,
      IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
      IPAM_EVENT_BUS_NAME: 'ipam-events',
      IPAM_INVENTORY_FILE: inventoryFile,
      IPAM_METRICS_NAMESPACE: 'ipam',
      IPAM_DISCOVERY_MEMBER_ACCOUNTS: '',
      IPAM_DISCOVERY_ROLE_NAME: 'IpamDiscoveryRole',
      IPAM_UTILIZATION_THRESHOLDS: '80,90',
      POWERTOOLS_SERVICE_NAME: 'ipam-discovery',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
  });
  sweepTable.client.destroy();
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('REPORT ') + 'REPORT '.length));
  expect(report).toEqual({ resourceDiscoveries: 1, accountsRead: 1, accountsFailed: 0, ipamsEvaluated: 1, imported: 0, released: 0 });
  const lines = stdout
    .slice(0, stdout.lastIndexOf('REPORT '))
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
  expect(lines).toContainEqual(
    expect.objectContaining({ message: 'sweep done', report, function_name: 'ipam-stateless-DiscoverySweepFunction' }),
  );
  // EMF on stdout, in the configured namespace, e.g. the private scope's count of unmanaged VPC CIDRs.
  const emf = lines.filter((line) => line._aws);
  expect(emf.length).toBeGreaterThan(0);
  expect(emf.every((line) => line._aws.CloudWatchMetrics[0].Namespace === 'ipam')).toBe(true);
  expect(emf.find((line) => line.ScopeID === Ipam.PrivateDefaultScopeId && line.AddressFamily === 'IPv4')).toMatchObject({
    UnmanagedResourceCidrs: 1,
  });
});

test('the bundled workflow reconciler runs under plain Node: an open execution Step Functions never started is started, its metrics on stdout', async () => {
  const reconcileTable = await createTestTable();
  const execution = await seedExecution(new DynamoDbStore(reconcileTable.doc, reconcileTable.tableName), 'resource-creation', {
    args: { resourceType: 'ipam', id: 'ipam-0123456789abcdef0' },
  });
  const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:ipam-resource-creation';
  const sfn = await startFakeAwsEndpoint(({ target }) =>
    target === 'AWSStepFunctions.DescribeExecution'
      ? { __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' }
      : target === 'AWSStepFunctions.StartExecution'
        ? { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ipam-resource-creation:x', startDate: Date.now() / 1000 }
        : undefined,
  );
  const script = `
    const { handler } = await import(${JSON.stringify(path.join(bundleDir('WorkflowReconciler'), 'index.mjs'))});
    const report = await handler({ 'detail-type': 'Scheduled Event', time: '2026-11-23T08:00:00Z' }, { ...JSON.parse(process.env.TEST_CONTEXT), getRemainingTimeInMillis: () => 120000 });
    process.stdout.write('REPORT ' + JSON.stringify(report));`;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', script], {
      env: {
        PATH: process.env.PATH,
        TEST_CONTEXT: JSON.stringify({ ...lambdaContext, functionName: 'ipam-stateless-WorkflowReconcilerFunction' }),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_SFN: sfn.url,
        // As the stack sets them (lib/stateless-stack.ts), with DynamoDB Local.
        IPAM_TABLE_NAME: reconcileTable.tableName,
        IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
        IPAM_EVENT_BUS_NAME: 'ipam-events',
        IPAM_METRICS_NAMESPACE: 'ipam',
        IPAM_STATE_MACHINE_ARNS: JSON.stringify({ 'resource-creation': stateMachineArn }),
        IPAM_RECONCILE_GRACE_S: '60',
        POWERTOOLS_SERVICE_NAME: 'ipam-workflow-reconciler',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    const report = JSON.parse(stdout.slice(stdout.lastIndexOf('REPORT ') + 'REPORT '.length));
    expect(report).toMatchObject({ open: 1, running: 0, restarted: [execution.executionId], failed: [] });
    expect(report.oldestAgeSeconds).toBeGreaterThan(60);
    expect(sfn.calls).toEqual([
      {
        target: 'AWSStepFunctions.DescribeExecution',
        input: { executionArn: `arn:aws:states:us-east-1:123456789012:execution:ipam-resource-creation:${execution.executionId}` },
      },
      {
        target: 'AWSStepFunctions.StartExecution',
        input: {
          stateMachineArn,
          name: execution.executionId,
          input: JSON.stringify({ executionId: execution.executionId, args: execution.args }),
        },
      },
    ]);
    // Powertools writes warnings to stderr, the rest (EMF included) to stdout.
    const lines = `${stdout.slice(0, stdout.lastIndexOf('REPORT '))}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'open workflow execution restarted', executionId: execution.executionId }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ message: 'workflows reconciled', report }));
    expect(lines.find((line) => line._aws)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'ipam', Dimensions: [['Service']] }] },
      Service: 'ipam-workflows',
      OpenWorkflowExecutions: 1,
      OldestOpenWorkflowExecutionAge: report.oldestAgeSeconds,
    });
  } finally {
    await sfn.close();
    reconcileTable.client.destroy();
  }
});
