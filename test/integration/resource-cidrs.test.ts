// Resource CIDRs (spec §8, §9): listing a scope's verdicts, ignoring and un-ignoring a CIDR, and
// moving VPC CIDRs between private scopes. Records are set up as a sweep writes them.
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import { importResourceAllocation } from '../../lambdas/use-cases/allocations.ts';
import { type ResourceCidrVerdict, resourceCidrWrites } from '../../lambdas/use-cases/sweep/resource-cidr-records.ts';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const SWEPT_AT = '2024-05-01T10:00:00.000Z';
const EVER = { StartTime: new Date('2020-01-01T00:00:00Z') };

async function seed(harness: UseCaseHarness, ...verdicts: ResourceCidrVerdict[]) {
  await harness.store.commit(verdicts.flatMap((verdict) => resourceCidrWrites(undefined, verdict, SWEPT_AT)));
}

/**
 * An IPAM with a pool 10.0.0.0/16 in its default private scope, a second private scope, and in
 * the default scope: vpc-managed (10.0.1.0/24, imported into the pool), vpc-free with two CIDRs
 * and a subnet in each, and an EIP in the public scope.
 */
async function world() {
  const harness = await createUseCaseHarness();
  const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
  const { IpamScope: otherScope } = await harness.call('CreateIpamScope', { IpamId: ipam.IpamId });
  const privateScope: string = ipam.PrivateDefaultScopeId;
  const base = {
    IpamId: ipam.IpamId,
    IpamScopeId: privateScope,
    ResourceRegion: 'us-east-1',
    ResourceOwnerId: harness.context.accountId,
    ResourceTags: [],
  };
  const unmanaged = { ManagementState: 'unmanaged', ComplianceStatus: 'unmanaged', OverlapStatus: 'nonoverlapping' } as const;
  const allocation = await importResourceAllocation(
    harness.deps,
    (await harness.store.getPool(pool.IpamPoolId))!,
    parseCidr('10.0.1.0/24'),
    {
      type: 'vpc',
      id: 'vpc-managed',
      owner: harness.context.accountId,
      region: 'us-east-1',
    },
  );
  await seed(
    harness,
    {
      ...base,
      ResourceType: 'vpc',
      ResourceId: 'vpc-managed',
      VpcId: 'vpc-managed',
      ResourceCidr: '10.0.1.0/24',
      IpamPoolId: pool.IpamPoolId,
      ManagementState: 'managed',
      ComplianceStatus: 'compliant',
      OverlapStatus: 'nonoverlapping',
    },
    {
      ...base,
      ...unmanaged,
      ResourceType: 'vpc',
      ResourceId: 'vpc-free',
      VpcId: 'vpc-free',
      ResourceCidr: '172.16.0.0/16',
      ResourceTags: [{ Key: 'env', Value: 'prod' }],
    },
    {
      ...base,
      ...unmanaged,
      ResourceType: 'vpc',
      ResourceId: 'vpc-free',
      VpcId: 'vpc-free',
      ResourceCidr: '172.17.0.0/16',
      ResourceTags: [{ Key: 'env', Value: 'prod' }],
    },
    { ...base, ResourceType: 'subnet', ResourceId: 'subnet-a', VpcId: 'vpc-free', ResourceCidr: '172.16.1.0/24', IpUsage: 0.1 },
    { ...base, ResourceType: 'subnet', ResourceId: 'subnet-b', VpcId: 'vpc-free', ResourceCidr: '172.17.1.0/24' },
    {
      ...base,
      ...unmanaged,
      IpamScopeId: ipam.PublicDefaultScopeId,
      ResourceType: 'eip',
      ResourceId: 'eipalloc-1',
      ResourceCidr: '3.0.0.1/32',
      ResourceOwnerId: '111122223333',
    },
  );
  return {
    harness,
    ipam,
    pool,
    privateScope,
    otherScope: otherScope.IpamScopeId as string,
    publicScope: ipam.PublicDefaultScopeId as string,
    allocation: allocation!,
  };
}

