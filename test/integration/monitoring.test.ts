// Monitoring after a sweep (spec §15): the metrics of a real pool tree, and utilisation threshold
// events that are announced once per crossing, however many sweeps look.
import { describe, expect, it } from 'vitest';
import type { IpamPoolAllocation, IpamPoolCidr } from '../../lambdas/domain/model/pool.ts';
import type { InventorySource } from '../../lambdas/ports/inventory.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { type IpamObservation, publishIpamMonitoring } from '../../lambdas/use-cases/sweep/monitoring.ts';
import { resourceCidrWrites } from '../../lambdas/use-cases/sweep/resource-cidr-records.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { createUseCaseHarness, poolCidrState, type UseCaseHarness } from '../support/use-cases.ts';

/** Monitoring reads only what the sweep hands it; anything else reaching for EC2 is a bug. */
const noInventory: InventorySource = {
  read: async () => {
    throw new Error('monitoring must not read the inventory');
  },
};

function sweepDependencies(harness: UseCaseHarness, metrics: RecordingMetrics, utilisationThresholds: number[]): SweepDependencies {
  return {
    ...harness.deps,
    inventory: noInventory,
    metrics,
    discovery: { administratorAccount: '123456789012', memberAccounts: [], utilisationThresholds },
  };
}

/** What a sweep knows about one IPAM, read back from the store. */
async function observe(harness: UseCaseHarness, ipamId: string): Promise<IpamObservation> {
  const { store, context } = harness;
  const ipam = (await store.getIpam(ipamId))!;
  const scopes = (await store.listScopes(context.accountId)).filter((scope) => scope.ipamId === ipamId);
  const pools = (await store.listPools(context.accountId)).filter((pool) => pool.ipamId === ipamId);
  const poolCidrs = new Map<string, IpamPoolCidr[]>();
  const allocations = new Map<string, IpamPoolAllocation[]>();
  for (const pool of pools) {
    poolCidrs.set(pool.IpamPoolId, await store.listPoolCidrs(pool.IpamPoolId));
    allocations.set(pool.IpamPoolId, (await store.listAllocations(pool.IpamPoolId, { limit: 1000 })).items);
  }
  const resourceCidrs = (await Promise.all(scopes.map((scope) => store.listResourceCidrs(scope.IpamScopeId)))).flat();
  return { ipam, scopes, pools, poolCidrs, allocations, resourceCidrs, publicAddresses: [] };
}

async function provision(harness: UseCaseHarness, poolId: string, cidr: string) {
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: cidr });
  expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
}

/** A top-level pool 10.0.0.0/16 and a us-east-1 child holding 10.0.0.0/17, with a /18 reserved in the child. */
async function poolTree(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
  const scopeId = Ipam.PrivateDefaultScopeId;
  const { IpamPool: top } = await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4' });
  await provision(harness, top.IpamPoolId, '10.0.0.0/16');
  const { IpamPool: child } = await harness.call('CreateIpamPool', {
    IpamScopeId: scopeId,
    AddressFamily: 'ipv4',
    SourceIpamPoolId: top.IpamPoolId,
    Locale: 'us-east-1',
  });
  await provision(harness, child.IpamPoolId, '10.0.0.0/17');
  await harness.call('AllocateIpamPoolCidr', { IpamPoolId: child.IpamPoolId, Cidr: '10.0.0.0/18' });
  return { ipam: Ipam, scopeId, top, child };
}

const thresholdEvents = (harness: UseCaseHarness) =>
  harness.events.published().filter((event) => event['detail-type'] === 'IPAM Pool Utilization Threshold Crossed');

