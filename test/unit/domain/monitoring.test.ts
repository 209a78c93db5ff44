// The maths behind the CloudWatch metrics (spec §15) and the utilisation thresholds.
import { describe, expect, it } from 'vitest';
import type { DiscoveredPublicAddress } from '../../../lambdas/domain/model/discovery.ts';
import type { Ipam, IpamScope } from '../../../lambdas/domain/model/ipam.ts';
import type { IpamResourceCidr } from '../../../lambdas/domain/model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../../lambdas/domain/model/pool.ts';
import {
  poolMetrics,
  poolUtilisation,
  publicIpMetrics,
  type ResourceUsage,
  resourceUsageMetrics,
  scopeMetrics,
  selectResourceUsages,
  thresholdCrossing,
  thresholdReached,
} from '../../../lambdas/domain/monitoring.ts';

const poolCidr = (Cidr: string, State: IpamPoolCidr['State'] = 'provisioned'): IpamPoolCidr => ({
  IpamPoolCidrId: `ipam-pool-cidr-${Cidr}`,
  Cidr,
  State,
  NetmaskLength: Number(Cidr.split('/')[1]),
  ipamPoolId: 'ipam-pool-1',
  sourceSpaceId: 'ipam-scope-1',
  version: 1,
});

const allocation = (Cidr: string, ResourceType: IpamPoolAllocation['ResourceType']): IpamPoolAllocation => ({
  IpamPoolAllocationId: `ipam-pool-alloc-${Cidr}`,
  Cidr,
  ResourceType,
  ResourceOwner: '123456789012',
  Tags: [],
  ipamPoolId: 'ipam-pool-1',
  within: Cidr,
  createdAt: '2024-01-01T00:00:00.000Z',
});

const pool = (overrides: Partial<IpamPool> = {}): IpamPool => ({
  OwnerId: '123456789012',
  IpamPoolId: 'ipam-pool-1',
  IpamPoolArn: 'arn:aws:ec2::123456789012:ipam-pool/ipam-pool-1',
  IpamScopeArn: 'arn:aws:ec2::123456789012:ipam-scope/ipam-scope-1',
  IpamScopeType: 'private',
  IpamArn: 'arn:aws:ec2::123456789012:ipam/ipam-1',
  IpamRegion: 'us-east-1',
  Locale: 'None',
  PoolDepth: 1,
  State: 'create-complete',
  AutoImport: false,
  AddressFamily: 'ipv4',
  AllocationResourceTags: [],
  Tags: [],
  ipamId: 'ipam-1',
  ipamScopeId: 'ipam-scope-1',
  provisionedCidrCount: 1,
  childPoolCount: 0,
  version: 1,
  ...overrides,
});

const scope = (IpamScopeId: string): IpamScope => ({
  OwnerId: '123456789012',
  IpamScopeId,
  IpamScopeArn: `arn:aws:ec2::123456789012:ipam-scope/${IpamScopeId}`,
  IpamArn: 'arn:aws:ec2::123456789012:ipam/ipam-1',
  IpamRegion: 'us-east-1',
  IpamScopeType: 'private',
  IsDefault: true,
  PoolCount: 0,
  State: 'create-complete',
  Tags: [],
  ipamId: 'ipam-1',
  version: 1,
});

const resourceCidr = (
  overrides: Partial<IpamResourceCidr> & Pick<IpamResourceCidr, 'ResourceId' | 'ResourceCidr' | 'ResourceType'>,
): IpamResourceCidr => ({
  IpamId: 'ipam-1',
  IpamScopeId: 'ipam-scope-1',
  ResourceRegion: 'us-east-1',
  ResourceOwnerId: '123456789012',
  ResourceTags: [],
  historyStartedAt: '2024-01-01T00:00:00.000Z',
  version: 1,
  ...overrides,
});

