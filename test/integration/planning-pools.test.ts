// Resource planning pools and subnets from IPAM pools, embedded (issue 16, scenario S13): a pool
// planned within a VPC takes its space from one of the VPC's CIDR blocks, subnet pools below it
// inherit the plan, and CreateSubnet by netmask draws from them with the same allocation path as
// CreateVpc, writing the `subnet` allocation with the subnet and giving it back on DeleteSubnet.
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from '../../lambdas/domain/cidr.ts';
import { EmbeddedCompanionsInventory } from '../../lambdas/adapters/local/embedded-companions-inventory.ts';
import { createSweepHarness } from '../support/discovery-sweep.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const sourceResource = (ResourceId: string, extra: Record<string, string> = {}) => ({
  ResourceId,
  ResourceType: 'vpc',
  ResourceRegion: REGION,
  ResourceOwner: ACCOUNT,
  ...extra,
});

/** S13 steps 1–3: the tutorial VPC 10.0.0.0/20, its planning pool, and the dev and prod subnet pools. */
async function tutorialPlan(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
  const scopeId = Ipam.PrivateDefaultScopeId as string;
  const { Vpc } = await harness.call('CreateVpc', {
    CidrBlock: '10.0.0.0/20',
    TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'tutorial-vpc' }] }],
  });
  const planning = (
    await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', SourceResource: sourceResource(Vpc.VpcId) })
  ).IpamPool;
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning.IpamPoolId, Cidr: '10.0.0.0/20' });
  const subnetPool = async (Cidr: string) => {
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: scopeId,
      SourceIpamPoolId: planning.IpamPoolId,
      AddressFamily: 'ipv4',
      Locale: REGION,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr });
    return IpamPool.IpamPoolId as string;
  };
  return { Ipam, scopeId, Vpc, planning, dev: await subnetPool('10.0.0.0/24'), prod: await subnetPool('10.0.1.0/24') };
}

