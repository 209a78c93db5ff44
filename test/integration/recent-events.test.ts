// ListRecentEvents (docs/json-api.md, docs/events.md): the events delivered lately, newest first,
// read back through the JSON API's own protocol; the EC2 Query API does not know the action.
import { describe, expect, it } from 'vitest';
import { ec2JsonProtocol, ec2QueryProtocol } from '../../lambdas/adapters/ec2-query/protocol.ts';
import { IpamError } from '../../lambdas/domain/errors.ts';
import type { RequestContext } from '../../lambdas/use-cases/kernel/context.ts';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';

const OTHER_ACCOUNT = '210987654321';

/** A JSON API request as the protocol decodes and runs it, once the events delivered so far are kept. */
async function listRecentEvents(harness: UseCaseHarness, body: unknown = {}, context: Partial<RequestContext> = {}) {
  await harness.deps.outboxForgetter.flush();
  const request = { method: 'POST', path: '/api/ListRecentEvents', headers: {}, body: new TextEncoder().encode(JSON.stringify(body)) };
  const decoded = ec2JsonProtocol.decode(request);
  return (await ec2JsonProtocol.run(harness.deps, { ...harness.context, ...context }, decoded.action, decoded.input)) as any;
}

async function refusal(action: () => Promise<unknown>) {
  const error = await action().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(IpamError);
  return error as IpamError;
}

describe('ListRecentEvents', () => {
  it('lists the delivered events newest first, with type, time and detail, page by page', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 });
    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: pool.IpamPoolId,
      Cidr: IpamPoolAllocation.Cidr,
      IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
    });

    const { Events, NextToken } = await listRecentEvents(harness);
    expect(NextToken).toBeUndefined();
    // Provisioned (pending-provision, provisioned), then the allocation created and released.
    expect(Events.map((event: { DetailType: string }) => event.DetailType)).toEqual([
      'IPAM Pool Allocation Change',
      'IPAM Pool Allocation Change',
      'IPAM Pool CIDR State Change',
      'IPAM Pool CIDR State Change',
    ]);
    expect(Events[0]).toMatchObject({
      Source: 'self-hosted.ipam',
      Account: harness.context.accountId,
      Region: 'us-east-1',
      Detail: { ipamPoolId: pool.IpamPoolId, ipamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, change: 'released' },
    });
    expect(Events[3].Detail).toMatchObject({ state: 'pending-provision', cidr: '10.0.0.0/16' });
    const times = Events.map((event: { Time: string }) => event.Time);
    expect([...times].sort().reverse()).toEqual(times);
    // Every event once, with the eventId its deliveries carry.
    const delivered = harness.events.published().map((event) => event.detail.eventId);
    expect(new Set(Events.map((event: { EventId: string }) => event.EventId))).toEqual(new Set(delivered));

    const first = await listRecentEvents(harness, { MaxResults: 3 });
    expect(first.Events).toEqual(Events.slice(0, 3));
    const second = await listRecentEvents(harness, { MaxResults: 3, NextToken: first.NextToken });
    expect(second.Events).toEqual(Events.slice(3));
    expect(second.NextToken).toBeUndefined();
  });

  it('shows a caller only the events published as its account in the Region it calls', async () => {
    const harness = await createUseCaseHarness();
    await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'eu-west-1' }] }, { region: 'eu-west-1' });
    const { IpamPool } = await harness.call(
      'CreateIpamPool',
      {
        IpamScopeId: (await harness.call('DescribeIpams', {}, { region: 'eu-west-1' })).Ipams[0].PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
      },
      { region: 'eu-west-1' },
    );
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.1.0.0/16' }, { region: 'eu-west-1' });

    expect((await listRecentEvents(harness, {}, { region: 'eu-west-1' })).Events).toHaveLength(2);
    expect((await listRecentEvents(harness, {}, { region: 'us-east-1' })).Events).toEqual([]);
    expect((await listRecentEvents(harness, {}, { accountId: OTHER_ACCOUNT, region: 'eu-west-1' })).Events).toEqual([]);
  });

  it('does not list an event past its retention, though the store may still hold it', async () => {
    const harness = await createUseCaseHarness();
    await poolWithCidr(harness, '10.0.0.0/16');
    expect((await listRecentEvents(harness)).Events).toHaveLength(2);
    const later = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    harness.deps.now = () => later;
    expect((await listRecentEvents(harness)).Events).toEqual([]);
  });

  it('refuses bad input in the API’s words, and a page token of another caller', async () => {
    const harness = await createUseCaseHarness();
    await poolWithCidr(harness, '10.0.0.0/16');
    expect((await refusal(() => listRecentEvents(harness, { MaxResults: 0 }))).message).toBe(
      'Value (0) for parameter MaxResults is invalid. Expecting a value between 1 and 100.',
    );
    expect((await refusal(() => listRecentEvents(harness, { MaxResults: 'ten' }))).code).toBe('InvalidParameterValue');
    expect((await refusal(() => listRecentEvents(harness, { Filters: [] }))).code).toBe('UnknownParameter');
    const { NextToken } = await listRecentEvents(harness, { MaxResults: 1 });
    expect((await refusal(() => listRecentEvents(harness, { NextToken }, { accountId: OTHER_ACCOUNT }))).code).toBe(
      'InvalidPaginationToken',
    );
  });

  it('is not an EC2 action: the EC2 Query API answers InvalidAction', async () => {
    const body = new TextEncoder().encode('Action=ListRecentEvents&Version=2016-11-15');
    const error = await refusal(async () => ec2QueryProtocol.decode({ method: 'POST', path: '/', headers: {}, body }));
    expect(error.code).toBe('InvalidAction');
    expect(error.message).toBe('The action ListRecentEvents is not valid for this web service.');
  });
});
