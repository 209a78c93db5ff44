// IPv6 resource planning pools and subnet IPv6 blocks from IPAM pools, embedded (issue 16): a VPC's
// IPv6 block (from a ULA pool of the private scope, or an Amazon-provided pool of the public scope)
// is provisioned to a planning pool of that scope, and CreateSubnet / AssociateSubnetCidrBlock draw
// /44–/64 blocks of it by Ipv6IpamPoolId (by netmask or CIDR) with the IPv4 path: a `subnet`
// allocation written with the subnet, given back by DeleteSubnet, DisassociateSubnetCidrBlock or
// the planning pool's cascade delete.
import { describe, expect, it } from 'vitest';
import { EmbeddedCompanionsInventory } from '../../lambdas/adapters/local/embedded-companions-inventory.ts';
import { cidrsOverlap, containsCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { createSweepHarness } from '../support/discovery-sweep.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ULA = 'fd12:3456:7800::/40';

const sourceResource = (ResourceId: string) => ({ ResourceId, ResourceType: 'vpc', ResourceRegion: REGION, ResourceOwner: ACCOUNT });

const allocationLines = async (harness: UseCaseHarness, IpamPoolId: string) =>
  (
    (await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations.map(
      (allocation: Record<string, string>) => `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`,
    ) as string[]
  ).sort();

const ipv6Of = (subnet: { Ipv6CidrBlockAssociationSet?: { Ipv6CidrBlock: string }[] }) =>
  subnet.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock;

/** A dual-stack VPC whose /56 comes from a ULA pool of the private scope, and its IPv6 planning pool. */
async function ulaPlan(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
  const scopeId = Ipam.PrivateDefaultScopeId as string;
  const ula = (await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv6', Locale: REGION })).IpamPool.IpamPoolId;
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: ula, Cidr: ULA });
  const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: ula, Ipv6NetmaskLength: 56 });
  const block = Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock as string;
  const planning = (
    await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv6', SourceResource: sourceResource(Vpc.VpcId) })
  ).IpamPool;
  return { Ipam, scopeId, ula, Vpc, block, planning: planning.IpamPoolId as string, planningPool: planning };
}

describe('IPv6 resource planning pools', () => {
  it('plans a VPC’s IPv6 block: the CIDR must be that block, and a VPC without one has nothing to plan', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, ula, Vpc, block, planning, planningPool } = await ulaPlan(harness);
    expect(planningPool).toMatchObject({ SourceResource: sourceResource(Vpc.VpcId), Locale: REGION, AddressFamily: 'ipv6' });
    expect(planningPool).not.toHaveProperty('PublicIpSource');

    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: '10.0.0.0/16' }),
      'InvalidParameterValue',
      'not an ipv6 CIDR',
    );
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: 'fd00:1::/56' }),
      'InvalidParameterValue',
      block,
    );
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: planning })).IpamPoolCidrs).toEqual([
      expect.objectContaining({ Cidr: block, State: 'provisioned' }),
    ]);

    // The planned block cannot leave the VPC; deprovisioned, it can, and its space goes with it.
    const association = Vpc.Ipv6CidrBlockAssociationSet[0].AssociationId;
    await expectRefusal(
      harness.call('DisassociateVpcCidrBlock', { AssociationId: association }),
      'InvalidCidrBlock.InUse',
      'resource planning pool',
    );
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    expect(await harness.store.listFreeBlocks(Vpc.VpcId, 'ipv6')).toEqual([expect.objectContaining({ cidr: block })]);
    await harness.call('DisassociateVpcCidrBlock', { AssociationId: association });
    expect(await harness.store.listFreeBlocks(Vpc.VpcId, 'ipv6')).toEqual([]);
    expect(await allocationLines(harness, ula)).toEqual([]);

    const ipv4Only = (await harness.call('CreateVpc', { CidrBlock: '10.1.0.0/16' })).Vpc;
    await expectRefusal(
      harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv6', SourceResource: sourceResource(ipv4Only.VpcId) }),
      'InvalidParameterValue',
      'no IPv6 CIDR block',
    );
  });
});