const allocationLines = async (harness: UseCaseHarness, IpamPoolId: string) =>
  (await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations.map(
    (allocation: Record<string, string>) => `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`,
  );

describe('CreateIpamPool with a SourceResource (resource planning pool)', () => {
  it('plans a VPC of this service: SourceResource returned, locale the VPC’s Region, CIDR = the VPC’s CIDR', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, planning, scopeId, dev: devId } = await tutorialPlan(harness);
    const subnetPoolsOf = async (_: UseCaseHarness, planningId: string) => {
      const pools = (await harness.call('DescribeIpamPools', {})).IpamPools.filter(
        (pool: { SourceIpamPoolId?: string }) => pool.SourceIpamPoolId === planningId,
      );
      // Subnet pools inherit the locale and the plan, not the SourceResource member.
      for (const pool of pools) expect(pool).toMatchObject({ Locale: REGION, PoolDepth: 2 });
      for (const pool of pools) expect(pool).not.toHaveProperty('SourceResource');
      const dev = pools.find((pool: { IpamPoolId: string }) => pool.IpamPoolId === devId).IpamPoolId as string;
      return { dev, prod: pools.find((pool: { IpamPoolId: string }) => pool.IpamPoolId !== devId).IpamPoolId as string };
    };
    expect(planning).toMatchObject({
      SourceResource: sourceResource(Vpc.VpcId),
      Locale: REGION,
      PoolDepth: 1,
      AddressFamily: 'ipv4',
    });
    expect(planning).not.toHaveProperty('SourceIpamPoolId');
    const described = (await harness.call('DescribeIpamPools', { IpamPoolIds: [planning.IpamPoolId] })).IpamPools[0];
    expect(described.SourceResource).toEqual(sourceResource(Vpc.VpcId));
    const cidrs = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: planning.IpamPoolId })).IpamPoolCidrs;
    expect(cidrs).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/20', State: 'provisioned' })]);
    // The subnet pools are allocations of the planning pool, as any child pool.
    const { dev, prod } = await subnetPoolsOf(harness, planning.IpamPoolId);
    expect((await allocationLines(harness, planning.IpamPoolId)).sort()).toEqual(
      [`ipam-pool ${dev} 10.0.0.0/24`, `ipam-pool ${prod} 10.0.1.0/24`].sort(),
    );
    // Region and owner default to the request's; the locale must not differ from the VPC's Region.
    const implicit = await harness.call('CreateIpamPool', {
      IpamScopeId: scopeId,
      AddressFamily: 'ipv4',
      SourceResource: { ResourceId: Vpc.VpcId, ResourceType: 'vpc' },
    });
    expect(implicit.IpamPool.SourceResource).toEqual(sourceResource(Vpc.VpcId));
  });

  it('refuses an unknown, foreign or misplaced VPC as not discovered, and what a planning pool cannot be', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }, { RegionName: 'us-west-2' }] });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/20' });
    const west = (await harness.call('CreateVpc', { CidrBlock: '10.1.0.0/20' }, { region: 'eu-west-1' })).Vpc;
    const other = (await harness.call('CreateVpc', { CidrBlock: '10.2.0.0/20' }, { accountId: '111122223333' })).Vpc;
    const create = (input: Record<string, unknown>) =>
      harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', ...input });

    await expectRefusal(
      create({ SourceResource: sourceResource('vpc-0123456789abcdef0') }),
      'InvalidParameterValue',
      'has not been discovered',
    );
    // Not in an operating Region of the IPAM, or another account's: this IPAM does not discover it.
    await expectRefusal(
      create({ SourceResource: sourceResource(west.VpcId, { ResourceRegion: 'eu-west-1' }) }),
      'InvalidParameterValue',
      west.VpcId,
    );
    await expectRefusal(
      create({ SourceResource: sourceResource(other.VpcId, { ResourceOwner: '111122223333' }) }),
      'InvalidParameterValue',
      other.VpcId,
    );
    // In the named Region it does not exist.
    await expectRefusal(create({ SourceResource: sourceResource(Vpc.VpcId, { ResourceRegion: 'us-west-2' }) }), 'InvalidParameterValue');
    await expectRefusal(create({ SourceResource: sourceResource(Vpc.VpcId), Locale: 'us-west-2' }), 'InvalidParameterCombination', REGION);
    await expectRefusal(
      create({ SourceResource: sourceResource(Vpc.VpcId), IpamScopeId: Ipam.PublicDefaultScopeId }),
      'InvalidParameterCombination',
      'private scope',
    );
    await expectRefusal(create({ SourceResource: sourceResource(Vpc.VpcId), AddressFamily: 'ipv6' }), 'InvalidParameterValue', 'IPv6');
    await expectRefusal(
      create({ SourceResource: sourceResource(Vpc.VpcId), AutoImport: true }),
      'InvalidParameterCombination',
      'AutoImport',
    );
    const top = (await create({})).IpamPool;
    await expectRefusal(
      create({ SourceResource: sourceResource(Vpc.VpcId), SourceIpamPoolId: top.IpamPoolId }),
      'InvalidParameterCombination',
      'SourceIpamPoolId',
    );
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toHaveLength(1);
  });

  it('takes only a CIDR of the VPC, each at most once, and gives it back when deprovisioned', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
    // The VPC's CIDR may well lie in another pool of the same scope: the planning pool's space is the VPC's.
    const { IpamPool: regional } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: REGION,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, Cidr: '10.0.0.0/16' });
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: regional.IpamPoolId, Ipv4NetmaskLength: 20 });
    expect(Vpc.CidrBlock).toBe('10.0.0.0/20');
    const planningPool = async () =>
      (
        await harness.call('CreateIpamPool', {
          IpamScopeId: Ipam.PrivateDefaultScopeId,
          AddressFamily: 'ipv4',
          SourceResource: sourceResource(Vpc.VpcId),
        })
      ).IpamPool.IpamPoolId as string;
    const first = await planningPool();
    const second = await planningPool();

    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: first, Cidr: '10.0.0.0/24' }),
      'InvalidParameterValue',
      'must match a CIDR of the VPC',
    );
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: first, Cidr: '10.1.0.0/20' }),
      'InvalidParameterValue',
      Vpc.VpcId,
    );
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: first, NetmaskLength: 20 }),
      'InvalidParameterValue',
      'give a Cidr',
    );

    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: first, Cidr: '10.0.0.0/20' });
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: first })).IpamPoolCidrs[0].State).toBe('provisioned');
    // Each VPC CIDR belongs to one planning pool at a time.
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: second, Cidr: '10.0.0.0/20' });
    const refused = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: second })).IpamPoolCidrs[0];
    expect(refused).toMatchObject({ State: 'failed-provision', FailureReason: { Code: 'cidr-not-available' } });
    expect(refused.FailureReason.Message).toContain('another resource planning pool');
    // The VPC cannot go while a planning pool holds its CIDR.
    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }), 'DependencyViolation', 'resource planning pool');

    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: first, Cidr: '10.0.0.0/20' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: second, Cidr: '10.0.0.0/20' });
    const records = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: second })).IpamPoolCidrs;
    expect(records.map((record: { State: string }) => record.State)).toEqual(['provisioned']);
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: second, Cidr: '10.0.0.0/20' });

    // Free again: the VPC goes, with its space, and its allocation in the regional pool.
    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
    expect(await harness.store.listFreeBlocks(Vpc.VpcId, 'ipv4')).toEqual([]);
    expect(await allocationLines(harness, regional.IpamPoolId)).toEqual([]);
  });
});

