// Embedded VPCs and subnets in discovery at once (issue 16): a CreateVpc, CreateSubnet, DeleteVpc
// or DeleteSubnet refreshes its account and Region for every resource discovery covering it, and
// the discovery reads wait for that refresh — so the call after the change sees it, with no sweep:
// the resource CIDR with its compliance and overlap status, the discovered CIDR, the address history.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

const ACCOUNT = '123456789012';

/** An IPAM in us-east-1 with a private pool (locale us-east-1) holding 10.0.0.0/16. */
async function ipamWithPool(harness: UseCaseHarness, pool: Record<string, unknown> = {}) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: 'ipv4',
    Locale: 'us-east-1',
    ...pool,
  });
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/16' });
  return { scopeId: Ipam.PrivateDefaultScopeId as string, poolId: IpamPool.IpamPoolId as string };
}

/** `<id> <cidr> <type> <management>/<compliance>/<overlap>` for each resource CIDR of the scope ("-": not judged, as for subnets). */
async function verdicts(harness: UseCaseHarness, IpamScopeId: string): Promise<string[]> {
  const { IpamResourceCidrs } = await harness.call('GetIpamResourceCidrs', { IpamScopeId });
  return IpamResourceCidrs.map(
    (record: Record<string, string>) =>
      `${record.ResourceId} ${record.ResourceCidr} ${record.ResourceType} ${record.ManagementState ?? '-'}/${record.ComplianceStatus ?? '-'}/${record.OverlapStatus ?? '-'}`,
  ).sort();
}

async function history(harness: UseCaseHarness, IpamScopeId: string, Cidr: string) {
  const { HistoryRecords } = await harness.call('GetIpamAddressHistory', {
    IpamScopeId,
    Cidr,
    StartTime: new Date(Date.now() - 3_600_000),
    EndTime: new Date(Date.now() + 3_600_000),
  });
  return HistoryRecords;
}

describe('embedded VPCs in discovery at once', () => {
  it('shows a VPC from a pool as a managed, compliant resource CIDR, with its subnet, discovered CIDRs and history', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, poolId } = await ipamWithPool(harness);

    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: poolId, Ipv4NetmaskLength: 24 });
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/26' });

    expect(await verdicts(harness, scopeId)).toEqual(
      [`${Vpc.VpcId} 10.0.0.0/24 vpc managed/compliant/nonoverlapping`, `${Subnet.SubnetId} 10.0.0.0/26 subnet -/-/-`].sort(),
    );
    const { IpamResourceCidrs } = await harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId, ResourceId: Vpc.VpcId });
    expect(IpamResourceCidrs).toEqual([
      expect.objectContaining({ IpamPoolId: poolId, ResourceOwnerId: ACCOUNT, ResourceRegion: 'us-east-1' }),
    ]);

    const { IpamResourceDiscoveries } = await harness.call('DescribeIpamResourceDiscoveries', {});
    const { IpamDiscoveredResourceCidrs } = await harness.call('GetIpamDiscoveredResourceCidrs', {
      IpamResourceDiscoveryId: IpamResourceDiscoveries[0].IpamResourceDiscoveryId,
      ResourceRegion: 'us-east-1',
    });
    expect(
      IpamDiscoveredResourceCidrs.map((record: Record<string, string>) => `${record.ResourceId} ${record.ResourceCidr}`).sort(),
    ).toEqual([`${Vpc.VpcId} 10.0.0.0/24`, `${Subnet.SubnetId} 10.0.0.0/26`].sort());
    expect(await history(harness, scopeId, '10.0.0.0/24')).toEqual([
      expect.objectContaining({
        ResourceId: Vpc.VpcId,
        ResourceType: 'vpc',
        ResourceComplianceStatus: 'compliant',
        ResourceOverlapStatus: 'nonoverlapping',
        SampledStartTime: expect.any(Date),
      }),
    ]);

    await harness.call('DeleteSubnet', { SubnetId: Subnet.SubnetId });
    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    expect(await verdicts(harness, scopeId)).toEqual([]);
    const [closed] = await history(harness, scopeId, '10.0.0.0/24');
    expect(closed).toMatchObject({ ResourceId: Vpc.VpcId, SampledEndTime: expect.any(Date) });
  });

  it('shows two VPCs by CidrBlock that overlap as overlapping, and the survivor nonoverlapping once the other is gone', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId } = await ipamWithPool(harness);

    const wide = (await harness.call('CreateVpc', { CidrBlock: '172.16.0.0/16' })).Vpc;
    expect(await verdicts(harness, scopeId)).toEqual([`${wide.VpcId} 172.16.0.0/16 vpc unmanaged/unmanaged/nonoverlapping`]);
    const narrow = (await harness.call('CreateVpc', { CidrBlock: '172.16.8.0/24' })).Vpc;
    expect(await verdicts(harness, scopeId)).toEqual(
      [
        `${wide.VpcId} 172.16.0.0/16 vpc unmanaged/unmanaged/overlapping`,
        `${narrow.VpcId} 172.16.8.0/24 vpc unmanaged/unmanaged/overlapping`,
      ].sort(),
    );
    expect(await history(harness, scopeId, '172.16.8.0/24')).toEqual([
      expect.objectContaining({ ResourceId: narrow.VpcId, ResourceOverlapStatus: 'overlapping' }),
    ]);

    await harness.call('DeleteVpc', { VpcId: narrow.VpcId });
    expect(await verdicts(harness, scopeId)).toEqual([`${wide.VpcId} 172.16.0.0/16 vpc unmanaged/unmanaged/nonoverlapping`]);
  });

  it('imports a VPC by CidrBlock inside an auto-import pool at once', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, poolId } = await ipamWithPool(harness, { AutoImport: true });

    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.200.0/24' });

    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId });
    expect(IpamPoolAllocations).toEqual([expect.objectContaining({ ResourceType: 'vpc', ResourceId: Vpc.VpcId, Cidr: '10.0.200.0/24' })]);
    expect(await verdicts(harness, scopeId)).toEqual([`${Vpc.VpcId} 10.0.200.0/24 vpc managed/compliant/nonoverlapping`]);
  });

  it('keeps every allocation of a burst of concurrent creates, and shows every VPC once the burst is over', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, poolId } = await ipamWithPool(harness);

    const created = await Promise.all(
      Array.from({ length: 12 }, () => harness.call('CreateVpc', { Ipv4IpamPoolId: poolId, Ipv4NetmaskLength: 24 })),
    );

    const expected = created.map(({ Vpc }) => `${Vpc.VpcId} ${Vpc.CidrBlock} vpc managed/compliant/nonoverlapping`).sort();
    expect(await verdicts(harness, scopeId)).toEqual(expected);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId });
    expect(IpamPoolAllocations.map((allocation: Record<string, string>) => allocation.ResourceId).sort()).toEqual(
      created.map(({ Vpc }) => Vpc.VpcId).sort(),
    );
  });
});
