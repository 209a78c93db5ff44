// The sweep's pure decisions: snapshot → discovered records, scope kinds, verdicts per scope
// (management, compliance, overlap), auto-import candidates and auto-release candidates.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrFromStart, cidrsOverlap, formatCidr, parseCidr } from '../../../lambdas/domain/cidr.ts';
import {
  accountRegionKey,
  dedupeDiscovered,
  discoveredFromSnapshot,
  evaluateIpam,
  importCandidates,
  type IpamView,
  defaultScopeKindOf,
  vanishedAllocations,
} from '../../../lambdas/domain/discovery.ts';
import type { DiscoveredResourceCidr } from '../../../lambdas/domain/model/discovery.ts';
import type { Ipam, IpamScope } from '../../../lambdas/domain/model/ipam.ts';
import type { ResourceCidrOverride } from '../../../lambdas/domain/model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../../lambdas/domain/model/pool.ts';
import type { InventorySnapshot } from '../../../lambdas/domain/inventory.ts';

const ACCOUNT = '123456789012';
const TIME = '2024-05-01T12:00:00.000Z';
const EMPTY: InventorySnapshot = { vpcs: [], subnets: [], addresses: [], networkInterfaces: [], publicIpv4Pools: [] };

describe('discoveredFromSnapshot', () => {
  const discover = (snapshot: Partial<InventorySnapshot>) =>
    discoveredFromSnapshot('ipam-res-disco-1', 'us-east-1', ACCOUNT, { ...EMPTY, ...snapshot }, TIME);

  it('reports each VPC CIDR with the share its subnets cover, and each subnet CIDR with the share of addresses in use', () => {
    const { resourceCidrs } = discover({
      vpcs: [
        {
          VpcId: 'vpc-1',
          OwnerId: ACCOUNT,
          Cidrs: ['10.0.0.0/16', '10.1.0.0/16', '2600:1f18::/56'],
          Tags: [{ Key: 'Name', Value: 'prod' }],
        },
      ],
      subnets: [
        {
          SubnetId: 'subnet-a',
          VpcId: 'vpc-1',
          OwnerId: ACCOUNT,
          Cidrs: ['10.0.0.0/17', '2600:1f18::/64'],
          AvailabilityZoneId: 'use1-az1',
          AvailableIpAddressCount: 32763 - 16384,
          Tags: [],
        },
        { SubnetId: 'subnet-b', VpcId: 'vpc-1', OwnerId: ACCOUNT, Cidrs: ['10.0.128.0/18'], AvailableIpAddressCount: 16379, Tags: [] },
      ],
    });
    expect(resourceCidrs).toEqual([
      {
        IpamResourceDiscoveryId: 'ipam-res-disco-1',
        ResourceRegion: 'us-east-1',
        SampleTime: TIME,
        ResourceId: 'vpc-1',
        ResourceOwnerId: ACCOUNT,
        ResourceCidr: '10.0.0.0/16',
        IpSource: 'none',
        ResourceType: 'vpc',
        ResourceTags: [{ Key: 'Name', Value: 'prod' }],
        IpUsage: 0.75,
        VpcId: 'vpc-1',
        resourceName: 'prod',
      },
      expect.objectContaining({ ResourceCidr: '10.1.0.0/16', IpUsage: 0 }),
      expect.objectContaining({ ResourceCidr: '2600:1f18::/56', IpSource: 'amazon', IpUsage: 1 / 256 }),
      {
        IpamResourceDiscoveryId: 'ipam-res-disco-1',
        ResourceRegion: 'us-east-1',
        SampleTime: TIME,
        ResourceId: 'subnet-a',
        ResourceOwnerId: ACCOUNT,
        ResourceCidr: '10.0.0.0/17',
        IpSource: 'none',
        ResourceType: 'subnet',
        ResourceTags: [],
        // 32768 addresses, 5 reserved, 16379 free: 16384 in use.
        IpUsage: 0.5,
        VpcId: 'vpc-1',
        SubnetId: 'subnet-a',
        AvailabilityZoneId: 'use1-az1',
        resourceName: undefined,
      },
      expect.objectContaining({ ResourceId: 'subnet-a', ResourceCidr: '2600:1f18::/64', IpUsage: undefined }),
      // A fresh subnet: everything but the reserved five is free.
      expect.objectContaining({ ResourceId: 'subnet-b', ResourceCidr: '10.0.128.0/18', IpUsage: 0 }),
    ]);
  });

  it('reports Elastic IPs as /32s and public IPv4 pools with the share given to Elastic IPs', () => {
    const { resourceCidrs } = discover({
      addresses: [
        { AllocationId: 'eipalloc-1', PublicIp: '3.5.0.1', AssociationId: 'eipassoc-1', NetworkInterfaceId: 'eni-1', Tags: [] },
        { AllocationId: 'eipalloc-2', PublicIp: '198.51.100.7', PublicIpv4Pool: 'ipv4pool-ec2-1', Tags: [{ Key: 'Name', Value: 'spare' }] },
      ],
      publicIpv4Pools: [
        { PoolId: 'ipv4pool-ec2-1', Cidrs: ['198.51.100.0/24'], TotalAddressCount: 256, TotalAvailableAddressCount: 192, Tags: [] },
      ],
    });
    expect(
      resourceCidrs.map(
        ({
          ResourceId,
          ResourceCidr,
          ResourceType,
          IpSource,
          NetworkInterfaceAttachmentStatus,
          IpUsage,
          ResourceOwnerId,
          resourceName,
        }) => ({
          ResourceId,
          ResourceCidr,
          ResourceType,
          IpSource,
          NetworkInterfaceAttachmentStatus,
          IpUsage,
          ResourceOwnerId,
          resourceName,
        }),
      ),
    ).toEqual([
      {
        ResourceId: 'eipalloc-1',
        ResourceCidr: '3.5.0.1/32',
        ResourceType: 'eip',
        IpSource: 'amazon',
        NetworkInterfaceAttachmentStatus: 'in-use',
        IpUsage: undefined,
        ResourceOwnerId: ACCOUNT,
        resourceName: undefined,
      },
      {
        ResourceId: 'eipalloc-2',
        ResourceCidr: '198.51.100.7/32',
        ResourceType: 'eip',
        IpSource: 'byoip',
        NetworkInterfaceAttachmentStatus: 'available',
        IpUsage: undefined,
        ResourceOwnerId: ACCOUNT,
        resourceName: 'spare',
      },
      {
        ResourceId: 'ipv4pool-ec2-1',
        ResourceCidr: '198.51.100.0/24',
        ResourceType: 'public-ipv4-pool',
        IpSource: 'byoip',
        NetworkInterfaceAttachmentStatus: undefined,
        IpUsage: 0.25,
        ResourceOwnerId: ACCOUNT,
        resourceName: undefined,
      },
    ]);
  });

  // Every entry has Tags and a NetworkBorderGroup, as in AWS's CLI example
  // get-ipam-discovered-public-addresses.rst ("Tags": {}, "NetworkBorderGroup": "us-east-1c" for
  // an instance's ec2-public-ip); the EC2 model: the resource's AZ network border group by default.
  it('reports public addresses: Elastic IPs with the service behind them, and public IPs of interfaces that are not Elastic IPs', () => {
    const { publicAddresses } = discover({
      addresses: [
        {
          AllocationId: 'eipalloc-1',
          PublicIp: '3.5.0.1',
          AssociationId: 'eipassoc-1',
          NetworkInterfaceId: 'eni-nat',
          NetworkBorderGroup: 'us-east-1',
          Tags: [{ Key: 'team', Value: 'net' }],
        },
        { AllocationId: 'eipalloc-2', PublicIp: '198.51.100.7', PublicIpv4Pool: 'ipv4pool-ec2-1', Tags: [] },
      ],
      networkInterfaces: [
        // The EIP's own interface: reported once, as the EIP.
        {
          NetworkInterfaceId: 'eni-nat',
          PublicIp: '3.5.0.1',
          AllocationId: 'eipalloc-1',
          InterfaceType: 'nat_gateway',
          Description: 'Interface for NAT Gateway nat-0abc',
          VpcId: 'vpc-1',
          SubnetId: 'subnet-a',
          AvailabilityZone: 'us-east-1a',
          Groups: [],
        },
        {
          NetworkInterfaceId: 'eni-web',
          PublicIp: '3.5.0.2',
          InterfaceType: 'interface',
          InstanceId: 'i-1',
          VpcId: 'vpc-1',
          SubnetId: 'subnet-a',
          AvailabilityZone: 'us-east-1c',
          Groups: [{ GroupName: 'web', GroupId: 'sg-1' }],
        },
        {
          NetworkInterfaceId: 'eni-elb',
          PublicIp: '3.5.0.3',
          RequesterManaged: true,
          Description: 'ELB app/shop/50dc6c495c0c9188',
          Groups: [],
        },
        { NetworkInterfaceId: 'eni-rds', PublicIp: '3.5.0.4', RequesterManaged: true, Description: 'RDSNetworkInterface', Groups: [] },
      ],
    });
    expect(publicAddresses).toEqual([
      {
        IpamResourceDiscoveryId: 'ipam-res-disco-1',
        AddressRegion: 'us-east-1',
        AddressOwnerId: ACCOUNT,
        SampleTime: TIME,
        Address: '3.5.0.1',
        AddressAllocationId: 'eipalloc-1',
        AssociationStatus: 'associated',
        AddressType: 'amazon-owned-eip',
        Service: 'nat-gateway',
        ServiceResource: 'nat-0abc',
        VpcId: 'vpc-1',
        SubnetId: 'subnet-a',
        PublicIpv4PoolId: undefined,
        NetworkInterfaceId: 'eni-nat',
        NetworkInterfaceDescription: 'Interface for NAT Gateway nat-0abc',
        InstanceId: undefined,
        SecurityGroups: [],
        Tags: { EipTags: [{ Key: 'team', Value: 'net' }] },
        // The interface's Availability Zone, not the Elastic IP's own network border group (us-east-1).
        NetworkBorderGroup: 'us-east-1a',
      },
      expect.objectContaining({
        Address: '198.51.100.7',
        AssociationStatus: 'disassociated',
        AddressType: 'byoip',
        Service: 'other',
        PublicIpv4PoolId: 'ipv4pool-ec2-1',
        // On no interface, without a network border group of its own: the Region.
        Tags: {},
        NetworkBorderGroup: 'us-east-1',
      }),
      expect.objectContaining({
        Address: '3.5.0.2',
        AssociationStatus: 'associated',
        AddressType: 'ec2-public-ip',
        Service: 'other',
        InstanceId: 'i-1',
        SecurityGroups: [{ GroupName: 'web', GroupId: 'sg-1' }],
        NetworkInterfaceDescription: '',
        Tags: {},
        NetworkBorderGroup: 'us-east-1c',
      }),
      expect.objectContaining({
        Address: '3.5.0.3',
        AddressType: 'service-managed-ip',
        Service: 'load-balancer',
        ServiceResource: 'app/shop/50dc6c495c0c9188',
        Tags: {},
        NetworkBorderGroup: 'us-east-1',
      }),
      expect.objectContaining({
        Address: '3.5.0.4',
        AddressType: 'service-managed-ip',
        Service: 'relational-database-service',
        Tags: {},
        NetworkBorderGroup: 'us-east-1',
      }),
    ]);
  });
});