describe('pool utilisation', () => {
  it('splits the provisioned space into allocated to pools, assigned to resources and available', () => {
    const cidrs = [poolCidr('10.0.0.0/16'), poolCidr('10.1.0.0/16'), poolCidr('10.2.0.0/16', 'failed-provision')];
    const allocations = [allocation('10.0.0.0/17', 'ipam-pool'), allocation('10.1.0.0/24', 'custom'), allocation('10.1.16.0/20', 'vpc')];
    // 131072 addresses provisioned: 32768 to a child pool, 256 + 4096 to resources.
    expect(poolUtilisation(cidrs, allocations)).toEqual({
      percentAllocated: 25,
      percentAssigned: 3.3203,
      percentAvailable: 71.6796,
      percentUsed: 28.3203,
    });
  });

  it('works on IPv6 sizes and has no shares while nothing is provisioned', () => {
    expect(
      poolUtilisation([poolCidr('2001:db8::/32')], [allocation('2001:db8::/33', 'ipam-pool'), allocation('2001:db8:8000::/48', 'custom')]),
    ).toEqual({
      percentAllocated: 50,
      percentAssigned: 0.0015,
      percentAvailable: 49.9984,
      percentUsed: 50.0015,
    });
    expect(poolUtilisation([poolCidr('10.0.0.0/16', 'pending-provision')], [])).toBeUndefined();
  });

  it('publishes the shares and the compliance of managed CIDRs with PoolID, ScopeID, Locale and AddressFamily', () => {
    const records = [
      resourceCidr({
        ResourceId: 'vpc-a',
        ResourceCidr: '10.0.0.0/24',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        IpamPoolId: 'ipam-pool-1',
      }),
      resourceCidr({
        ResourceId: 'vpc-b',
        ResourceCidr: '10.0.1.0/24',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'noncompliant',
        IpamPoolId: 'ipam-pool-1',
      }),
      resourceCidr({
        ResourceId: 'vpc-c',
        ResourceCidr: '10.0.2.0/24',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        IpamPoolId: 'ipam-pool-2',
      }),
      resourceCidr({
        ResourceId: 'vpc-d',
        ResourceCidr: '10.0.3.0/24',
        ResourceType: 'vpc',
        ManagementState: 'unmanaged',
        ComplianceStatus: 'unmanaged',
      }),
    ];
    const utilisation = { percentAllocated: 25, percentAssigned: 5, percentAvailable: 70, percentUsed: 30 };
    const dimensions = { PoolID: 'ipam-pool-1', ScopeID: 'ipam-scope-1', Locale: 'None', AddressFamily: 'IPv4' };
    expect(poolMetrics(pool(), utilisation, records)).toEqual([
      { name: 'PercentAllocated', unit: 'Percent', value: 25, dimensions },
      { name: 'PercentAssigned', unit: 'Percent', value: 5, dimensions },
      { name: 'PercentAvailable', unit: 'Percent', value: 70, dimensions },
      { name: 'CompliantResourceCidrs', unit: 'Count', value: 1, dimensions },
      { name: 'NoncompliantResourceCidrs', unit: 'Count', value: 1, dimensions },
    ]);
    // No provisioned space: no shares, the counts still go out.
    expect(
      poolMetrics(pool({ Locale: 'eu-west-1', AddressFamily: 'ipv6' }), undefined, []).map((datum) => [
        datum.name,
        datum.dimensions.Locale,
        datum.dimensions.AddressFamily,
      ]),
    ).toEqual([
      ['CompliantResourceCidrs', 'eu-west-1', 'IPv6'],
      ['NoncompliantResourceCidrs', 'eu-west-1', 'IPv6'],
    ]);
  });
});

describe('scope metrics', () => {
  it('counts the CIDRs of the scope by state, per address family, zeros included', () => {
    const records = [
      resourceCidr({
        ResourceId: 'vpc-a',
        ResourceCidr: '10.0.0.0/24',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        OverlapStatus: 'nonoverlapping',
      }),
      resourceCidr({
        ResourceId: 'vpc-b',
        ResourceCidr: '10.0.0.0/16',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'noncompliant',
        OverlapStatus: 'overlapping',
      }),
      resourceCidr({
        ResourceId: 'vpc-c',
        ResourceCidr: '10.0.0.0/20',
        ResourceType: 'vpc',
        ManagementState: 'unmanaged',
        ComplianceStatus: 'unmanaged',
        OverlapStatus: 'overlapping',
      }),
      resourceCidr({
        ResourceId: 'vpc-d',
        ResourceCidr: '10.9.0.0/20',
        ResourceType: 'vpc',
        ManagementState: 'ignored',
        ComplianceStatus: 'ignored',
        OverlapStatus: 'ignored',
      }),
      resourceCidr({ ResourceId: 'subnet-a', ResourceCidr: '10.0.0.0/26', ResourceType: 'subnet' }),
      resourceCidr({
        ResourceId: 'vpc-e',
        ResourceCidr: '2600:1f18::/56',
        ResourceType: 'vpc',
        ManagementState: 'unmanaged',
        ComplianceStatus: 'unmanaged',
        OverlapStatus: 'nonoverlapping',
      }),
      resourceCidr({
        ResourceId: 'vpc-f',
        ResourceCidr: '10.0.0.0/24',
        ResourceType: 'vpc',
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        IpamScopeId: 'ipam-scope-2',
      }),
    ];
    const values = (family: string) =>
      Object.fromEntries(
        scopeMetrics(scope('ipam-scope-1'), records)
          .filter((datum) => datum.dimensions.AddressFamily === family)
          .map((datum) => {
            expect(datum).toMatchObject({ unit: 'Count', dimensions: { ScopeID: 'ipam-scope-1', AddressFamily: family } });
            expect(Object.keys(datum.dimensions)).toHaveLength(2);
            return [datum.name, datum.value];
          }),
      );
    expect(values('IPv4')).toEqual({
      CompliantResourceCidrs: 1,
      NoncompliantResourceCidrs: 1,
      ManagedResourceCidrs: 2,
      UnmanagedResourceCidrs: 1,
      OverlappingResourceCidrs: 2,
    });
    expect(values('IPv6')).toEqual({
      CompliantResourceCidrs: 0,
      NoncompliantResourceCidrs: 0,
      ManagedResourceCidrs: 0,
      UnmanagedResourceCidrs: 1,
      OverlappingResourceCidrs: 0,
    });
  });
});