async function resourceCidrs(harness: UseCaseHarness, request: Record<string, unknown>): Promise<any[]> {
  return (await harness.call('GetIpamResourceCidrs', request)).IpamResourceCidrs;
}

const idsOf = (records: { ResourceId: string; ResourceCidr: string }[]) =>
  records.map((record) => `${record.ResourceId} ${record.ResourceCidr}`);

describe('GetIpamResourceCidrs', () => {
  it('lists the scope’s CIDRs and narrows them by member and by filter', async () => {
    const { harness, pool, privateScope, publicScope } = await world();
    const all = await resourceCidrs(harness, { IpamScopeId: privateScope });
    expect(idsOf(all)).toEqual([
      'subnet-a 172.16.1.0/24',
      'subnet-b 172.17.1.0/24',
      'vpc-free 172.16.0.0/16',
      'vpc-free 172.17.0.0/16',
      'vpc-managed 10.0.1.0/24',
    ]);
    // API members only: the record's bookkeeping stays inside.
    expect(all.find((record) => record.ResourceId === 'vpc-managed')).toEqual({
      IpamId: expect.any(String),
      IpamScopeId: privateScope,
      IpamPoolId: pool.IpamPoolId,
      ResourceRegion: 'us-east-1',
      ResourceOwnerId: harness.context.accountId,
      ResourceId: 'vpc-managed',
      ResourceCidr: '10.0.1.0/24',
      ResourceType: 'vpc',
      ResourceTags: [],
      ComplianceStatus: 'compliant',
      ManagementState: 'managed',
      OverlapStatus: 'nonoverlapping',
      VpcId: 'vpc-managed',
    });

    expect(idsOf(await resourceCidrs(harness, { IpamScopeId: privateScope, ResourceType: 'subnet' }))).toEqual([
      'subnet-a 172.16.1.0/24',
      'subnet-b 172.17.1.0/24',
    ]);
    expect(idsOf(await resourceCidrs(harness, { IpamScopeId: privateScope, IpamPoolId: pool.IpamPoolId }))).toEqual([
      'vpc-managed 10.0.1.0/24',
    ]);
    expect(
      idsOf(
        await resourceCidrs(harness, { IpamScopeId: privateScope, ResourceId: 'vpc-free', ResourceTag: { Key: 'env', Value: 'prod' } }),
      ),
    ).toHaveLength(2);
    expect(await resourceCidrs(harness, { IpamScopeId: privateScope, ResourceTag: { Key: 'env', Value: 'dev' } })).toEqual([]);
    expect(idsOf(await resourceCidrs(harness, { IpamScopeId: publicScope, ResourceOwner: '111122223333' }))).toEqual([
      'eipalloc-1 3.0.0.1/32',
    ]);
    expect(await resourceCidrs(harness, { IpamScopeId: privateScope, ResourceOwner: '111122223333' })).toEqual([]);

    const filtered = (Filters: { Name: string; Values: string[] }[]) =>
      resourceCidrs(harness, { IpamScopeId: privateScope, Filters }).then(idsOf);
    expect(await filtered([{ Name: 'management-state', Values: ['managed'] }])).toEqual(['vpc-managed 10.0.1.0/24']);
    expect(
      await filtered([
        { Name: 'resource-cidr', Values: ['172.17.*'] },
        { Name: 'resource-type', Values: ['vpc'] },
      ]),
    ).toEqual(['vpc-free 172.17.0.0/16']);
    expect(
      await filtered([
        { Name: 'vpc-id', Values: ['vpc-free'] },
        { Name: 'resource-type', Values: ['subnet'] },
      ]),
    ).toHaveLength(2);
    expect(await filtered([{ Name: 'tag:env', Values: ['prod'] }])).toEqual(['vpc-free 172.16.0.0/16', 'vpc-free 172.17.0.0/16']);
    expect(
      await filtered([
        { Name: 'ipam-pool-id', Values: [pool.IpamPoolId] },
        { Name: 'compliance-status', Values: ['compliant'] },
      ]),
    ).toEqual(['vpc-managed 10.0.1.0/24']);
    await expectRefusal(filtered([{ Name: 'ResourceType', Values: ['vpc'] }]), 'InvalidParameterValue', 'ResourceType');
  });

  it('pages with NextToken, and a token works only for the query that made it', async () => {
    const { harness, privateScope } = await world();
    const first = await harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope, MaxResults: 2 });
    const second = await harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope, MaxResults: 2, NextToken: first.NextToken });
    const third = await harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope, MaxResults: 2, NextToken: second.NextToken });
    expect(third.NextToken).toBeUndefined();
    const paged = [...first.IpamResourceCidrs, ...second.IpamResourceCidrs, ...third.IpamResourceCidrs];
    expect(idsOf(paged)).toEqual(idsOf(await resourceCidrs(harness, { IpamScopeId: privateScope })));
    await expectRefusal(
      harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope, ResourceType: 'vpc', NextToken: first.NextToken }),
      'InvalidPaginationToken',
    );
  });

  it('shows a scope only to its owner, in the IPAM’s home Region', async () => {
    const { harness, privateScope } = await world();
    await expectRefusal(
      harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope }, { accountId: '999988887777' }),
      'InvalidIpamScopeId.NotFound',
      privateScope,
    );
    await expectRefusal(
      harness.call('GetIpamResourceCidrs', { IpamScopeId: privateScope }, { region: 'eu-west-1' }),
      'InvalidIpamScopeId.NotFound',
      privateScope,
    );
    await expectRefusal(
      harness.call('GetIpamResourceCidrs', { IpamScopeId: 'ipam-scope-0123456789abcdef0' }),
      'InvalidIpamScopeId.NotFound',
    );
  });
});