describe('defaultScopeKindOf', () => {
  // AWS's CLI example of get-ipam-resource-cidrs (examples/ec2/get-ipam-resource-cidrs.rst) lists
  // the VPC 172.33.0.0/16 in ipam-scope-02fc38cd4c48e7d38, a private scope (describe-ipam-scopes.rst):
  // a VPC's IPv4 space is private whatever its addresses. The guide: "The public scope is generally
  // intended for all the IP addresses that can be advertised to the internet from AWS" — Elastic
  // IPs, public pools, and Amazon-provided or BYOIPv6 GUA blocks; ULA is private.
  it.each([
    ['vpc', '10.0.0.0/16', 'private'],
    ['vpc', '172.33.0.0/16', 'private'],
    ['subnet', '3.5.0.0/24', 'private'],
    ['vpc', '10.0.0.0/7', 'private'],
    ['vpc', 'fd12:3456::/48', 'private'],
    ['subnet', 'fd12:3456::/64', 'private'],
    ['vpc', '2600:1f18::/56', 'public'],
    ['subnet', '2600:1f18::/64', 'public'],
    ['eip', '3.5.0.1/32', 'public'],
    ['eip', '10.0.0.1/32', 'public'],
    ['public-ipv4-pool', '198.51.100.0/24', 'public'],
  ] as const)('a %s CIDR %s is %s', (type, cidr, kind) => {
    expect(defaultScopeKindOf(type, parseCidr(cidr))).toBe(kind);
  });
});

