// The store contract on DynamoDB Local (a fresh table per test), and what only this adapter does:
// mark expiring items for DynamoDB's TTL, and read named records from the table, never the index.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  byoasnKey,
  byoipAdvertisementKey,
  elasticIpKey,
  executionKey,
  outboxKey,
  poolCidrKey,
  prefixListResolverVersionKey,
  recentEventKey,
} from '../../../lambdas/adapters/dynamodb/keys.ts';
import { DynamoDbStore } from '../../../lambdas/adapters/dynamodb/store.ts';
import { TIME_TO_LIVE_ATTRIBUTE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import type { Byoasn, ByoipCidrAdvertisement, ElasticIp } from '../../../lambdas/domain/model/public-space.ts';
import { StoreConflict } from '../../../lambdas/ports/store.ts';
import { CLOSED_EXECUTION_RETENTION_MS, OUTBOX_RETENTION_MS } from '../../../lambdas/domain/expiry.ts';
import type { OutboxEntry, RecentEvent } from '../../../lambdas/domain/model/events.ts';
import type { WorkflowExecution } from '../../../lambdas/domain/model/execution.ts';
import { createTestTable } from '../../support/dynamodb.ts';
import { ADMIN, OUTSIDER, ownerPool, ram, sharingOrganization, useOrganizations } from '../../support/sharing.ts';
import { createUseCaseHarness } from '../../support/use-cases.ts';
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

describe('DynamoDbStore and TTL of prefix list resolver versions', () => {
  it('marks a version retention let go at its retainedUntil, and unmarks it when kept again', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const rawItem = async () =>
      (await doc.send(new GetCommand({ TableName: tableName, Key: prefixListResolverVersionKey('ipam-prefix-list-resolver-t', 1) }))).Item;
    const kept = {
      version: 0,
      resolverId: 'ipam-prefix-list-resolver-t',
      Version: 1,
      cidrs: ['10.0.0.0/16'],
      createdAt: '2030-01-01T00:00:00.000Z',
    };
    await store.commit([{ op: 'create', entity: { type: 'prefix-list-resolver-version', value: kept } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    const retainedUntil = '2030-01-08T00:00:00.000Z';
    await store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-version', value: { ...kept, retainedUntil } } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(retainedUntil) / 1000);
    await store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-version', value: { ...kept, version: 1 } } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-t', 1)).toEqual({ ...kept, version: 2 });
  });
});

describe('DynamoDbStore and TTL of public-space records', () => {
  it('marks a failed or deprovisioned BYOASN at its retainedUntil, and a provisioned one not at all', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const rawItem = async () => (await doc.send(new GetCommand({ TableName: tableName, Key: byoasnKey('123456789012', '12345') }))).Item;
    const provisioned: Byoasn = {
      Asn: '12345',
      IpamId: 'ipam-ttl',
      State: 'provisioned',
      ownerId: '123456789012',
      ipamRegion: 'us-east-1',
      associationCount: 0,
      version: 1,
    };
    await store.commit([{ op: 'create', entity: { type: 'byoasn', value: provisioned } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    const retainedUntil = '2030-01-08T00:00:00.000Z';
    await store.commit([{ op: 'update', entity: { type: 'byoasn', value: { ...provisioned, State: 'deprovisioned', retainedUntil } } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(retainedUntil) / 1000);
  });

  it('marks the record of a finished BYOIP range outside IPAM, unless it still holds an advertisement or ASNs', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const key = byoipAdvertisementKey('123456789012', 'us-west-2', '130.137.249.0/24');
    const rawItem = async () => (await doc.send(new GetCommand({ TableName: tableName, Key: key }))).Item;
    const retainedUntil = '2030-01-02T00:00:00.000Z';
    const record: ByoipCidrAdvertisement = {
      ownerId: '123456789012',
      region: 'us-west-2',
      cidr: '130.137.249.0/24',
      advertised: false,
      associatedAsns: ['12345'],
      range: {
        state: 'deprovisioned',
        poolId: 'ipv4pool-ec2-0123456789abcdef0',
        publiclyAdvertisable: true,
        networkBorderGroup: 'us-west-2',
        poolTags: [],
        message: 'm',
        signature: 's',
        retainedUntil,
      },
      version: 1,
    };
    await store.commit([{ op: 'create', entity: { type: 'byoip-advertisement', value: record } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    await store.commit([{ op: 'update', entity: { type: 'byoip-advertisement', value: { ...record, associatedAsns: [] } } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(retainedUntil) / 1000);
  });
});

describe('DynamoDbStore and TTL of workflow executions', () => {
  it('marks a closed execution for TTL seven days after it finished, and an open one not at all', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const rawItem = async () => (await doc.send(new GetCommand({ TableName: tableName, Key: executionKey('exec-ttl') }))).Item;
    const open: WorkflowExecution = {
      executionId: 'exec-ttl',
      workflow: 'delete-pool',
      args: {},
      status: 'open',
      startedAt: '2030-01-01T00:00:00.000Z',
      version: 1,
    };
    await store.commit([{ op: 'create', entity: { type: 'execution', value: open } }]);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBeUndefined();
    const finishedAt = '2030-01-01T00:05:00.000Z';
    await store.commit([{ op: 'update', entity: { type: 'execution', value: { ...open, status: 'succeeded', finishedAt } } }]);
    expect(CLOSED_EXECUTION_RETENTION_MS).toBe(7 * 24 * 3600 * 1000);
    expect((await rawItem())?.[TIME_TO_LIVE_ATTRIBUTE]).toBe((Date.parse(finishedAt) + CLOSED_EXECUTION_RETENTION_MS) / 1000);
    expect(await store.getExecution('exec-ttl')).toMatchObject({ status: 'succeeded', finishedAt });
  });
});

describe('DynamoDbStore and TTL of outbox entries', () => {
  it('marks an entry for TTL a week after its commit: one never delivered is given up then', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const entry: OutboxEntry = { outboxId: '7e0e5a2c-0000-4000-8000-000000000001', createdAt: '2030-01-01T00:00:00.000Z', events: [] };
    await store.commit([{ op: 'create', entity: { type: 'outbox-entry', value: entry } }]);
    const item = (await doc.send(new GetCommand({ TableName: tableName, Key: outboxKey(entry) }))).Item;
    expect(OUTBOX_RETENTION_MS).toBe(7 * 24 * 3600 * 1000);
    expect(item?.[TIME_TO_LIVE_ATTRIBUTE]).toBe((Date.parse(entry.createdAt) + OUTBOX_RETENTION_MS) / 1000);
    expect(item?.PK).toBe('OUTBOX#7');
  });

  it('marks a recent event for TTL at its retainedUntil, in its account and Region’s partition', async () => {
    const { doc, tableName } = await createTestTable();
    const store = new DynamoDbStore(doc, tableName);
    const entry: OutboxEntry = { outboxId: '7e0e5a2c-0000-4000-8000-000000000002', createdAt: '2030-01-01T00:00:00.000Z', events: [] };
    const recent: RecentEvent = {
      eventId: 'ev-1',
      accountId: '123456789012',
      region: 'eu-west-1',
      time: entry.createdAt,
      event: { 'detail-type': 'Public IPv4 Pool Change', detail: { poolId: 'ipv4pool-ec2-1', change: 'created' } },
      retainedUntil: '2030-01-08T00:00:00.000Z',
    };
    await store.deleteOutboxEntries([entry], [recent]);
    const item = (await doc.send(new GetCommand({ TableName: tableName, Key: recentEventKey(recent) }))).Item;
    expect(item?.[TIME_TO_LIVE_ATTRIBUTE]).toBe(Date.parse(recent.retainedUntil) / 1000);
    expect(item?.PK).toBe('RECENT-EVENTS#123456789012#eu-west-1');
  });
});

/** The reads a DynamoDbStore sends, as its client sends them (recorded, then sent on to DynamoDB Local unchanged). */
async function recordedStore() {
  const { client, doc, tableName } = await createTestTable();
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { store: new DynamoDbStore(doc, tableName), sent };
}

/** The GSI1 partition an index query names (marshalled or not). */
const indexPartition = (input: Record<string, unknown>) => {
  const pk = (input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[':pk'];
  return typeof pk === 'string' ? pk : (pk as { S?: string } | undefined)?.S;
};

// Issue 18 item 5: after a create, a Describe by id sees it at once. GSI reads are eventually
// consistent in DynamoDB (and DynamoDB Local is not, so lag cannot be watched here): what is
// checked is that named records are read from the table with ConsistentRead, and only listings use
// the index. A pool or resource discovery shared with the caller is found through the share index.
describe('DynamoDbStore: Describe* by id reads the table, strongly consistent', () => {
  it('reads each named IPAM, scope, pool, resource discovery, association and token with a consistent GetItem', async () => {
    const { store, sent } = await recordedStore();
    const harness = await createUseCaseHarness({ store });
    const { Ipam: ipam } = await harness.call('CreateIpam', {});
    const { IpamPool: pool } = await harness.call('CreateIpamPool', { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    const { IpamExternalResourceVerificationToken: token } = await harness.call('CreateIpamExternalResourceVerificationToken', {
      IpamId: ipam.IpamId,
    });
    const named: [string, string, string, string][] = [
      ['DescribeIpams', 'IpamIds', ipam.IpamId, 'Ipams'],
      ['DescribeIpamScopes', 'IpamScopeIds', ipam.PrivateDefaultScopeId, 'IpamScopes'],
      ['DescribeIpamPools', 'IpamPoolIds', pool.IpamPoolId, 'IpamPools'],
      ['DescribeIpamResourceDiscoveries', 'IpamResourceDiscoveryIds', ipam.DefaultResourceDiscoveryId, 'IpamResourceDiscoveries'],
      [
        'DescribeIpamResourceDiscoveryAssociations',
        'IpamResourceDiscoveryAssociationIds',
        ipam.DefaultResourceDiscoveryAssociationId,
        'IpamResourceDiscoveryAssociations',
      ],
      [
        'DescribeIpamExternalResourceVerificationTokens',
        'IpamExternalResourceVerificationTokenIds',
        token.IpamExternalResourceVerificationTokenId,
        'IpamExternalResourceVerificationTokens',
      ],
    ];
    for (const [action, idsName, id, output] of named) {
      sent.length = 0;
      const answer = await harness.call(action, { [idsName]: [id] });
      expect(answer[output], action).toHaveLength(1);
      const reads = sent.filter(({ command }) => /Get|Query/.test(command));
      expect(
        reads.filter(({ input }) => input.IndexName === undefined).every(({ input }) => input.ConsistentRead === true),
        action,
      ).toBe(true);
      expect(
        reads.some(({ command, input }) => /Get/.test(command) && JSON.stringify(input.Key).includes(id)),
        action,
      ).toBe(true);
      // The only index reads left are the share lookups of a pool or resource discovery shared with the caller.
      const indexReads = reads.filter(({ input }) => input.IndexName !== undefined).map(({ input }) => indexPartition(input));
      expect(
        indexReads.every((partition) => partition?.startsWith('SHARED-ENTITY#')),
        `${action}: ${indexReads.join(', ')}`,
      ).toBe(true);
    }

    // The control: the recorder does see index reads, which a listing without ids makes.
    sent.length = 0;
    expect((await harness.call('DescribeIpams', {})).Ipams).toHaveLength(1);
    expect(sent.some(({ input }) => input.IndexName === 'GSI1')).toBe(true);
  });

  it('reads the shares and invitations RAM requests name by ARN from the table, strongly consistent', async () => {
    const { store, sent } = await recordedStore();
    const harness = await createUseCaseHarness({ store });
    useOrganizations(harness, [sharingOrganization().org]);
    const { pool } = await ownerPool(harness, ADMIN, '10.0.0.0/16');
    const created = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'pools', resourceArns: [pool.IpamPoolArn], principals: [OUTSIDER] },
    });
    const shareArn: string = created.body.resourceShare.resourceShareArn;
    const listed = await ram(harness, OUTSIDER, { path: '/getresourceshareinvitations', body: {} });
    const invitationArn: string = listed.body.resourceShareInvitations[0].resourceShareInvitationArn;

    sent.length = 0;
    const shares = await ram(harness, ADMIN, {
      path: '/getresourceshares',
      body: { resourceOwner: 'SELF', resourceShareArns: [shareArn] },
    });
    expect(shares.body.resourceShares.map((share: { resourceShareArn: string }) => share.resourceShareArn)).toEqual([shareArn]);
    expect(sent.filter(({ input }) => input.IndexName !== undefined)).toEqual([]);
    expect(sent.filter(({ command }) => /Query/.test(command)).every(({ input }) => input.ConsistentRead === true)).toBe(true);

    sent.length = 0;
    const invitations = await ram(harness, OUTSIDER, {
      path: '/getresourceshareinvitations',
      body: { resourceShareInvitationArns: [invitationArn] },
    });
    expect(invitations.body.resourceShareInvitations).toEqual([expect.objectContaining({ resourceShareInvitationArn: invitationArn })]);
    expect(sent.filter(({ input }) => input.IndexName !== undefined)).toEqual([]);
    expect(sent.filter(({ command }) => /Get/.test(command)).every(({ input }) => input.ConsistentRead === true)).toBe(true);

    // The receiver, once it accepted, names the share by ARN too.
    await ram(harness, OUTSIDER, { path: '/acceptresourceshareinvitation', body: { resourceShareInvitationArn: invitationArn } });
    sent.length = 0;
    const theirs = await ram(harness, OUTSIDER, {
      path: '/getresourceshares',
      body: { resourceOwner: 'OTHER-ACCOUNTS', resourceShareArns: [shareArn] },
    });
    expect(theirs.body.resourceShares.map((share: { resourceShareArn: string }) => share.resourceShareArn)).toEqual([shareArn]);
    expect(sent.filter(({ input }) => input.IndexName !== undefined)).toEqual([]);
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

// Issue 20: the recent-event record rides on the write that forgets the delivered outbox entry.
describe('DynamoDbStore: a delivered event is kept without a request of its own', () => {
  it('an allocation sends the same requests as before: its event’s record is one more item in the BatchWriteItem that forgets its entry', async () => {
    const { store, sent } = await recordedStore();
    const harness = await createUseCaseHarness({ store });
    const { Ipam: ipam } = await harness.call('CreateIpam', {});
    const { IpamPool: pool } = await harness.call('CreateIpamPool', { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' });
    await harness.deps.outboxForgetter.flush();
    sent.length = 0;
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 });
    await harness.deps.outboxForgetter.flush();
    const writes = sent.filter((request) => /Write|Put|Delete|Update/.test(request.command));
    expect(writes.map((request) => request.command)).toEqual(['TransactWriteItemsCommand', 'BatchWriteItemCommand']);
    const batch = Object.values(
      writes[1].input.RequestItems as Record<string, { PutRequest?: { Item: { PK: string } }; DeleteRequest?: object }[]>,
    )[0];
    expect(batch.map((request) => (request.PutRequest ? `put ${request.PutRequest.Item.PK}` : 'delete'))).toEqual([
      `put RECENT-EVENTS#${harness.context.accountId}#us-east-1`,
      'delete',
    ]);
  });
});