describe('ignoring and un-ignoring a resource CIDR', () => {
  const managedVpc = (scope: string) => ({
    ResourceId: 'vpc-managed',
    ResourceCidr: '10.0.1.0/24',
    ResourceRegion: 'us-east-1',
    CurrentIpamScopeId: scope,
  });

  it('ignoring returns the allocation’s space at once and keeps the history going', async () => {
    const { harness, ipam, pool, privateScope, allocation } = await world();
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false });
    expect(IpamResourceCidr).toMatchObject({
      ResourceId: 'vpc-managed',
      ManagementState: 'ignored',
      ComplianceStatus: 'ignored',
      OverlapStatus: 'ignored',
    });
    expect(IpamResourceCidr.IpamPoolId).toBeUndefined();
    expect((await resourceCidrs(harness, { IpamScopeId: privateScope, ResourceId: 'vpc-managed' }))[0]).toEqual(IpamResourceCidr);

    // The allocation is gone, announced as caused by the ignore, and its space can be taken again.
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toEqual([]);
    expect(
      harness.events
        .published()
        .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
        .map((event) => event.detail),
    ).toEqual([
      expect.objectContaining({ change: 'created', cause: 'auto-import' }),
      expect.objectContaining({
        change: 'released',
        cause: 'ignored',
        ipamPoolAllocationId: allocation.IpamPoolAllocationId,
        resourceId: 'vpc-managed',
        cidr: '10.0.1.0/24',
      }),
    ]);
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.1.0/24' });
    expect(await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-managed', '10.0.1.0/24')).toMatchObject({
      ignored: true,
    });

    // The compliant record ended when it was ignored; an ignored one started then.
    const { HistoryRecords } = await harness.call('GetIpamAddressHistory', { Cidr: '10.0.1.0/24', IpamScopeId: privateScope, ...EVER });
    expect(HistoryRecords).toHaveLength(2);
    const [ignored, compliant] = HistoryRecords;
    expect(compliant).toMatchObject({
      ResourceId: 'vpc-managed',
      ResourceComplianceStatus: 'compliant',
      SampledStartTime: new Date(SWEPT_AT),
    });
    expect(ignored).toMatchObject({ ResourceId: 'vpc-managed', ResourceComplianceStatus: 'ignored', ResourceOverlapStatus: 'ignored' });
    expect(ignored.SampledEndTime).toBeUndefined();
    expect(compliant.SampledEndTime).toEqual(ignored.SampledStartTime);

    // Ignoring again changes nothing.
    await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false });
    expect(
      (await harness.call('GetIpamAddressHistory', { Cidr: '10.0.1.0/24', IpamScopeId: privateScope, ...EVER })).HistoryRecords,
    ).toHaveLength(2);
  });

  it('un-ignoring makes the CIDR unmanaged until the next sweep judges it', async () => {
    const { harness, ipam, privateScope } = await world();
    await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false });
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: true });
    expect(IpamResourceCidr).toMatchObject({
      ManagementState: 'unmanaged',
      ComplianceStatus: 'unmanaged',
      OverlapStatus: 'nonoverlapping',
    });
    expect(await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-managed', '10.0.1.0/24')).toMatchObject({
      ignored: false,
    });

    // A subnet carries no states of its own ("-"): ignoring gives it `ignored`, un-ignoring takes it away again.
    const subnet = { ResourceId: 'subnet-a', ResourceCidr: '172.16.1.0/24', ResourceRegion: 'us-east-1', CurrentIpamScopeId: privateScope };
    expect((await harness.call('ModifyIpamResourceCidr', { ...subnet, Monitored: false })).IpamResourceCidr.ManagementState).toBe(
      'ignored',
    );
    const restored = (await harness.call('ModifyIpamResourceCidr', { ...subnet, Monitored: true })).IpamResourceCidr;
    expect([restored.ManagementState, restored.ComplianceStatus, restored.OverlapStatus, restored.IpUsage]).toEqual([
      undefined,
      undefined,
      undefined,
      0.1,
    ]);
  });

  it('un-ignoring in the instant the CIDR was ignored replaces the ignored history record, which lasted no time', async () => {
    const { harness, privateScope } = await world();
    const instant = new Date('2024-05-01T11:00:00.000Z');
    harness.deps.now = () => instant;
    await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false });
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: true });
    expect(IpamResourceCidr).toMatchObject({ ManagementState: 'unmanaged', ComplianceStatus: 'unmanaged' });

    const history = async () =>
      (await harness.call('GetIpamAddressHistory', { Cidr: '10.0.1.0/24', IpamScopeId: privateScope, ...EVER })).HistoryRecords;
    const [unmanaged, compliant] = await history();
    expect(await history()).toHaveLength(2);
    expect(compliant).toMatchObject({
      ResourceComplianceStatus: 'compliant',
      SampledStartTime: new Date(SWEPT_AT),
      SampledEndTime: instant,
    });
    expect(unmanaged).toMatchObject({ ResourceComplianceStatus: 'unmanaged', SampledStartTime: instant });
    expect(unmanaged.SampledEndTime).toBeUndefined();

    // The replaced record still closes when the state changes later: ignoring again a minute on.
    const later = new Date(instant.getTime() + 60_000);
    harness.deps.now = () => later;
    await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false });
    const [ignored, closed] = await history();
    expect(closed).toMatchObject({ ResourceComplianceStatus: 'unmanaged', SampledStartTime: instant, SampledEndTime: later });
    expect(ignored).toMatchObject({ ResourceComplianceStatus: 'ignored', SampledStartTime: later });
  });

  it('leaves a monitored CIDR as the sweep judged it when asked to monitor it', async () => {
    const { harness, ipam, privateScope } = await world();
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: true });
    expect(IpamResourceCidr).toMatchObject({ ManagementState: 'managed', ComplianceStatus: 'compliant' });
    expect(await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-managed', '10.0.1.0/24')).toBeUndefined();
  });

  it('refuses to ignore a CIDR of the public scope, and CIDRs it does not know', async () => {
    const { harness, privateScope, publicScope } = await world();
    const eip = { ResourceId: 'eipalloc-1', ResourceCidr: '3.0.0.1/32', ResourceRegion: 'us-east-1', CurrentIpamScopeId: publicScope };
    await expectRefusal(harness.call('ModifyIpamResourceCidr', { ...eip, Monitored: false }), 'InvalidParameterValue', publicScope);
    expect((await harness.call('ModifyIpamResourceCidr', { ...eip, Monitored: true })).IpamResourceCidr.ManagementState).toBe('unmanaged');

    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), ResourceCidr: '10.0.2.0/24', Monitored: false }),
      'InvalidParameterValue',
      '10.0.2.0/24',
      'vpc-managed',
    );
    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), ResourceRegion: 'us-west-2', Monitored: false }),
      'InvalidParameterValue',
      'us-west-2',
    );
    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), ResourceCidr: '10.0.1.0/33', Monitored: false }),
      'InvalidParameterValue',
    );
    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', { ...managedVpc(privateScope), Monitored: false }, { accountId: '999988887777' }),
      'InvalidIpamScopeId.NotFound',
    );
  });
});