// ---- One IPAM ----

const IPAM: Ipam = {
  OwnerId: ACCOUNT,
  IpamId: 'ipam-1',
  IpamArn: 'arn:aws:ec2::123456789012:ipam/ipam-1',
  IpamRegion: 'us-east-1',
  PublicDefaultScopeId: 'scope-public',
  PrivateDefaultScopeId: 'scope-private',
  ScopeCount: 3,
  OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }],
  State: 'create-complete',
  Tags: [],
  Tier: 'advanced',
  EnablePrivateGua: false,
  MeteredAccount: 'ipam-owner',
  ResourceDiscoveryAssociationCount: 1,
  DefaultResourceDiscoveryId: 'ipam-res-disco-1',
  DefaultResourceDiscoveryAssociationId: 'ipam-res-disco-assoc-1',
  version: 1,
};

function scope(id: string, type: 'public' | 'private'): IpamScope {
  return {
    OwnerId: ACCOUNT,
    IpamScopeId: id,
    IpamScopeArn: `arn:${id}`,
    IpamArn: IPAM.IpamArn,
    IpamRegion: 'us-east-1',
    IpamScopeType: type,
    IsDefault: id !== 'scope-other',
    PoolCount: 0,
    State: 'create-complete',
    Tags: [],
    ipamId: IPAM.IpamId,
    version: 1,
  };
}
const SCOPES = [scope('scope-public', 'public'), scope('scope-private', 'private'), scope('scope-other', 'private')];

