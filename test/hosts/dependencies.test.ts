// One builder, two hosts: from the same configuration, the Lambda host and `npm start` get the
// same DynamoDB store (one client, on the configured endpoint and table) and differ only where a
// host must — Step Functions or the in-process engine, EventBridge or the events file, EC2 or no
// discovery by default. Work one host leaves open on the table, the other finishes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import { EventBridgeBus } from '../../lambdas/adapters/eventbridge/event-bus.ts';
import { EmbeddedCompanionsInventory } from '../../lambdas/adapters/local/embedded-companions-inventory.ts';
import { LocalEventLog } from '../../lambdas/adapters/local/event-log.ts';
import { LocalWorkflowEngine } from '../../lambdas/adapters/local/workflow-engine.ts';
import { EmfMetrics } from '../../lambdas/adapters/metrics/emf-metrics.ts';
import { StoredOrganizationDirectory } from '../../lambdas/adapters/organization-directory.ts';
import { StepFunctionsWorkflows } from '../../lambdas/adapters/step-functions/workflows.ts';
import { type Config, loadConfig } from '../../lambdas/config.ts';
import { HttpEc2Upstream } from '../../lambdas/adapters/ec2-upstream/ec2-upstream.ts';
import { dynamoDbClient } from '../../lambdas/hosts/dependencies.ts';
import { lambdaDependencies } from '../../lambdas/hosts/lambda/functions.ts';
import { localDependencies } from '../../lambdas/hosts/local/service.ts';
import type { OutboxEntry } from '../../lambdas/domain/model/events.ts';
import type { EventPublisher } from '../../lambdas/ports/events.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { type Announcement, commitAnnouncing } from '../../lambdas/use-cases/kernel/outbox.ts';
import { reconcileWorkflows } from '../../lambdas/use-cases/kernel/reconcile.ts';
import { createTestTable, dynamoDbEndpoint, type TestTable } from '../support/dynamodb.ts';
import { RecordingLog } from '../support/recording-log.ts';

const CONTEXT = { accountId: '123456789012', region: 'us-east-1', requestId: 'test' };

let table: TestTable;
let dir: string;
let config: Config;

beforeAll(async () => {
  table = await createTestTable();
  dir = await mkdtemp(path.join(tmpdir(), 'ipam-hosts-'));
  // What both hosts read: DynamoDB Local, the test's table, a bus name (no state machine ARNs).
  config = loadConfig(
    { IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(), IPAM_TABLE_NAME: table.tableName, IPAM_EVENT_BUS_NAME: 'ipam-events' },
    dir,
  );
});