describe('concurrent planning of one VPC CIDR', () => {
  it('gives the CIDR to exactly one of several planning pools provisioning it at once', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/20' });
    const pools: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { IpamPool } = await harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        SourceResource: sourceResource(Vpc.VpcId),
      });
      pools.push(IpamPool.IpamPoolId);
    }
    await Promise.all(pools.map((IpamPoolId) => harness.call('ProvisionIpamPoolCidr', { IpamPoolId, Cidr: '10.0.0.0/20' })));
    const states = await Promise.all(
      pools.map(async (IpamPoolId) => (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs[0].State as string),
    );
    expect(states.sort()).toEqual(['failed-provision', 'failed-provision', 'failed-provision', 'provisioned']);
    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }), 'DependencyViolation');
  });
});

describe('CreateSubnet from a planning pool (S13 step 4)', () => {
  it('gives the dev and prod subnets the lowest free /28 of their pools, each a subnet allocation', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, dev, prod } = await tutorialPlan(harness);
    const tags = [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'tutorial-subnet' }] }];
    const devSubnet = (
      await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28, TagSpecifications: tags })
    ).Subnet;
    expect(devSubnet).toMatchObject({
      VpcId: Vpc.VpcId,
      CidrBlock: '10.0.0.0/28',
      AvailableIpAddressCount: 11,
      State: 'available', // create-subnet.rst: EC2 answers a new subnet `available` already
      Tags: [{ Key: 'Name', Value: 'tutorial-subnet' }],
    });
    expect((await harness.call('DescribeSubnets', { SubnetIds: [devSubnet.SubnetId] })).Subnets).toEqual([devSubnet]);
    expect(devSubnet).not.toHaveProperty('ipamPoolId');
    const prodSubnet = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: prod, Ipv4NetmaskLength: 28 })).Subnet;
    expect(prodSubnet.CidrBlock).toBe('10.0.1.0/28');
    expect(await allocationLines(harness, dev)).toEqual([`subnet ${devSubnet.SubnetId} 10.0.0.0/28`]);
    expect(await allocationLines(harness, prod)).toEqual([`subnet ${prodSubnet.SubnetId} 10.0.1.0/28`]);
    const allocation = (await harness.call('GetIpamPoolAllocations', { IpamPoolId: dev })).IpamPoolAllocations[0];
    expect(allocation).toMatchObject({ ResourceType: 'subnet', ResourceOwner: ACCOUNT, ResourceRegion: REGION });
    // By CIDR from the pool too.
    const byCidr = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, CidrBlock: '10.0.0.128/26' })).Subnet;
    expect(byCidr.CidrBlock).toBe('10.0.0.128/26');
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, CidrBlock: '10.0.0.128/27' }),
      'InvalidSubnet.Conflict',
      byCidr.SubnetId,
    );
  });

  it('never gives two subnets overlapping space, avoiding subnets made by CIDR, and names a too-big request', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, dev } = await tutorialPlan(harness);
    // A subnet by explicit CIDR inside the dev pool's space: the pool does not hand it out again.
    await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/28' });
    const created = await Promise.all(
      Array.from({ length: 12 }, () => harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 })),
    );
    const all = (await harness.call('DescribeSubnets', {})).Subnets.map((subnet: { CidrBlock: string }) => parseCidr(subnet.CidrBlock));
    expect(all).toHaveLength(13);
    for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
    const lines = await allocationLines(harness, dev);
    expect(lines).toHaveLength(12);
    for (const { Subnet } of created) expect(lines).toContain(`subnet ${Subnet.SubnetId} ${Subnet.CidrBlock}`);

    // A /23 is bigger than the /24 pool; a /25 no longer fits in what is left. AWS words both
    // alike (terraform-provider-aws #39046: "The allocation size is too big for the pool.").
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 23 }),
      'InvalidParameterValue',
      'The allocation size is too big for the pool.',
    );
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 25 }),
      'InvalidParameterValue',
      'The allocation size is too big for the pool.',
    );
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 29 }),
      'InvalidSubnet.Range',
      '/29',
    );
    expect((await harness.call('DescribeSubnets', {})).Subnets).toHaveLength(13);
  });

  it('answers a DryRun after checking the caller may use the pool, creating nothing', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, dev } = await tutorialPlan(harness);
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28, DryRun: true }),
      'DryRunOperation',
    );
    await expectRefusal(
      harness.call(
        'CreateSubnet',
        { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28, DryRun: true },
        { accountId: '111122223333' },
      ),
      'InvalidIpamPoolId.NotFound',
    );
    expect((await harness.call('DescribeSubnets', {})).Subnets).toEqual([]);
    expect(await allocationLines(harness, dev)).toEqual([]);
  });

  it('returns the space when the subnet is deleted, so the same CIDR is given out again', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, dev } = await tutorialPlan(harness);
    const whole = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 24 })).Subnet;
    expect(whole.CidrBlock).toBe('10.0.0.0/24');
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 }),
      'InvalidParameterValue',
      'The allocation size is too big for the pool.',
    );
    expect(await harness.call('DeleteSubnet', { SubnetId: whole.SubnetId })).toEqual({});
    expect(await allocationLines(harness, dev)).toEqual([]);
    const again = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 24 })).Subnet;
    expect(again.CidrBlock).toBe('10.0.0.0/24');
  });

  it('refuses a pool that does not plan this VPC, and what the pool asks of a resource', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam, Vpc, dev, scopeId } = await tutorialPlan(harness);
    const other = (await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/20' })).Vpc;
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: other.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 }),
      'InvalidParameterValue',
      `not a resource planning pool of VPC ${other.VpcId}`,
    );
    // An ordinary pool holding the VPC's space is not a plan of it either: AWS's words
    // (landing-zone-accelerator-on-aws #320: "IpamPool 'ipam-pool-…' is missing a source resource").
    const { IpamPool: plain } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: REGION,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: plain.IpamPoolId, Cidr: '10.0.0.0/20' });
    const refused = await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: plain.IpamPoolId, Ipv4NetmaskLength: 28 }),
      'InvalidParameterValue',
    );
    expect(refused.message).toBe(`IpamPool '${plain.IpamPoolId}' is missing a source resource`);
    // Required tags: the subnet must carry them.
    const { IpamPool: tagged } = await harness.call('CreateIpamPool', {
      IpamScopeId: scopeId,
      SourceIpamPoolId: (await harness.call('DescribeIpamPools', { Filters: [{ Name: 'ipam-pool-id', Values: [dev] }] })).IpamPools[0]
        .SourceIpamPoolId,
      AddressFamily: 'ipv4',
      AllocationResourceTags: [{ Key: 'env', Value: 'test' }],
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: tagged.IpamPoolId, Cidr: '10.0.2.0/24' });
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: tagged.IpamPoolId, Ipv4NetmaskLength: 28 }),
      'InvalidParameterValue',
      'missing one or more of the resource tags',
    );
    const withTags = await harness.call('CreateSubnet', {
      VpcId: Vpc.VpcId,
      Ipv4IpamPoolId: tagged.IpamPoolId,
      Ipv4NetmaskLength: 28,
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'env', Value: 'test' }] }],
    });
    expect(withTags.Subnet.CidrBlock).toBe('10.0.2.0/28');
    // An IPv4 pool cannot give a subnet's IPv6 block (IPv6 planning pools: ipv6-planning.test.ts).
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.9.0/24', Ipv6IpamPoolId: dev, Ipv6NetmaskLength: 64 }),
      'InvalidParameterValue',
      'Ipv6IpamPoolId takes ipv6 pools',
    );
    await expectRefusal(harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4NetmaskLength: 28 }), 'InvalidParameterCombination');
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: 'vpc-0123456789abcdef0', Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 }),
      'InvalidVpcID.NotFound',
    );
    expect(await allocationLines(harness, dev)).toEqual([]);
  });
});