function pool(id: string, overrides: Partial<IpamPool> = {}): IpamPool {
  return {
    OwnerId: ACCOUNT,
    IpamPoolId: id,
    IpamPoolArn: `arn:${id}`,
    IpamScopeArn: 'arn:scope-private',
    IpamScopeType: 'private',
    IpamArn: IPAM.IpamArn,
    IpamRegion: 'us-east-1',
    Locale: 'us-east-1',
    PoolDepth: 1,
    State: 'create-complete',
    AutoImport: true,
    AddressFamily: 'ipv4',
    AllocationResourceTags: [],
    Tags: [],
    ipamId: IPAM.IpamId,
    ipamScopeId: 'scope-private',
    provisionedCidrCount: 1,
    childPoolCount: 0,
    version: 1,
    ...overrides,
  };
}

function poolCidr(poolId: string, cidr: string): IpamPoolCidr {
  return {
    IpamPoolCidrId: `cidr-${poolId}-${cidr}`,
    Cidr: cidr,
    State: 'provisioned',
    NetmaskLength: parseCidr(cidr).prefixLength,
    ipamPoolId: poolId,
    sourceSpaceId: 'scope-private',
    version: 1,
  };
}

function allocation(poolId: string, cidr: string, overrides: Partial<IpamPoolAllocation> = {}): IpamPoolAllocation {
  return {
    IpamPoolAllocationId: `alloc-${cidr}`,
    Cidr: cidr,
    ResourceType: 'custom',
    ResourceOwner: ACCOUNT,
    Tags: [],
    ipamPoolId: poolId,
    within: cidr,
    createdAt: TIME,
    ...overrides,
  };
}

function vpcAllocation(poolId: string, vpcId: string, cidr: string, region = 'us-east-1'): IpamPoolAllocation {
  return allocation(poolId, cidr, {
    IpamPoolAllocationId: `alloc-${vpcId}`,
    ResourceType: 'vpc',
    ResourceId: vpcId,
    ResourceRegion: region,
  });
}

function found(
  type: DiscoveredResourceCidr['ResourceType'],
  id: string,
  cidr: string,
  extra: Partial<DiscoveredResourceCidr> = {},
): DiscoveredResourceCidr {
  return {
    IpamResourceDiscoveryId: 'ipam-res-disco-1',
    ResourceRegion: 'us-east-1',
    ResourceId: id,
    ResourceOwnerId: ACCOUNT,
    ResourceCidr: cidr,
    ResourceType: type,
    ResourceTags: [],
    SampleTime: TIME,
    ...(type === 'vpc' ? { VpcId: id } : {}),
    ...extra,
  };
}

function override(id: string, cidr: string, extra: Partial<ResourceCidrOverride>): ResourceCidrOverride {
  return { ipamId: IPAM.IpamId, resourceRegion: 'us-east-1', resourceId: id, resourceCidr: cidr, ignored: false, version: 1, ...extra };
}

function view(parts: Partial<IpamView>): IpamView {
  return { ipam: IPAM, scopes: SCOPES, pools: [], poolCidrs: new Map(), allocations: [], discovered: [], overrides: [], ...parts };
}