describe('CreateSubnet with Ipv6IpamPoolId', () => {
  it('carves /64s by netmask that never overlap, avoids explicit blocks, and gives each back at DeleteSubnet', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc, block, planning } = await ulaPlan(harness);
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    const vpcBlock = parseCidr(block);

    // A subnet with an explicit block of the VPC's /56 first: a draw by netmask must not land on it.
    const first64 = `${block.split('::')[0]}::/64`;
    const explicit = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/24', Ipv6CidrBlock: first64 })).Subnet;

    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        harness.call('CreateSubnet', {
          VpcId: Vpc.VpcId,
          CidrBlock: `10.0.${i + 1}.0/24`,
          Ipv6IpamPoolId: planning,
          Ipv6NetmaskLength: 64,
        }),
      ),
    );
    const subnets = created.map((answer) => answer.Subnet);
    // create-subnet.rst: the subnet `available`, its IPv6 block `associating`.
    for (const subnet of subnets) {
      expect(subnet.Ipv6CidrBlockAssociationSet).toEqual([
        {
          AssociationId: expect.stringMatching(/^subnet-cidr-assoc-/),
          Ipv6CidrBlock: expect.stringMatching(/\/64$/),
          Ipv6CidrBlockState: { State: 'associating' },
        },
      ]);
    }
    const blocks = [explicit, ...subnets].map((subnet) => parseCidr(ipv6Of(subnet)!));
    for (const [i, one] of blocks.entries()) {
      expect(containsCidr(vpcBlock, one)).toBe(true);
      for (const other of blocks.slice(i + 1)) expect(cidrsOverlap(one, other)).toBe(false);
    }
    expect(await allocationLines(harness, planning)).toEqual(subnets.map((subnet) => `subnet ${subnet.SubnetId} ${ipv6Of(subnet)}`).sort());
    // DescribeSubnets shows EC2's members only, settled.
    const described = (await harness.call('DescribeSubnets', { SubnetIds: [subnets[0].SubnetId] })).Subnets[0];
    expect(described.Ipv6CidrBlockAssociationSet).toEqual([
      { ...subnets[0].Ipv6CidrBlockAssociationSet[0], Ipv6CidrBlockState: { State: 'associated' } },
    ]);

    // A block of the pool by CIDR: taken ones are refused, a free one is given.
    await expectRefusal(
      harness.call('CreateSubnet', {
        VpcId: Vpc.VpcId,
        CidrBlock: '10.0.9.0/24',
        Ipv6IpamPoolId: planning,
        Ipv6CidrBlock: ipv6Of(subnets[0]),
      }),
      'InvalidParameterValue',
    );
    const deleted = subnets.pop();
    await harness.call('DeleteSubnet', { SubnetId: deleted.SubnetId });
    expect(await allocationLines(harness, planning)).toEqual(subnets.map((subnet) => `subnet ${subnet.SubnetId} ${ipv6Of(subnet)}`).sort());
    const again = (
      await harness.call('CreateSubnet', {
        VpcId: Vpc.VpcId,
        CidrBlock: '10.0.9.0/24',
        Ipv6IpamPoolId: planning,
        Ipv6CidrBlock: ipv6Of(deleted),
      })
    ).Subnet;
    expect(ipv6Of(again)).toBe(ipv6Of(deleted));
    for (const subnet of [explicit, again, ...subnets]) await harness.call('DeleteSubnet', { SubnetId: subnet.SubnetId });
    expect(await allocationLines(harness, planning)).toEqual([]);
  });

  it('refuses what a subnet’s IPv6 block from a pool cannot be, allocating nothing', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, ula, Vpc, block, planning } = await ulaPlan(harness);
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    const subnet = (input: Record<string, unknown>) =>
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/24', ...input });

    await expectRefusal(subnet({ Ipv6IpamPoolId: planning, Ipv6NetmaskLength: 62 }), 'InvalidSubnet.Range', '/44 and /64');
    await expectRefusal(subnet({ Ipv6IpamPoolId: planning, Ipv6NetmaskLength: 40 }), 'InvalidSubnet.Range');
    await expectRefusal(subnet({ Ipv6NetmaskLength: 64 }), 'InvalidParameterCombination', 'Ipv6IpamPoolId');
    await expectRefusal(
      subnet({ Ipv6IpamPoolId: planning, Ipv6NetmaskLength: 64, Ipv6CidrBlock: `${block.split('::')[0]}::/64` }),
      'InvalidParameterCombination',
    );
    // The planning pool has no default netmask: one must be named.
    await expectRefusal(subnet({ Ipv6IpamPoolId: planning }), 'InvalidParameterCombination', 'empty CIDR and Netmask Length');
    // The ULA pool the VPC's block came from does not plan the VPC.
    await expectRefusal(subnet({ Ipv6IpamPoolId: ula, Ipv6NetmaskLength: 64 }), 'InvalidParameterValue', 'is missing a source resource');
    const ipv4 = (await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', Locale: REGION })).IpamPool;
    await expectRefusal(
      subnet({ Ipv6IpamPoolId: ipv4.IpamPoolId, Ipv6NetmaskLength: 64 }),
      'InvalidParameterValue',
      'Ipv6IpamPoolId takes ipv6 pools',
    );
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: planning, Ipv4NetmaskLength: 24 }),
      'InvalidParameterValue',
      'not an IPv4 pool',
    );
    // A second subnet whose IPv4 block clashes: nothing is allocated for it.
    await subnet({});
    await expectRefusal(subnet({ Ipv6IpamPoolId: planning, Ipv6NetmaskLength: 64 }), 'InvalidSubnet.Conflict');
    expect(await allocationLines(harness, planning)).toEqual([]);
    expect((await harness.call('DescribeSubnets', {})).Subnets).toHaveLength(1);
  });

  it('draws IPv4 and IPv6 from two planning pools at once, and DeleteSubnet gives both back in one go', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, Vpc, block, planning } = await ulaPlan(harness);
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    const ipv4Planning = (
      await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', SourceResource: sourceResource(Vpc.VpcId) })
    ).IpamPool.IpamPoolId;
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: ipv4Planning, Cidr: '10.0.0.0/16' });

    const { Subnet } = await harness.call('CreateSubnet', {
      VpcId: Vpc.VpcId,
      Ipv4IpamPoolId: ipv4Planning,
      Ipv4NetmaskLength: 24,
      Ipv6IpamPoolId: planning,
      Ipv6NetmaskLength: 60,
    });
    expect(Subnet.CidrBlock).toMatch(/^10\.0\.\d+\.0\/24$/);
    expect(ipv6Of(Subnet)).toMatch(/\/60$/);
    expect(await allocationLines(harness, ipv4Planning)).toEqual([`subnet ${Subnet.SubnetId} ${Subnet.CidrBlock}`]);
    expect(await allocationLines(harness, planning)).toEqual([`subnet ${Subnet.SubnetId} ${ipv6Of(Subnet)}`]);

    await harness.call('DeleteSubnet', { SubnetId: Subnet.SubnetId });
    expect(await allocationLines(harness, ipv4Planning)).toEqual([]);
    expect(await allocationLines(harness, planning)).toEqual([]);
    expect((await harness.call('DescribeSubnets', {})).Subnets).toEqual([]);
  });
});