describe('resource utilisation metrics', () => {
  const usage = (key: string, percent: number, totalSize: bigint, managed = false): ResourceUsage => ({
    key,
    percent,
    totalSize,
    managed,
    dimensions: { VpcID: key },
  });

  it('publishes the highest, the lowest and the largest managed others, each resource once, ties by id', () => {
    const usages = [
      usage('vpc-1', 90, 256n),
      usage('vpc-2', 90, 256n),
      usage('vpc-0', 90, 256n),
      usage('vpc-3', 10, 256n),
      usage('vpc-4', 10, 256n),
      usage('vpc-5', 0, 256n),
      usage('vpc-6', 50, 1024n, true),
      usage('vpc-7', 50, 65536n, true),
      usage('vpc-8', 50, 4096n, true),
      usage('vpc-9', 50, 1n << 20n, false),
    ];
    expect(selectResourceUsages(usages, 2).map((selected) => selected.key)).toEqual(['vpc-0', 'vpc-1', 'vpc-5', 'vpc-3', 'vpc-7', 'vpc-8']);
    // With room for everyone, every resource appears exactly once.
    const all = selectResourceUsages(usages, 50).map((selected) => selected.key);
    expect([...all].sort()).toEqual(usages.map((each) => each.key).sort());
  });

  it('weights a resource’s CIDRs by size, per family, with the dimensions of the guide', () => {
    const records = [
      resourceCidr({ ResourceId: 'vpc-a', ResourceCidr: '10.0.0.0/24', ResourceType: 'vpc', IpUsage: 0.5, ManagementState: 'managed' }),
      resourceCidr({ ResourceId: 'vpc-a', ResourceCidr: '10.1.0.0/22', ResourceType: 'vpc', IpUsage: 0.125, ManagementState: 'unmanaged' }),
      resourceCidr({ ResourceId: 'vpc-a', ResourceCidr: '2600:1f18::/56', ResourceType: 'vpc', IpUsage: 0.25 }),
      resourceCidr({
        ResourceId: 'subnet-a',
        ResourceCidr: '10.0.0.0/26',
        ResourceType: 'subnet',
        IpUsage: 0.75,
        VpcId: 'vpc-a',
        ResourceRegion: 'us-east-1',
      }),
      resourceCidr({ ResourceId: 'subnet-a', ResourceCidr: '2600:1f18::/64', ResourceType: 'subnet', IpUsage: 0.5, VpcId: 'vpc-a' }),
      resourceCidr({ ResourceId: 'subnet-b', ResourceCidr: '10.0.0.64/26', ResourceType: 'subnet', VpcId: 'vpc-a' }),
      resourceCidr({
        ResourceId: 'ipv4pool-ec2-1',
        ResourceCidr: '198.51.100.0/24',
        ResourceType: 'public-ipv4-pool',
        IpUsage: 0.01,
        ResourceOwnerId: '111122223333',
      }),
    ];
    expect(resourceUsageMetrics(records)).toEqual([
      // (256 × 0.5 + 1024 × 0.125) / 1280
      {
        name: 'VpcIPUsage',
        unit: 'Percent',
        value: 20,
        dimensions: { AddressFamily: 'IPv4', OwnerID: '123456789012', Region: 'us-east-1', ScopeID: 'ipam-scope-1', VpcID: 'vpc-a' },
      },
      {
        name: 'VpcIPUsage',
        unit: 'Percent',
        value: 25,
        dimensions: { AddressFamily: 'IPv6', OwnerID: '123456789012', Region: 'us-east-1', ScopeID: 'ipam-scope-1', VpcID: 'vpc-a' },
      },
      // IPv6 subnet usage is not calculated; subnet-b was not measured.
      {
        name: 'SubnetIPUsage',
        unit: 'Percent',
        value: 75,
        dimensions: {
          AddressFamily: 'IPv4',
          OwnerID: '123456789012',
          Region: 'us-east-1',
          ScopeID: 'ipam-scope-1',
          SubnetID: 'subnet-a',
          VpcID: 'vpc-a',
        },
      },
      {
        name: 'PublicIPv4PoolIPUsage',
        unit: 'Percent',
        value: 1,
        dimensions: { OwnerID: '111122223333', PublicIPv4PoolID: 'ipv4pool-ec2-1', Region: 'us-east-1', ScopeID: 'ipam-scope-1' },
      },
    ]);
  });
});