/** Each verdict as `<scope> <resource> <cidr> <management>/<compliance>/<overlap>` plus its pool, for compact assertions. */
function verdictsOf(input: IpamView) {
  return evaluateIpam(input).map(({ verdict, overlapsWith }) => ({
    line: `${verdict.IpamScopeId} ${verdict.ResourceId} ${verdict.ResourceCidr} ${verdict.ManagementState ?? '-'}/${verdict.ComplianceStatus ?? '-'}/${verdict.OverlapStatus ?? '-'}`,
    pool: verdict.IpamPoolId,
    overlapsWith,
  }));
}

describe('evaluateIpam: scopes and management', () => {
  it('judges unmanaged, managed and subnet CIDRs, and puts public things in the public scope', () => {
    const lines = verdictsOf(
      view({
        pools: [pool('pool-1')],
        allocations: [vpcAllocation('pool-1', 'vpc-managed', '10.1.0.0/16')],
        discovered: [
          found('vpc', 'vpc-managed', '10.1.0.0/16'),
          found('vpc', 'vpc-free', '10.2.0.0/16'),
          found('subnet', 'subnet-1', '10.2.0.0/24', { VpcId: 'vpc-free' }),
          found('vpc', 'vpc-gua', '2600:1f18::/56'),
          found('eip', 'eipalloc-1', '3.5.0.1/32'),
          found('public-ipv4-pool', 'ipv4pool-ec2-1', '198.51.100.0/24'),
        ],
      }),
    );
    expect(lines).toEqual([
      { line: 'scope-private subnet-1 10.2.0.0/24 -/-/-', pool: undefined, overlapsWith: [] },
      { line: 'scope-private vpc-free 10.2.0.0/16 unmanaged/unmanaged/nonoverlapping', pool: undefined, overlapsWith: [] },
      { line: 'scope-private vpc-managed 10.1.0.0/16 managed/compliant/nonoverlapping', pool: 'pool-1', overlapsWith: [] },
      { line: 'scope-public eipalloc-1 3.5.0.1/32 unmanaged/unmanaged/nonoverlapping', pool: undefined, overlapsWith: [] },
      // An Elastic IP lies inside the public IPv4 pool it came from: no overlap.
      { line: 'scope-public ipv4pool-ec2-1 198.51.100.0/24 unmanaged/unmanaged/nonoverlapping', pool: undefined, overlapsWith: [] },
      { line: 'scope-public vpc-gua 2600:1f18::/56 unmanaged/unmanaged/nonoverlapping', pool: undefined, overlapsWith: [] },
    ]);
  });

  it('keeps the record fields of the discovered CIDR', () => {
    const [{ verdict }] = evaluateIpam(
      view({
        discovered: [
          found('vpc', 'vpc-1', '10.0.0.0/16', {
            ResourceRegion: 'us-west-2',
            IpUsage: 0.5,
            ResourceTags: [{ Key: 'Name', Value: 'a' }],
            resourceName: 'a',
          }),
        ],
      }),
    );
    expect(verdict).toEqual({
      IpamId: 'ipam-1',
      IpamScopeId: 'scope-private',
      IpamPoolId: undefined,
      ResourceRegion: 'us-west-2',
      ResourceOwnerId: ACCOUNT,
      ResourceId: 'vpc-1',
      ResourceName: 'a',
      ResourceCidr: '10.0.0.0/16',
      ResourceType: 'vpc',
      ResourceTags: [{ Key: 'Name', Value: 'a' }],
      IpUsage: 0.5,
      VpcId: 'vpc-1',
      AvailabilityZoneId: undefined,
      ManagementState: 'unmanaged',
      ComplianceStatus: 'unmanaged',
      OverlapStatus: 'nonoverlapping',
    });
  });

  it('moves a CIDR (and the subnets inside it) to the scope an override names, and ignores what an override ignores', () => {
    const lines = verdictsOf(
      view({
        discovered: [
          found('vpc', 'vpc-moved', '10.1.0.0/16'),
          found('subnet', 'subnet-moved', '10.1.1.0/24', { VpcId: 'vpc-moved' }),
          found('vpc', 'vpc-ignored', '10.2.0.0/16'),
          found('vpc', 'vpc-near', '10.1.0.0/20'),
        ],
        overrides: [
          override('vpc-moved', '10.1.0.0/16', { scopeId: 'scope-other' }),
          override('vpc-ignored', '10.2.0.0/16', { ignored: true }),
        ],
      }),
    ).map((entry) => entry.line);
    expect(lines).toEqual([
      'scope-other subnet-moved 10.1.1.0/24 -/-/-',
      'scope-other vpc-moved 10.1.0.0/16 unmanaged/unmanaged/nonoverlapping',
      // Ignored CIDRs are neither judged nor compared.
      'scope-private vpc-ignored 10.2.0.0/16 ignored/ignored/ignored',
      // Overlap is per scope: vpc-near does not overlap the moved 10.1.0.0/16.
      'scope-private vpc-near 10.1.0.0/20 unmanaged/unmanaged/nonoverlapping',
    ]);
  });

  it('places a managed CIDR in the scope of the pool it is allocated from', () => {
    const lines = verdictsOf(
      view({
        pools: [pool('pool-other', { ipamScopeId: 'scope-other' })],
        allocations: [vpcAllocation('pool-other', 'vpc-1', '10.0.0.0/16')],
        discovered: [found('vpc', 'vpc-1', '10.0.0.0/16')],
      }),
    );
    expect(lines.map((entry) => entry.line)).toEqual(['scope-other vpc-1 10.0.0.0/16 managed/compliant/nonoverlapping']);
  });
});