afterAll(async () => {
  table.client.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** Both hosts' dependencies from `config`; the Lambda host's SDK clients as its X-Ray wrapper sees them. */
function bothHosts() {
  const wrapped: unknown[] = [];
  const lambdaLog = new RecordingLog();
  const lambda = lambdaDependencies(config, {
    log: lambdaLog,
    wrap: (client) => {
      wrapped.push(client);
      return client;
    },
  });
  const localClient = dynamoDbClient(config.dynamoDbEndpoint);
  const local = localDependencies(config, {
    dynamoDb: localClient,
    eventsFile: path.join(dir, 'events.jsonl'),
    metricsFile: path.join(dir, 'metrics.jsonl'),
    log: new RecordingLog(),
  });
  return { lambda, lambdaLog, wrapped, local, localClient };
}

test('each host gets the DynamoDB store on one client for the configured endpoint, and its own workflows, events and inventory', async () => {
  const { lambda, wrapped, local, localClient } = bothHosts();
  expect(lambda.store).toBeInstanceOf(DynamoDbStore);
  expect(local.store).toBeInstanceOf(DynamoDbStore);
  // The Lambda host makes exactly one DynamoDB client (traced like its other SDK clients), for the configured endpoint.
  const dynamoDbClients = wrapped.filter((client) => client instanceof DynamoDBClient);
  expect(dynamoDbClients).toHaveLength(1);
  for (const client of [dynamoDbClients[0], localClient]) {
    const { hostname, port } = await client.config.endpoint!();
    expect(`http://${hostname}:${port}`).toBe(dynamoDbEndpoint());
    expect(await client.config.region()).toBe('us-east-1');
  }
  expect(lambda.workflows).toBeInstanceOf(StepFunctionsWorkflows);
  expect(local.workflows).toBeInstanceOf(LocalWorkflowEngine);
  expect(lambda.events).toBeInstanceOf(EventBridgeBus);
  expect(local.events).toBeInstanceOf(LocalEventLog);
  expect(lambda.metrics).toBeInstanceOf(EmfMetrics);
  expect(local.metrics).toBeInstanceOf(EmfMetrics);
  expect(lambda.inventory).toBeInstanceOf(Ec2Inventory);
  // Both keep the organisation where every process of the host sees it: the table item, the file.
  expect(lambda.organization).toBeInstanceOf(StoredOrganizationDirectory);
  expect(local.organization).toBeInstanceOf(StoredOrganizationDirectory);
  // npm start adds the VPCs and subnets it keeps itself to what its configured source (none here) sees.
  expect(local.inventory).toBeInstanceOf(EmbeddedCompanionsInventory);
  expect(local.ec2Companions).toBe('embedded');
  expect(lambda.ec2Companions).toBe('off');
  // The rest comes from the configuration, the same for both.
  for (const deps of [lambda, local]) {
    expect(deps.publicSpace).toEqual(config.publicSpace);
    expect(deps.paginationSecret).toBe(config.paginationSecret);
    expect(deps.discovery).toEqual({ administratorAccount: config.accountId, memberAccounts: [], utilisationThresholds: [80, 90] });
  }
  await local.workflows.stop();
  localClient.destroy();
});

test('the Lambda host keeps the organisation in the table, the local host in its file', async () => {
  const { lambda, local, localClient } = bothHosts();
  const lambdaOrg = (await lambda.organization.list())[0]!;
  await lambda.organization.change(lambdaOrg.Id, (org) => ({ ...org, sharingWithOrganizationEnabled: true }));
  // Another Lambda instance reads the same item.
  const other = lambdaDependencies(config, { log: new RecordingLog() });
  expect((await other.organization.list())[0]!.sharingWithOrganizationEnabled).toBe(true);
  // The local host's organisation is its file, untouched by the table item.
  expect((await local.organization.list())[0]!.sharingWithOrganizationEnabled).toBe(false);
  await local.workflows.stop();
  localClient.destroy();
});

test('an IPAM whose Step Functions start failed is logged, left open on the table, and finished by the local engine', async () => {
  const { lambda, lambdaLog, local, localClient } = bothHosts();
  // No state machine ARNs are configured, so the Lambda host's start fails after the commit.
  const { Ipam } = (await dispatch(lambda, CONTEXT, 'CreateIpam', {})) as { Ipam: { IpamId: string; State: string } };
  expect(Ipam.State).toBe('create-in-progress');
  expect(lambdaLog.entries).toEqual([
    {
      level: 'error',
      message: 'workflow did not start; it stays open to be resumed',
      fields: expect.objectContaining({ workflow: 'resource-creation' }),
    },
  ]);

  await reconcileWorkflows(local, { graceSeconds: 0 });
  await local.workflows.drain();
  const { Ipams } = (await dispatch(lambda, CONTEXT, 'DescribeIpams', { IpamIds: [Ipam.IpamId] })) as { Ipams: { State: string }[] };
  expect(Ipams.map((ipam) => ipam.State)).toEqual(['create-complete']);
  await local.workflows.stop();
  localClient.destroy();
});

/** A destination that takes every event. */
const takesAll: EventPublisher = { publish: async (events) => new Set(events.map((event) => event.eventId)) };
const announcement: Announcement = {
  event: {
    'detail-type': 'IPAM Organization Admin Account Change',
    detail: { organizationId: 'o-2skyuw7u2n', delegatedAdminAccountId: '111111111111', change: 'enabled' },
  },
  accountId: CONTEXT.accountId,
  region: CONTEXT.region,
};

/** The outbox entries `store` has deleted so far, recorded as each delete completes. */
function recordForgotten(store: Store): OutboxEntry[] {
  const forgotten: OutboxEntry[] = [];
  const forget = store.deleteOutboxEntries.bind(store);
  store.deleteOutboxEntries = async (entries) => {
    await forget(entries);
    forgotten.push(...entries);
  };
  return forgotten;
}

test('the Lambda host forgets delivered events before the use case returns; npm start afterwards, in the background', async () => {
  const { lambda, local, localClient } = bothHosts();
  lambda.events = takesAll;
  local.events = takesAll;
  const inTable = async (entries: OutboxEntry[]) => {
    const ids = new Set(entries.map((entry) => entry.outboxId));
    return (await lambda.store.listOutboxEntries('2000-01-01T00:00:00.000Z', 1000)).filter((entry) => ids.has(entry.outboxId));
  };

  // A Lambda environment may be frozen as soon as it answers: what it delivered is gone by then.
  const lambdaForgot = recordForgotten(lambda.store);
  await commitAnnouncing(lambda, [], [announcement]);
  expect(lambdaForgot).toHaveLength(1);
  expect(await inTable(lambdaForgot)).toEqual([]);

  // npm start answers first and forgets after; its stop() flushes (hosts/local/service.ts).
  const localForgot = recordForgotten(local.store);
  await commitAnnouncing(local, [], [announcement]);
  expect(localForgot).toEqual([]);
  await local.outboxForgetter.flush();
  expect(localForgot).toHaveLength(1);
  expect(await inTable(localForgot)).toEqual([]);
  await local.workflows.stop();
  localClient.destroy();
});

test('npm start with an upstream EC2 endpoint forwards the EC2 companions there and reads discovery from it; the cloud never forwards', async () => {
  const upstreamConfig = loadConfig(
    {
      IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
      IPAM_TABLE_NAME: table.tableName,
      IPAM_EVENT_BUS_NAME: 'ipam-events',
      IPAM_EC2_UPSTREAM_URL: 'http://127.0.0.1:5000',
      IPAM_EC2_UPSTREAM_ACCESS_KEY_ID: 'moto-key',
    },
    dir,
  );
  expect(upstreamConfig.ec2Upstream).toEqual({ url: 'http://127.0.0.1:5000', accessKeyId: 'moto-key', secretAccessKey: 'test' });
  expect(() => loadConfig({ IPAM_EC2_UPSTREAM_URL: 'localhost:5000' }, dir)).toThrow(/IPAM_EC2_UPSTREAM_URL must be an http/);
  const upstream = new HttpEc2Upstream(upstreamConfig.ec2Upstream!);
  const localClient = dynamoDbClient(upstreamConfig.dynamoDbEndpoint);
  const local = localDependencies(upstreamConfig, {
    dynamoDb: localClient,
    eventsFile: path.join(dir, 'events.jsonl'),
    metricsFile: path.join(dir, 'metrics.jsonl'),
    log: new RecordingLog(),
    ec2Upstream: upstream,
  });
  expect(local.ec2Companions).toBe('forwarding');
  expect(local.ec2Upstream).toBe(upstream);
  expect(local.inventory).toBeInstanceOf(Ec2Inventory);
  // The Lambda host has no such setting: the companions stay off there whatever the environment says.
  const lambda = lambdaDependencies(upstreamConfig, { log: new RecordingLog() });
  expect(lambda.ec2Companions).toBe('off');
  expect(lambda.ec2Upstream).toBeUndefined();
  await local.workflows.stop();
  localClient.destroy();
  upstream.destroy();
});