describe('cascade delete of a planning pool (S13 step 5)', () => {
  it('deletes the subnet pools and releases the subnets’ allocations; the subnets stay and can be deleted, then the VPC', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, planning, dev, prod } = await tutorialPlan(harness);
    const subnets = [
      (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 })).Subnet,
      (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: prod, Ipv4NetmaskLength: 28 })).Subnet,
    ];
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: planning.IpamPoolId }), 'DependencyViolation');
    await harness.call('DeleteIpamPool', { IpamPoolId: planning.IpamPoolId, Cascade: true });
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toEqual([]);
    const left = (await harness.call('DescribeSubnets', {})).Subnets;
    expect(left.map((subnet: { CidrBlock: string }) => subnet.CidrBlock).sort()).toEqual(['10.0.0.0/28', '10.0.1.0/28']);
    for (const subnet of subnets) expect(await harness.call('DeleteSubnet', { SubnetId: subnet.SubnetId })).toEqual({});
    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
    expect(await harness.store.listFreeBlocks(Vpc.VpcId, 'ipv4')).toEqual([]);
  });
});

describe('discovery of subnets from a planning pool', () => {
  it('shows them in GetIpamResourceCidrs at the next sweep, managed by their subnet pool', async () => {
    const sh = await createSweepHarness();
    try {
      const harness = sh.harness;
      const { scopeId, Vpc, dev } = await tutorialPlan(harness);
      const fromPool = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: dev, Ipv4NetmaskLength: 28 })).Subnet;
      const byCidr = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.8.0/24' })).Subnet;
      await sh.writeInventory({ [ACCOUNT]: { [REGION]: {} } });
      await sh.sweep({ ...sh.deps, inventory: new EmbeddedCompanionsInventory(harness.store, sh.deps.inventory) });

      const { IpamResourceCidrs } = await harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId, ResourceType: 'subnet' });
      const lines = IpamResourceCidrs.map(
        (record: Record<string, string>) =>
          `${record.ResourceId} ${record.ResourceCidr} ${record.IpamPoolId ?? '-'} ${record.ManagementState ?? '-'} ${record.VpcId}`,
      );
      expect(lines.sort()).toEqual(
        [`${fromPool.SubnetId} 10.0.0.0/28 ${dev} managed ${Vpc.VpcId}`, `${byCidr.SubnetId} 10.0.8.0/24 - - ${Vpc.VpcId}`].sort(),
      );
      // The subnet is still allocated after the sweep (discovery saw it).
      expect(await allocationLines(harness, dev)).toEqual([`subnet ${fromPool.SubnetId} 10.0.0.0/28`]);
      const vpcRecord = (await harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId, ResourceType: 'vpc' })).IpamResourceCidrs[0];
      expect(vpcRecord).toMatchObject({ ResourceId: Vpc.VpcId, OverlapStatus: 'nonoverlapping' });
    } finally {
      await sh.close();
    }
  });
});