describe('evaluateIpam: compliance (DN-22)', () => {
  const judged = (poolOverrides: Partial<IpamPool>, extra: Partial<DiscoveredResourceCidr> = {}) =>
    evaluateIpam(
      view({
        pools: [pool('pool-1', poolOverrides)],
        allocations: [vpcAllocation('pool-1', 'vpc-1', '10.0.0.0/16', extra.ResourceRegion)],
        discovered: [found('vpc', 'vpc-1', '10.0.0.0/16', extra)],
      }),
    )[0].verdict.ComplianceStatus;

  it('is compliant when netmask, tags and locale fit the pool', () => {
    expect(
      judged(
        { AllocationMinNetmaskLength: 16, AllocationMaxNetmaskLength: 24, AllocationResourceTags: [{ Key: 'env', Value: 'prod' }] },
        { ResourceTags: [{ Key: 'env', Value: 'prod' }] },
      ),
    ).toBe('compliant');
  });
  it('is noncompliant when the CIDR is larger than the pool allows', () =>
    expect(judged({ AllocationMinNetmaskLength: 20 })).toBe('noncompliant'));
  it('is noncompliant when the CIDR is smaller than the pool allows', () =>
    expect(judged({ AllocationMaxNetmaskLength: 12 })).toBe('noncompliant'));
  it('is noncompliant when a required tag is missing or different', () => {
    expect(judged({ AllocationResourceTags: [{ Key: 'env', Value: 'prod' }] })).toBe('noncompliant');
    expect(judged({ AllocationResourceTags: [{ Key: 'env', Value: 'prod' }] }, { ResourceTags: [{ Key: 'env', Value: 'dev' }] })).toBe(
      'noncompliant',
    );
  });
  it('is noncompliant when the resource is outside the pool locale', () =>
    expect(judged({}, { ResourceRegion: 'us-west-2' })).toBe('noncompliant'));
});