describe('AssociateSubnetCidrBlock with Ipv6IpamPoolId', () => {
  it('adds a block from a subnet pool below the planning pool, and DisassociateSubnetCidrBlock gives it back', async () => {
    const harness = await createUseCaseHarness();
    const { scopeId, Vpc, block, planning } = await ulaPlan(harness);
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
    const subnetPool = (
      await harness.call('CreateIpamPool', {
        IpamScopeId: scopeId,
        SourceIpamPoolId: planning,
        AddressFamily: 'ipv6',
        AllocationDefaultNetmaskLength: 64,
      })
    ).IpamPool.IpamPoolId;
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: subnetPool, NetmaskLength: 60 });
    const [poolCidr] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: subnetPool })).IpamPoolCidrs;
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/24' });

    await expectRefusal(harness.call('AssociateSubnetCidrBlock', { SubnetId: Subnet.SubnetId }), 'MissingParameter');
    // By the pool's default netmask (/64), answered `associating` (associate-subnet-cidr-block.rst).
    const associated = await harness.call('AssociateSubnetCidrBlock', { SubnetId: Subnet.SubnetId, Ipv6IpamPoolId: subnetPool });
    const association = associated.Ipv6CidrBlockAssociation;
    expect(association).toEqual({
      AssociationId: expect.stringMatching(/^subnet-cidr-assoc-/),
      Ipv6CidrBlock: expect.stringMatching(/\/64$/),
      Ipv6CidrBlockState: { State: 'associating' },
    });
    expect(containsCidr(parseCidr(poolCidr.Cidr), parseCidr(association.Ipv6CidrBlock))).toBe(true);
    expect(await allocationLines(harness, subnetPool)).toEqual([`subnet ${Subnet.SubnetId} ${association.Ipv6CidrBlock}`]);
    await expectRefusal(
      harness.call('AssociateSubnetCidrBlock', { SubnetId: Subnet.SubnetId, Ipv6IpamPoolId: subnetPool }),
      'InvalidParameterValue',
      'already has an IPv6 CIDR block',
    );
    expect(await allocationLines(harness, subnetPool)).toHaveLength(1);

    const removed = await harness.call('DisassociateSubnetCidrBlock', { AssociationId: association.AssociationId });
    expect(removed).toEqual({
      SubnetId: Subnet.SubnetId,
      Ipv6CidrBlockAssociation: { ...association, Ipv6CidrBlockState: { State: 'disassociating' } },
    });
    expect(await allocationLines(harness, subnetPool)).toEqual([]);
    expect((await harness.call('DescribeSubnets', {})).Subnets[0]).not.toHaveProperty('Ipv6CidrBlockAssociationSet');
  });
});