describe('pool, scope and resource metrics', () => {
  it('publishes the guide’s metric names, units and dimensions for a pool tree, once per sweep', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, scopeId, top, child } = await poolTree(harness);
    // A VPC the sweep found managed in the child (compliant), and one outside every pool.
    const verdict = {
      IpamId: ipam.IpamId,
      IpamScopeId: scopeId,
      ResourceRegion: 'us-east-1',
      ResourceOwnerId: harness.context.accountId,
      ResourceTags: [],
      ResourceType: 'vpc' as const,
    };
    const time = '2024-05-01T10:00:00.000Z';
    await harness.store.commit([
      ...resourceCidrWrites(
        undefined,
        {
          ...verdict,
          ResourceId: 'vpc-managed',
          VpcId: 'vpc-managed',
          ResourceCidr: '10.0.0.0/18',
          IpamPoolId: child.IpamPoolId,
          IpUsage: 0.25,
          ManagementState: 'managed',
          ComplianceStatus: 'compliant',
          OverlapStatus: 'nonoverlapping',
        },
        time,
      ),
      ...resourceCidrWrites(
        undefined,
        {
          ...verdict,
          ResourceId: 'vpc-other',
          VpcId: 'vpc-other',
          ResourceCidr: '192.168.0.0/24',
          IpUsage: 0.5,
          ManagementState: 'unmanaged',
          ComplianceStatus: 'unmanaged',
          OverlapStatus: 'nonoverlapping',
        },
        time,
      ),
    ]);
    const metrics = new RecordingMetrics();

    await publishIpamMonitoring(sweepDependencies(harness, metrics, [80, 90]), await observe(harness, ipam.IpamId));

    expect(metrics.publications).toHaveLength(1);
    const data = metrics.all();
    const series = (dimensions: Record<string, string>) =>
      Object.fromEntries(
        data
          .filter((datum) => JSON.stringify(datum.dimensions) === JSON.stringify(dimensions))
          .map((datum) => [datum.name, [datum.value, datum.unit]]),
      );
    // The top pool gave half its space to the child; the child reserved half of its own.
    expect(series({ PoolID: top.IpamPoolId, ScopeID: scopeId, Locale: 'None', AddressFamily: 'IPv4' })).toEqual({
      PercentAllocated: [50, 'Percent'],
      PercentAssigned: [0, 'Percent'],
      PercentAvailable: [50, 'Percent'],
      CompliantResourceCidrs: [0, 'Count'],
      NoncompliantResourceCidrs: [0, 'Count'],
    });
    expect(series({ PoolID: child.IpamPoolId, ScopeID: scopeId, Locale: 'us-east-1', AddressFamily: 'IPv4' })).toEqual({
      PercentAllocated: [0, 'Percent'],
      PercentAssigned: [50, 'Percent'],
      PercentAvailable: [50, 'Percent'],
      CompliantResourceCidrs: [1, 'Count'],
      NoncompliantResourceCidrs: [0, 'Count'],
    });
    expect(series({ ScopeID: scopeId, AddressFamily: 'IPv4' })).toEqual({
      CompliantResourceCidrs: [1, 'Count'],
      NoncompliantResourceCidrs: [0, 'Count'],
      ManagedResourceCidrs: [1, 'Count'],
      UnmanagedResourceCidrs: [1, 'Count'],
      OverlappingResourceCidrs: [0, 'Count'],
    });
    expect(series({ ScopeID: ipam.PublicDefaultScopeId, AddressFamily: 'IPv6' })).toEqual({
      CompliantResourceCidrs: [0, 'Count'],
      NoncompliantResourceCidrs: [0, 'Count'],
      ManagedResourceCidrs: [0, 'Count'],
      UnmanagedResourceCidrs: [0, 'Count'],
      OverlappingResourceCidrs: [0, 'Count'],
    });
    const vpcUsage = data.filter((datum) => datum.name === 'VpcIPUsage');
    expect(vpcUsage.map((datum) => [datum.dimensions.VpcID, datum.value, datum.unit, Object.keys(datum.dimensions).sort()])).toEqual([
      ['vpc-other', 50, 'Percent', ['AddressFamily', 'OwnerID', 'Region', 'ScopeID', 'VpcID']],
      ['vpc-managed', 25, 'Percent', ['AddressFamily', 'OwnerID', 'Region', 'ScopeID', 'VpcID']],
    ]);
    expect(series({ IpamId: ipam.IpamId, Region: 'us-east-1' })).toMatchObject({
      AmazonOwnedElasticIPs: [0, 'Count'],
      EC2PublicIPs: [0, 'Count'],
    });
    // Below every threshold: nothing to announce, nothing remembered.
    expect(thresholdEvents(harness)).toEqual([]);
    expect(await harness.store.getPoolMonitorState(child.IpamPoolId)).toBeUndefined();
  });
});

describe('utilisation threshold events', () => {
  it('announces a crossing up and a crossing down, once each, however many sweeps look', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, child } = await poolTree(harness);
    const deps = sweepDependencies(harness, new RecordingMetrics(), [60, 90]);
    const sweep = async () => publishIpamMonitoring(deps, await observe(harness, ipam.IpamId));

    await sweep(); // child 50 % used, top 50 %: below 60
    expect(thresholdEvents(harness)).toEqual([]);

    const { IpamPoolAllocation: extra } = await harness.call('AllocateIpamPoolCidr', {
      IpamPoolId: child.IpamPoolId,
      Cidr: '10.0.64.0/19',
    });
    // Sweeps racing on the same change: one announces it.
    const observation = await observe(harness, ipam.IpamId);
    await Promise.all([1, 2, 3].map(() => publishIpamMonitoring(deps, observation)));
    await sweep();
    expect(thresholdEvents(harness).map((event) => event.detail)).toMatchObject([
      {
        ipamId: ipam.IpamId,
        ipamScopeId: ipam.PrivateDefaultScopeId,
        ipamPoolId: child.IpamPoolId,
        percentUsed: 75,
        threshold: 60,
        direction: 'above',
      },
    ]);
    expect(await harness.store.getPoolMonitorState(child.IpamPoolId)).toMatchObject({ thresholdReached: 60 });

    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: child.IpamPoolId,
      IpamPoolAllocationId: extra.IpamPoolAllocationId,
      Cidr: extra.Cidr,
    });
    await sweep();
    await sweep();
    expect(thresholdEvents(harness).map((event) => [event.detail, event.account, event.region])).toMatchObject([
      [expect.objectContaining({ direction: 'above', threshold: 60 }), harness.context.accountId, 'us-east-1'],
      [
        {
          ipamId: ipam.IpamId,
          ipamScopeId: ipam.PrivateDefaultScopeId,
          ipamPoolId: child.IpamPoolId,
          percentUsed: 50,
          threshold: 60,
          direction: 'below',
        },
        harness.context.accountId,
        'us-east-1',
      ],
    ]);
    expect(await harness.store.getPoolMonitorState(child.IpamPoolId)).toMatchObject({ thresholdReached: 0 });

    // The threshold memory is deleted with its pool.
    await harness.call('DeleteIpamPool', { IpamPoolId: child.IpamPoolId, Cascade: true });
    expect(await harness.store.getPool(child.IpamPoolId)).toBeUndefined();
    expect(await harness.store.getPoolMonitorState(child.IpamPoolId)).toBeUndefined();
  });
});