describe('evaluateIpam: overlap (DN-36)', () => {
  it('flags CIDRs that contain or equal each other, and CIDRs inside manual allocations, with what they overlap', () => {
    const result = verdictsOf(
      view({
        pools: [pool('pool-1')],
        allocations: [
          allocation('pool-1', '10.9.0.0/16'),
          // A VPC never overlaps its own allocation.
          vpcAllocation('pool-1', 'vpc-managed', '10.5.0.0/16'),
        ],
        discovered: [
          found('vpc', 'vpc-a', '10.0.0.0/16'),
          found('vpc', 'vpc-b', '10.0.4.0/22'),
          found('vpc', 'vpc-c', '10.0.4.0/22', { ResourceRegion: 'us-west-2' }),
          found('vpc', 'vpc-d', '10.9.1.0/24'),
          found('vpc', 'vpc-managed', '10.5.0.0/16'),
          found('vpc', 'vpc-ignored', '10.0.0.0/8'),
          // Subnets are not compared, not even with another VPC.
          found('subnet', 'subnet-1', '10.0.4.0/24', { VpcId: 'vpc-b' }),
        ],
        overrides: [override('vpc-ignored', '10.0.0.0/8', { ignored: true })],
      }),
    );
    const byResource = Object.fromEntries(result.map((entry) => [entry.line.split(' ')[1], entry.overlapsWith.sort()]));
    expect(byResource).toEqual({
      'vpc-a': ['vpc-b 10.0.4.0/22', 'vpc-c 10.0.4.0/22'],
      'vpc-b': ['vpc-a 10.0.0.0/16', 'vpc-c 10.0.4.0/22'],
      'vpc-c': ['vpc-a 10.0.0.0/16', 'vpc-b 10.0.4.0/22'],
      'vpc-d': ['alloc-10.9.0.0/16 10.9.0.0/16'],
      'vpc-managed': [],
      'vpc-ignored': [],
      'subnet-1': [],
    });
    expect(
      result
        .filter((entry) => entry.line.endsWith('/overlapping'))
        .map((entry) => entry.line.split(' ')[1])
        .sort(),
    ).toEqual(['vpc-a', 'vpc-b', 'vpc-c', 'vpc-d']);
  });

  it('agrees with comparing every pair (property)', () => {
    // CIDRs inside 10.0.0.0/8, from /8 to /24: plenty of nesting and duplicates.
    const vpcCidr = fc
      .record({ middle: fc.integer({ min: 0, max: 0xffff }), prefixLength: fc.integer({ min: 8, max: 24 }) })
      .map(({ middle, prefixLength }) => {
        const hostBits = BigInt(32 - prefixLength);
        const address = (10n << 24n) | (BigInt(middle) << 8n);
        return cidrFromStart('ipv4', (address >> hostBits) << hostBits, prefixLength);
      });
    fc.assert(
      fc.property(fc.array(vpcCidr, { minLength: 1, maxLength: 12 }), (cidrs) => {
        const discovered = cidrs.map((cidr, index) => found('vpc', `vpc-${index}`, formatCidr(cidr)));
        const evaluated = evaluateIpam(view({ discovered }));
        for (const { verdict, overlapsWith } of evaluated) {
          const self = parseCidr(verdict.ResourceCidr);
          const expected = discovered.filter(
            (other) => other.ResourceId !== verdict.ResourceId && cidrsOverlap(self, parseCidr(other.ResourceCidr)),
          );
          expect(overlapsWith.sort()).toEqual(expected.map((other) => `${other.ResourceId} ${other.ResourceCidr}`).sort());
          expect(verdict.OverlapStatus).toBe(expected.length > 0 ? 'overlapping' : 'nonoverlapping');
        }
      }),
    );
  });
});

