// The JSON API's contract over HTTP: the local service serves its OpenAPI document unsigned at
// GET /api/openapi.json, and what it really answers on POST /api/{Action} conforms to the
// response schemas that document publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema, OpenApiDocument } from '../../lambdas/adapters/json-api/openapi.ts';
import { ACTIONS } from '../../lambdas/use-cases/kernel/actions.ts';
import { schemaErrors } from '../support/json-schema.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { rawPost } from './support/signed-fetch.ts';

let service: TestService;
let document: OpenApiDocument;

beforeAll(async () => {
  service = await startTestService();
  document = JSON.parse(await (await fetch(new URL('/api/openapi.json', service.url))).text());
});
afterAll(async () => service?.stop());

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function callJson(action: string, input: object): Promise<Answer> {
  const response = await rawPost(service.url, {
    path: `/api/${action}`,
    body: JSON.stringify(input),
    contentType: 'application/json',
    account: ADMIN,
  });
  return { status: response.status, body: JSON.parse(response.text) };
}

/** The schema the document publishes for this action's answer with this status. */
function publishedSchema(action: string, status: number): JsonSchema {
  const responses = (document.paths[`/api/${action}`].post as { responses: Record<string, { $ref?: string }> }).responses;
  let response = responses[String(status)] as { $ref?: string; content?: Record<string, { schema: JsonSchema }> };
  if (response.$ref) response = document.components.responses[response.$ref.split('/').pop()!] as typeof response;
  return response.content!['application/json'].schema;
}

/** Calls the action and holds its answer against the published schema; the body for the next steps. */
async function conforming(action: string, input: object, status = 200): Promise<Record<string, unknown>> {
  const answer = await callJson(action, input);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(schemaErrors(document, publishedSchema(action, status), answer.body)).toEqual([]);
  return answer.body;
}

describe('GET /api/openapi.json', () => {
  it('answers the document unsigned, as JSON, with every implemented action and the local server as its server', async () => {
    const response = await fetch(new URL('/api/openapi.json', service.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/\S/);
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: '/' }]);
    for (const action of Object.keys(ACTIONS)) expect(document.paths).toHaveProperty([`/api/${action}`]);
  });

  it('behind a stage prefix, as API Gateway passes the path, the server is the stage', async () => {
    const staged = (await (await fetch(new URL('/prod/api/openapi.json', service.url))).json()) as OpenApiDocument;
    expect(staged.servers).toEqual([{ url: '/prod' }]);
    expect(staged.paths).toEqual(document.paths);
  });

  it('other GETs are still refused as EC2 refuses them', async () => {
    const response = await fetch(new URL('/api/DescribeIpams', service.url));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'InvalidAction' });
  });
});

describe('real answers conform to the published schemas', () => {
  it('CreateIpam, DescribeIpamPools and AllocateIpamPoolCidr answer what the document says, and so do their errors', async () => {
    const { Ipam } = (await conforming('CreateIpam', {
      Description: 'OpenAPI conformance',
      OperatingRegions: [{ RegionName: 'us-east-1' }],
      TagSpecifications: [{ ResourceType: 'ipam', Tags: [{ Key: 'team', Value: 'network' }] }],
    })) as { Ipam: { IpamId: string } };
    const described = await poll(
      () => callJson('DescribeIpams', { IpamIds: [Ipam.IpamId] }),
      (answer) => (answer.body.Ipams as { State: string }[])[0]?.State === 'create-complete',
      'the IPAM to be created',
      { intervalMs: 200 },
    );
    expect(schemaErrors(document, publishedSchema('DescribeIpams', 200), described.body)).toEqual([]);
    const scopeId = (described.body.Ipams as { PrivateDefaultScopeId: string }[])[0].PrivateDefaultScopeId;

    const { IpamPool } = (await conforming('CreateIpamPool', {
      IpamScopeId: scopeId,
      AddressFamily: 'ipv4',
      Description: 'conformance pool',
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 28,
      TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'env', Value: 'test' }] }],
    })) as { IpamPool: { IpamPoolId: string } };
    const poolId = IpamPool.IpamPoolId;
    await poll(
      () => callJson('DescribeIpamPools', { IpamPoolIds: [poolId] }),
      (answer) => (answer.body.IpamPools as { State: string }[])[0]?.State === 'create-complete',
      'the pool to be created',
      { intervalMs: 200 },
    );
    await conforming('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    await poll(
      () => callJson('GetIpamPoolCidrs', { IpamPoolId: poolId }),
      (answer) => (answer.body.IpamPoolCidrs as { State: string }[])[0]?.State === 'provisioned',
      'the pool CIDR to be provisioned',
      { intervalMs: 200 },
    );

    const pools = await conforming('DescribeIpamPools', { Filters: [{ Name: 'ipam-scope-id', Values: [scopeId] }] });
    expect((pools.IpamPools as { IpamPoolId: string }[]).map((pool) => pool.IpamPoolId)).toEqual([poolId]);

    const allocated = await conforming('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 24, Description: 'app subnet' });
    expect(allocated.IpamPoolAllocation).toMatchObject({ Cidr: '10.0.0.0/24', ResourceType: 'custom' });
    await conforming('GetIpamPoolAllocations', { IpamPoolId: poolId });
    await conforming('CreateTags', { Resources: [poolId], Tags: [{ Key: 'owner', Value: 'me' }] });

    const refused = await conforming('AllocateIpamPoolCidr', { IpamPoolId: 'ipam-pool-0123456789abcdef0', NetmaskLength: 24 }, 400);
    expect(refused).toMatchObject({ code: 'InvalidIpamPoolId.NotFound' });
    expect(await conforming('CreateIpam', { DryRun: true }, 412)).toMatchObject({ code: 'DryRunOperation' });

    // This service's own action, over HTTP: the allocation's event among the latest (its record is written just after the answer).
    const recent = await poll(
      () => callJson('ListRecentEvents', { MaxResults: 5 }),
      (answer) => (answer.body.Events as { DetailType: string }[]).some((event) => event.DetailType === 'IPAM Pool Allocation Change'),
      'the allocation event to be kept',
      { intervalMs: 100 },
    );
    expect(schemaErrors(document, publishedSchema('ListRecentEvents', 200), recent.body)).toEqual([]);
    expect(await conforming('ListRecentEvents', { MaxResults: 500 }, 400)).toMatchObject({ code: 'InvalidParameterValue' });
  });
});