describe('public IP insight metrics', () => {
  const address = (
    Address: string,
    AddressRegion: string,
    AddressType: DiscoveredPublicAddress['AddressType'],
    associated: boolean,
    rd = 'ipam-res-disco-1',
  ): DiscoveredPublicAddress => ({
    IpamResourceDiscoveryId: rd,
    AddressRegion,
    Address,
    AddressOwnerId: '123456789012',
    AssociationStatus: associated ? 'associated' : 'disassociated',
    AddressType,
    Service: 'other',
    Tags: {},
    NetworkBorderGroup: AddressRegion,
    SampleTime: '2024-01-01T00:00:00.000Z',
  });
  const ipam = { IpamId: 'ipam-1', OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'eu-west-1' }] } as Ipam;

  it('counts addresses by kind and association per operating Region, each address once', () => {
    const addresses = [
      address('3.0.0.1', 'us-east-1', 'amazon-owned-eip', true),
      address('3.0.0.1', 'us-east-1', 'amazon-owned-eip', true, 'ipam-res-disco-2'),
      address('3.0.0.2', 'us-east-1', 'amazon-owned-eip', false),
      address('198.51.100.7', 'us-east-1', 'byoip', true),
      address('3.0.0.3', 'us-east-1', 'ec2-public-ip', true),
      address('3.0.0.4', 'us-east-1', 'service-managed-ip', true),
      address('198.51.100.8', 'us-east-1', 'service-managed-byoip', true),
      address('3.0.0.5', 'us-east-1', 'amazon-owned-contig', true),
    ];
    const metrics = publicIpMetrics(ipam, addresses);
    const values = (region: string) =>
      Object.fromEntries(metrics.filter((datum) => datum.dimensions.Region === region).map((datum) => [datum.name, datum.value]));
    expect(
      metrics.every(
        (datum) => datum.unit === 'Count' && datum.dimensions.IpamId === 'ipam-1' && Object.keys(datum.dimensions).length === 2,
      ),
    ).toBe(true);
    expect(values('us-east-1')).toEqual({
      AmazonOwnedElasticIPs: 2,
      AssociatedAmazonOwnedElasticIPs: 1,
      UnassociatedAmazonOwnedElasticIPs: 1,
      BringYourOwnIPs: 1,
      AssociatedBringYourOwnIPs: 1,
      UnassociatedBringYourOwnIPs: 0,
      EC2PublicIPs: 1,
      ServiceManagedIPs: 1,
      ServiceManagedBringYourOwnIPs: 1,
    });
    expect(Object.values(values('eu-west-1'))).toEqual(Array(9).fill(0));
  });
});

describe('utilisation thresholds', () => {
  const thresholds = [80, 90];

  it('finds the highest threshold reached', () => {
    expect(thresholdReached(79.9999, thresholds)).toBe(0);
    expect(thresholdReached(80, thresholds)).toBe(80);
    expect(thresholdReached(95, thresholds)).toBe(90);
  });

  it('reports a crossing only when the band moves: above names the highest reached, below the lowest left', () => {
    expect(thresholdCrossing(0, 0, thresholds)).toBeUndefined();
    expect(thresholdCrossing(80, 80, thresholds)).toBeUndefined();
    expect(thresholdCrossing(0, 90, thresholds)).toEqual({ direction: 'above', threshold: 90 });
    expect(thresholdCrossing(80, 90, thresholds)).toEqual({ direction: 'above', threshold: 90 });
    expect(thresholdCrossing(90, 80, thresholds)).toEqual({ direction: 'below', threshold: 90 });
    expect(thresholdCrossing(90, 0, thresholds)).toEqual({ direction: 'below', threshold: 80 });
  });
});