describe('importCandidates (DN-23)', () => {
  it('offers the VPC CIDRs inside each importing pool and clear of its allocations, deepest pool first, largest CIDR first, lowest id among equals', () => {
    const parent = pool('pool-parent');
    const child = pool('pool-child', { PoolDepth: 2, SourceIpamPoolId: 'pool-parent' });
    const input = view({
      pools: [parent, child],
      poolCidrs: new Map([
        ['pool-parent', [poolCidr('pool-parent', '10.0.0.0/8')]],
        ['pool-child', [poolCidr('pool-child', '10.1.0.0/16')]],
      ]),
      allocations: [
        allocation('pool-parent', '10.1.0.0/16', { ResourceType: 'ipam-pool', ResourceId: 'pool-child' }),
        vpcAllocation('pool-parent', 'vpc-allocated', '10.7.0.0/16'),
        allocation('pool-parent', '10.5.1.0/24'),
      ],
      discovered: [
        found('vpc', 'vpc-b', '10.2.0.0/24'),
        found('vpc', 'vpc-a', '10.2.0.0/24'),
        found('vpc', 'vpc-big', '10.3.0.0/16'),
        found('vpc', 'vpc-in-child', '10.1.2.0/24'),
        found('vpc', 'vpc-allocated', '10.7.0.0/16'),
        found('vpc', 'vpc-ignored', '10.8.0.0/16'),
        found('vpc', 'vpc-outside', '192.168.0.0/16'),
        found('vpc', 'vpc-moved', '10.9.0.0/16'),
        // Holds a reservation of the pool (spec §5.5: VPC 10.0.0.0/23 is not imported over an allocated 10.0.0.0/26).
        found('vpc', 'vpc-over-reservation', '10.5.0.0/16'),
        found('subnet', 'subnet-1', '10.2.0.0/25', { VpcId: 'vpc-a' }),
      ],
      overrides: [
        override('vpc-ignored', '10.8.0.0/16', { ignored: true }),
        override('vpc-moved', '10.9.0.0/16', { scopeId: 'scope-other' }),
      ],
    });
    const offered = importCandidates(input, [parent, child]).map(({ pool, found }) => `${pool.IpamPoolId} ${found.ResourceId}`);
    expect(offered).toEqual([
      'pool-child vpc-in-child',
      // Not offered to the parent: the child pool's CIDR is an allocation of the parent.
      'pool-parent vpc-big',
      'pool-parent vpc-a',
      'pool-parent vpc-b',
    ]);
  });

  it('offers nothing to pools that do not import', () => {
    const input = view({
      pools: [pool('pool-1')],
      poolCidrs: new Map([['pool-1', [poolCidr('pool-1', '10.0.0.0/8')]]]),
      discovered: [found('vpc', 'vpc-1', '10.0.0.0/16')],
    });
    expect(importCandidates(input, [])).toEqual([]);
  });

  // EC2 model, IpamPool.AutoImport: "A locale must be set on the pool for this feature to work."
  it('offers nothing to a pool without a locale', () => {
    const regional = pool('pool-regional', { Locale: 'us-west-2' });
    const everywhere = pool('pool-no-locale', { Locale: 'None' });
    const input = view({
      pools: [regional, everywhere],
      poolCidrs: new Map([
        ['pool-regional', [poolCidr('pool-regional', '10.0.0.0/16')]],
        ['pool-no-locale', [poolCidr('pool-no-locale', '10.1.0.0/16')]],
      ]),
      discovered: [
        found('vpc', 'vpc-west', '10.0.1.0/24', { ResourceRegion: 'us-west-2' }),
        found('vpc', 'vpc-east', '10.0.2.0/24'),
        found('vpc', 'vpc-none', '10.1.1.0/24'),
      ],
    });
    const offered = importCandidates(input, [regional, everywhere]).map(({ pool, found }) => `${pool.IpamPoolId} ${found.ResourceId}`);
    // A pool with a locale takes VPCs of other Regions too (DN-23: imported, then flagged noncompliant).
    expect(offered).toEqual(['pool-regional vpc-east', 'pool-regional vpc-west']);
  });
});

describe('vanishedAllocations', () => {
  const allocations = [
    vpcAllocation('pool-1', 'vpc-gone', '10.1.0.0/16'),
    vpcAllocation('pool-1', 'vpc-here', '10.2.0.0/16'),
    vpcAllocation('pool-1', 'vpc-unread', '10.3.0.0/16', 'us-west-2'),
    vpcAllocation('pool-1', 'vpc-ignored', '10.4.0.0/16'),
    allocation('pool-1', '10.5.0.0/16'),
    allocation('pool-1', '10.6.0.0/16', { ResourceType: 'ipam-pool', ResourceId: 'pool-2', ResourceRegion: 'us-east-1' }),
  ];
  it('releases resource allocations whose CIDR is gone from a read account, or ignored — never reservations or child pools', () => {
    const input = view({
      pools: [pool('pool-1')],
      allocations,
      discovered: [found('vpc', 'vpc-here', '10.2.0.0/16'), found('vpc', 'vpc-ignored', '10.4.0.0/16')],
      overrides: [override('vpc-ignored', '10.4.0.0/16', { ignored: true })],
    });
    const released = vanishedAllocations(input, new Set([accountRegionKey(ACCOUNT, 'us-east-1')]));
    expect(released.map(({ allocation, cause }) => `${allocation.ResourceId ?? allocation.Cidr} ${cause}`)).toEqual([
      'vpc-gone auto-release',
      'vpc-ignored ignored',
    ]);
  });
});

describe('dedupeDiscovered', () => {
  it('keeps one record per Region, resource and CIDR: the latest sample', () => {
    const older = found('vpc', 'vpc-1', '10.0.0.0/16', { SampleTime: '2024-05-01T11:00:00.000Z', IpamResourceDiscoveryId: 'rd-old' });
    const newer = found('vpc', 'vpc-1', '10.0.0.0/16', { IpamResourceDiscoveryId: 'rd-new' });
    const elsewhere = found('vpc', 'vpc-1', '10.0.0.0/16', { ResourceRegion: 'us-west-2' });
    expect(dedupeDiscovered([older, newer, elsewhere])).toEqual([newer, elsewhere]);
  });
});
