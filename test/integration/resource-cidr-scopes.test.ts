// Which scope a discovered resource CIDR lands in (issue 17, item 6), with moto as the discovery
// source: a VPC's IPv4 space is private whatever its addresses, public addresses and Amazon's
// IPv6 blocks are public. Every reader of the verdicts is checked: GetIpamResourceCidrs, the
// discovered records, the scope metrics, address history, auto-import and ModifyIpamResourceCidr.
//
// Sources: AWS's CLI example of get-ipam-resource-cidrs (examples/ec2/get-ipam-resource-cidrs.rst)
// lists the VPC 172.33.0.0/16 as unmanaged and nonoverlapping in ipam-scope-02fc38cd4c48e7d38, the
// private scope of describe-ipam-scopes.rst. The guide: "The private scope is intended for all the
// IP addresses that can't be advertised to the internet. The public scope is generally intended for
// all the IP addresses that can be advertised to the internet from AWS", and "You cannot ignore VPC
// CIDRs in the public scope" (Change the monitoring state of VPC CIDRs). EC2's model on IpSource:
// "byoip or amazon indicates public IP address space …; none indicates private space."
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { createSweepHarness, type SweepHarness } from '../support/discovery-sweep.ts';
import {
  allocateElasticIp,
  createSubnet,
  createVpc,
  deleteDefaultVpc,
  ec2As,
  MOTO_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { expectRefusal } from './refusal.ts';

const REGION = 'us-east-1';

type ApiRecord = Record<string, any>;

describe.skipIf(motoMissing())('resource CIDRs in the scope of what the resource is, discovered from moto', () => {
  let moto: MotoServer;
  let sh: SweepHarness;
  let deps: SweepDependencies;
  let ipam: ApiRecord;
  let poolId: string;
  let vpcId: string;
  let subnetId: string;
  let ipv6Cidr: string;
  let eip: { allocationId: string; publicIp: string };

  const resourceCidrs = async (scopeId: string): Promise<ApiRecord[]> =>
    (await sh.harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId })).IpamResourceCidrs;
  const lines = (records: ApiRecord[]) =>
    records
      .map(
        (record) =>
          `${record.ResourceType} ${record.ResourceId} ${record.ResourceCidr} ${record.ManagementState ?? '-'}/${record.ComplianceStatus ?? '-'}/${record.OverlapStatus ?? '-'}`,
      )
      .sort();

  beforeAll(async () => {
    moto = await startMotoServer();
    const ec2 = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, REGION);
    try {
      await deleteDefaultVpc(ec2);
      const vpc = await createVpc(ec2, { cidr: '172.33.0.0/16', ipv6: true, tags: [{ Key: 'Name', Value: 'Default AWS VPC' }] });
      vpcId = vpc.VpcId ?? '';
      // moto may write a group with leading zeros (…:0600::/56); the service answers the canonical form.
      ipv6Cidr = formatCidr(parseCidr(vpc.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock ?? ''));
      subnetId = (await createSubnet(ec2, { vpcId, cidr: '172.33.1.0/24', availabilityZone: `${REGION}a` })).SubnetId ?? '';
      eip = await allocateElasticIp(ec2);
    } finally {
      ec2.destroy();
    }
    // The IPAM's own account is moto's default one: read with the service's own keys, no role.
    const inventory = new Ec2Inventory({
      roleName: 'unused',
      credentials: MOTO_CREDENTIALS,
      ec2Endpoint: moto.endpoint,
      stsEndpoint: moto.endpoint,
    });
    sh = await createSweepHarness();
    deps = { ...sh.deps, inventory };
    ({ Ipam: ipam } = await sh.harness.call('CreateIpam', {}));
    // An auto-importing pool of the private scope that holds the VPC's space (guide: auto-import
    // adopts the VPC CIDRs its pool's scope discovers).
    const { IpamPool } = await sh.harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: REGION,
      AutoImport: true,
    });
    poolId = IpamPool.IpamPoolId;
    await sh.harness.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '172.32.0.0/12' });
    await sh.sweep(deps);
  }, 60_000);

  afterAll(async () => {
    await sh?.close();
    await moto?.stop();
  });

  it('lists the VPC 172.33.0.0/16 and its subnet in the private scope, imported by the private pool', async () => {
    expect(ipv6Cidr).toMatch(/^[0-9a-f:]+\/56$/);
    expect(lines(await resourceCidrs(ipam.PrivateDefaultScopeId))).toEqual(
      [`vpc ${vpcId} 172.33.0.0/16 managed/compliant/nonoverlapping`, `subnet ${subnetId} 172.33.1.0/24 -/-/-`].sort(),
    );
    const { IpamPoolAllocations } = await sh.harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId });
    expect(
      IpamPoolAllocations.map((allocation: ApiRecord) => `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`),
    ).toEqual([`vpc ${vpcId} 172.33.0.0/16`]);
  });

  it("lists the public addresses and the VPC's Amazon-provided IPv6 block in the public scope", async () => {
    expect(lines(await resourceCidrs(ipam.PublicDefaultScopeId))).toEqual(
      [
        `eip ${eip.allocationId} ${eip.publicIp}/32 unmanaged/unmanaged/nonoverlapping`,
        `vpc ${vpcId} ${ipv6Cidr} unmanaged/unmanaged/nonoverlapping`,
      ].sort(),
    );
  });

  it('reports the IPv4 VPC space as private (IpSource none) in what the resource discovery saw', async () => {
    const { IpamDiscoveredResourceCidrs } = await sh.harness.call('GetIpamDiscoveredResourceCidrs', {
      IpamResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
      ResourceRegion: REGION,
    });
    const sources = Object.fromEntries(IpamDiscoveredResourceCidrs.map((record: ApiRecord) => [record.ResourceCidr, record.IpSource]));
    expect(sources).toEqual({
      '172.33.0.0/16': 'none',
      '172.33.1.0/24': 'none',
      [ipv6Cidr]: 'amazon',
      [`${eip.publicIp}/32`]: 'amazon',
    });
  });

  it('counts each CIDR in the metrics of its scope', () => {
    const scopeCount = (scopeId: string, family: string, name: string) =>
      sh.metrics
        .all()
        .filter(
          (datum) =>
            datum.name === name && JSON.stringify(datum.dimensions) === JSON.stringify({ ScopeID: scopeId, AddressFamily: family }),
        )
        .map((datum) => datum.value);
    expect(scopeCount(ipam.PrivateDefaultScopeId, 'IPv4', 'ManagedResourceCidrs')).toEqual([1]);
    expect(scopeCount(ipam.PublicDefaultScopeId, 'IPv4', 'ManagedResourceCidrs')).toEqual([0]);
    expect(scopeCount(ipam.PublicDefaultScopeId, 'IPv4', 'UnmanagedResourceCidrs')).toEqual([1]);
    expect(scopeCount(ipam.PublicDefaultScopeId, 'IPv6', 'UnmanagedResourceCidrs')).toEqual([1]);
  });

  it("keeps the VPC CIDR's address history in the private scope", async () => {
    const history = async (scopeId: string) =>
      (
        await sh.harness.call('GetIpamAddressHistory', {
          IpamScopeId: scopeId,
          Cidr: '172.33.0.0/16',
          StartTime: new Date(0),
          EndTime: new Date(Date.now() + 86_400_000),
        })
      ).HistoryRecords as ApiRecord[];
    expect((await history(ipam.PrivateDefaultScopeId)).map((record) => `${record.ResourceType} ${record.ResourceId}`)).toContain(
      `vpc ${vpcId}`,
    );
    expect(await history(ipam.PublicDefaultScopeId)).toEqual([]);
  });

  it('ignores the IPv4 VPC CIDR in the private scope, but not the IPv6 block of the public scope', async () => {
    const { IpamResourceCidr } = await sh.harness.call('ModifyIpamResourceCidr', {
      ResourceId: vpcId,
      ResourceCidr: '172.33.0.0/16',
      ResourceRegion: REGION,
      CurrentIpamScopeId: ipam.PrivateDefaultScopeId,
      Monitored: false,
    });
    expect(IpamResourceCidr).toMatchObject({ IpamScopeId: ipam.PrivateDefaultScopeId, ManagementState: 'ignored' });
    await expectRefusal(
      sh.harness.call('ModifyIpamResourceCidr', {
        ResourceId: vpcId,
        ResourceCidr: ipv6Cidr,
        ResourceRegion: REGION,
        CurrentIpamScopeId: ipam.PublicDefaultScopeId,
        Monitored: false,
      }),
      'InvalidParameterValue',
      'cannot be ignored',
    );
  });
});