describe('moving VPC CIDRs between private scopes', () => {
  const freeVpc = (from: string, to: string) => ({
    ResourceId: 'vpc-free',
    ResourceCidr: '172.16.0.0/16',
    ResourceRegion: 'us-east-1',
    CurrentIpamScopeId: from,
    DestinationIpamScopeId: to,
    Monitored: true,
  });

  it('moves an unallocated VPC CIDR with its subnets now; history ends in one scope and starts in the other', async () => {
    const { harness, ipam, privateScope, otherScope } = await world();
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', freeVpc(privateScope, otherScope));
    expect(IpamResourceCidr).toMatchObject({
      IpamScopeId: otherScope,
      ResourceId: 'vpc-free',
      ResourceCidr: '172.16.0.0/16',
      ResourceTags: [{ Key: 'env', Value: 'prod' }],
    });

    // The subnet inside the moved CIDR went along; the VPC's other CIDR and its subnet stayed.
    expect(idsOf(await resourceCidrs(harness, { IpamScopeId: otherScope }))).toEqual(['subnet-a 172.16.1.0/24', 'vpc-free 172.16.0.0/16']);
    expect(idsOf(await resourceCidrs(harness, { IpamScopeId: privateScope, Filters: [{ Name: 'vpc-id', Values: ['vpc-free'] }] }))).toEqual(
      ['subnet-b 172.17.1.0/24', 'vpc-free 172.17.0.0/16'],
    );
    expect(await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-free', '172.16.0.0/16')).toMatchObject({
      scopeId: otherScope,
      ignored: false,
    });

    const history = async (scope: string, cidr: string) =>
      (await harness.call('GetIpamAddressHistory', { Cidr: cidr, IpamScopeId: scope, ...EVER })).HistoryRecords;
    const [before] = await history(privateScope, '172.16.0.0/16');
    const [after] = await history(otherScope, '172.16.0.0/16');
    expect(before.SampledEndTime).toBeInstanceOf(Date);
    expect(after).toMatchObject({ ResourceId: 'vpc-free', SampledStartTime: before.SampledEndTime });
    expect(after.SampledEndTime).toBeUndefined();
    expect((await history(otherScope, '172.16.1.0/24')).map((record: { ResourceId: string }) => record.ResourceId)).toEqual(['subnet-a']);
  });

  it('accepts the move of an allocated CIDR and leaves it pending until the allocation is released', async () => {
    const { harness, ipam, privateScope, otherScope } = await world();
    const request = {
      ResourceId: 'vpc-managed',
      ResourceCidr: '10.0.1.0/24',
      ResourceRegion: 'us-east-1',
      CurrentIpamScopeId: privateScope,
      DestinationIpamScopeId: otherScope,
      Monitored: true,
    };
    const { IpamResourceCidr } = await harness.call('ModifyIpamResourceCidr', request);
    // As EC2 answers it (AWS CLI example modify-ipam-resource-cidr.rst: a managed VPC CIDR with its
    // IpamPoolId, answered with "IpamScopeId" the --destination-ipam-scope-id), though it still waits here.
    expect(IpamResourceCidr).toMatchObject({ IpamScopeId: otherScope, IpamPoolId: expect.any(String), ManagementState: 'managed' });
    expect(
      idsOf(await resourceCidrs(harness, { IpamScopeId: privateScope, Filters: [{ Name: 'resource-id', Values: ['vpc-managed'] }] })),
    ).toEqual(['vpc-managed 10.0.1.0/24']);
    expect(await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-managed', '10.0.1.0/24')).toMatchObject({
      pendingMoveToScopeId: otherScope,
    });
    expect(await resourceCidrs(harness, { IpamScopeId: otherScope })).toEqual([]);

    // Ignoring it releases the allocation, so a move asked together with it happens at once.
    const moved = (await harness.call('ModifyIpamResourceCidr', { ...request, Monitored: false })).IpamResourceCidr;
    expect(moved).toMatchObject({ IpamScopeId: otherScope, ManagementState: 'ignored' });
    const override = await harness.store.getResourceCidrOverride(ipam.IpamId, 'us-east-1', 'vpc-managed', '10.0.1.0/24');
    expect(override).toMatchObject({ ignored: true, scopeId: otherScope });
    expect(override?.pendingMoveToScopeId).toBeUndefined();
  });

  // Issue 18 item 6: nothing of a deleted scope is left without a way to go. As a deleted IPAM takes
  // "every piece of monitoring data it holds, including CIDR history" (spec/actions.md, DeleteIpam),
  // a deleted scope takes the resource CIDRs moved to it and their open history.
  it('deletes the resource CIDRs moved to a scope, and their history, with the scope', async () => {
    const { harness, privateScope, otherScope } = await world();
    await harness.call('ModifyIpamResourceCidr', freeVpc(privateScope, otherScope));
    expect(await harness.store.listResourceCidrs(otherScope)).toHaveLength(2);
    await harness.call('DeleteIpamScope', { IpamScopeId: otherScope });
    expect(await harness.store.getScope(otherScope)).toBeUndefined();
    expect(await harness.store.listResourceCidrs(otherScope)).toEqual([]);
    expect(await harness.store.listAddressHistory(otherScope, '172.16.0.0/16')).toEqual([]);
    expect(await harness.store.listAddressHistory(otherScope, '172.16.1.0/24')).toEqual([]);
    // The scope it came from keeps its own (closed) history.
    expect(await harness.store.listAddressHistory(privateScope, '172.16.0.0/16')).toHaveLength(1);
  });

  it('moves only VPC CIDRs, only between private scopes', async () => {
    const { harness, privateScope, otherScope, publicScope } = await world();
    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', {
        ...freeVpc(privateScope, otherScope),
        ResourceId: 'subnet-a',
        ResourceCidr: '172.16.1.0/24',
      }),
      'InvalidParameterValue',
      'subnet-a',
    );
    await expectRefusal(harness.call('ModifyIpamResourceCidr', freeVpc(privateScope, publicScope)), 'InvalidParameterValue', publicScope);
    await expectRefusal(
      harness.call('ModifyIpamResourceCidr', freeVpc(privateScope, 'ipam-scope-0123456789abcdef0')),
      'InvalidIpamScopeId.NotFound',
    );
    // Nothing moved.
    expect(await resourceCidrs(harness, { IpamScopeId: otherScope })).toEqual([]);
  });
});