describe('IPv6 planning pools of the public scope and cascade delete', () => {
  it('plans an Amazon-provided block in the public scope, refuses it in the private one, and cascades', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
    const amazon = (
      await harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PublicDefaultScopeId,
        AddressFamily: 'ipv6',
        AwsService: 'ec2',
        PublicIpSource: 'amazon',
        Locale: REGION,
      })
    ).IpamPool.IpamPoolId;
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: amazon, NetmaskLength: 52 });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: amazon, Ipv6NetmaskLength: 56 });
    const block = Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock as string;
    const planningIn = async (IpamScopeId: string) =>
      (await harness.call('CreateIpamPool', { IpamScopeId, AddressFamily: 'ipv6', SourceResource: sourceResource(Vpc.VpcId) })).IpamPool;

    const privatePlan = await planningIn(Ipam.PrivateDefaultScopeId);
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: privatePlan.IpamPoolId, Cidr: block }),
      'InvalidParameterValue',
      'public scope',
    );
    await harness.call('DeleteIpamPool', { IpamPoolId: privatePlan.IpamPoolId });
    const planning = await planningIn(Ipam.PublicDefaultScopeId);
    expect(planning).not.toHaveProperty('PublicIpSource');
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning.IpamPoolId, Cidr: block });
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: planning.IpamPoolId })).IpamPoolCidrs).toEqual([
      expect.objectContaining({ Cidr: block, State: 'provisioned' }),
    ]);

    const subnets = [
      (
        await harness.call('CreateSubnet', {
          VpcId: Vpc.VpcId,
          CidrBlock: '10.0.0.0/24',
          Ipv6IpamPoolId: planning.IpamPoolId,
          Ipv6NetmaskLength: 64,
        })
      ).Subnet,
      (
        await harness.call('CreateSubnet', {
          VpcId: Vpc.VpcId,
          CidrBlock: '10.0.1.0/24',
          Ipv6IpamPoolId: planning.IpamPoolId,
          Ipv6NetmaskLength: 64,
        })
      ).Subnet,
    ];
    expect(cidrsOverlap(parseCidr(ipv6Of(subnets[0])!), parseCidr(ipv6Of(subnets[1])!))).toBe(false);
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: planning.IpamPoolId }), 'DependencyViolation');
    // EC2 cascades "pools in the public scope with a source resource"; the subnets keep their blocks.
    await harness.call('DeleteIpamPool', { IpamPoolId: planning.IpamPoolId, Cascade: true });
    expect(
      (await harness.call('DescribeIpamPools', { IpamPoolIds: [planning.IpamPoolId] }).catch(() => ({ IpamPools: [] }))).IpamPools,
    ).toEqual([]);
    const left = (await harness.call('DescribeSubnets', {})).Subnets;
    expect(left.map(ipv6Of).sort()).toEqual(subnets.map(ipv6Of).sort());
    for (const subnet of subnets) expect(await harness.call('DeleteSubnet', { SubnetId: subnet.SubnetId })).toEqual({});
    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
    expect(await harness.store.listFreeBlocks(Vpc.VpcId, 'ipv6')).toEqual([]);
    expect(await allocationLines(harness, amazon)).toEqual([]);
    // Other public pools still refuse a cascade.
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: amazon, Cascade: true }), 'InvalidParameterCombination');
  });
});

describe('discovery of subnets with an IPv6 block from a planning pool', () => {
  it('shows the block in GetIpamResourceCidrs at the next sweep, managed by the planning pool', async () => {
    const sh = await createSweepHarness();
    try {
      const harness = sh.harness;
      const { scopeId, Vpc, block, planning } = await ulaPlan(harness);
      await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: planning, Cidr: block });
      const { Subnet } = await harness.call('CreateSubnet', {
        VpcId: Vpc.VpcId,
        CidrBlock: '10.0.0.0/24',
        Ipv6IpamPoolId: planning,
        Ipv6NetmaskLength: 64,
      });
      await sh.writeInventory({ [ACCOUNT]: { [REGION]: {} } });
      await sh.sweep({ ...sh.deps, inventory: new EmbeddedCompanionsInventory(harness.store, sh.deps.inventory) });

      const { IpamResourceCidrs } = await harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId, ResourceType: 'subnet' });
      const lines = IpamResourceCidrs.map(
        (record: Record<string, string>) =>
          `${record.ResourceId} ${record.ResourceCidr} ${record.IpamPoolId ?? '-'} ${record.ManagementState ?? '-'}`,
      );
      expect(lines.sort()).toEqual(
        [`${Subnet.SubnetId} 10.0.0.0/24 - -`, `${Subnet.SubnetId} ${ipv6Of(Subnet)} ${planning} managed`].sort(),
      );
    } finally {
      await sh.close();
    }
  });
});
