// VPCs from IPAM pools, embedded (issue 16, scenario S1 steps 16–18 and C1): CreateVpc applies
// every rule AllocateIpamPoolCidr applies plus the pool's locale and required tags, records a
// `vpc` allocation with the VPC in one commit, and DeleteVpc gives the space back at once.
import { describe, expect, it } from 'vitest';
import { containsCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { ADMIN, MEMBER_A, MEMBER_B, ownerPool, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { EmbeddedCompanionsInventory } from '../../lambdas/adapters/local/embedded-companions-inventory.ts';
import { createSweepHarness } from '../support/discovery-sweep.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ACCOUNT = '123456789012';

/** S1's development pool: a private IPv4 pool of an IPAM in us-east-1, locale us-east-1 (unless `rules` say otherwise), holding 10.0.0.0/24. */
async function developmentPool(harness: UseCaseHarness, rules: Record<string, unknown> = {}, cidr = '10.0.0.0/24') {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }] });
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: 'ipv4',
    Locale: 'us-east-1',
    ...rules,
  });
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  return IpamPool.IpamPoolId as string;
}

const nameTag = (Value: string) => [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value }] }];
const allocationsOf = async (harness: UseCaseHarness, IpamPoolId: string, accountId = ACCOUNT) =>
  (await harness.call('GetIpamPoolAllocations', { IpamPoolId }, { accountId })).IpamPoolAllocations;

describe('CreateVpc from an IPAM pool', () => {
  it('gives the VPC a /26 of the pool, recorded as a vpc allocation, and finds it by its Name tag (S1 16–18)', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);

    const { Vpc } = await harness.call('CreateVpc', {
      Ipv4IpamPoolId: IpamPoolId,
      Ipv4NetmaskLength: 26,
      TagSpecifications: nameTag('IPAM-VPC'),
    });
    expect(Vpc).toEqual({
      VpcId: expect.stringMatching(/^vpc-0[0-9a-f]{16}$/),
      OwnerId: ACCOUNT,
      CidrBlock: '10.0.0.0/26',
      CidrBlockAssociationSet: [
        {
          AssociationId: expect.stringMatching(/^vpc-cidr-assoc-0[0-9a-f]{16}$/),
          CidrBlock: '10.0.0.0/26',
          CidrBlockState: { State: 'associated' },
        },
      ],
      // EC2 answers a new VPC `pending` (AWS CLI example create-vpc.rst); the record is settled at once.
      State: 'pending',
      InstanceTenancy: 'default',
      IsDefault: false,
      DhcpOptionsId: 'default',
      Tags: [{ Key: 'Name', Value: 'IPAM-VPC' }],
    });
    await harness.call('CreateVpc', { CidrBlock: '172.16.0.0/16', TagSpecifications: nameTag('other') });

    const { Vpcs } = await harness.call('DescribeVpcs', { Filters: [{ Name: 'tag:Name', Values: ['IPAM-VPC'] }] });
    expect(Vpcs).toEqual([{ ...Vpc, State: 'available' }]);
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([
      expect.objectContaining({
        Cidr: '10.0.0.0/26',
        ResourceType: 'vpc',
        ResourceId: Vpc.VpcId,
        ResourceOwner: ACCOUNT,
        ResourceRegion: 'us-east-1',
      }),
    ]);
  });

  it('takes an explicit CidrBlock from the pool when it is free, and refuses it when taken', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, CidrBlock: '10.0.0.64/26' });
    expect(Vpc.CidrBlock).toBe('10.0.0.64/26');
    await expectRefusal(
      harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, CidrBlock: '10.0.0.64/27' }),
      'InvalidParameterValue',
      '10.0.0.64/27',
    );
    expect(await allocationsOf(harness, IpamPoolId)).toHaveLength(1);
  });

  it('refuses what AllocateIpamPoolCidr refuses, and what the pool asks of a resource, allocating nothing', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness, {
      Locale: 'us-west-2',
      AllocationMinNetmaskLength: 25,
      AllocationResourceTags: [{ Key: 'environment', Value: 'pre-prod' }],
    });
    const preProd = [{ ResourceType: 'vpc', Tags: [{ Key: 'environment', Value: 'pre-prod' }] }];
    const create = (input: Record<string, unknown>, region = 'us-west-2') =>
      harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, TagSpecifications: preProd, ...input }, { region });

    await expectRefusal(create({ Ipv4NetmaskLength: 29 }), 'InvalidVpc.Range', '/29');
    await expectRefusal(create({ Ipv4NetmaskLength: 15 }), 'InvalidVpc.Range', '/15');
    await expectRefusal(create({ Ipv4NetmaskLength: 24 }), 'InvalidParameterValue', 'minimum netmask length is 25');
    await expectRefusal(
      create({ Ipv4NetmaskLength: 26, TagSpecifications: nameTag('untagged') }),
      'InvalidParameterValue',
      'The resource is missing one or more of the resource tags required by the IPAM pool.',
    );
    await expectRefusal(
      create({ Ipv4NetmaskLength: 26 }, 'us-east-1'),
      'InvalidParameterValue',
      'The locale of the IPAM pool must be equal to the current region.',
    );
    await expectRefusal(create({ CidrBlock: '10.9.0.0/26' }), 'InvalidParameterValue', 'not within the provisioned CIDRs');
    await expectRefusal(create({ CidrBlock: '10.0.0.0/26', Ipv4NetmaskLength: 26 }), 'InvalidParameterCombination');
    await expectRefusal(create({ Ipv4IpamPoolId: 'ipam-pool-0123456789abcdef0', Ipv4NetmaskLength: 26 }), 'InvalidIpamPoolId.NotFound');
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
    expect((await harness.call('DescribeVpcs', {}, { region: 'us-west-2' })).Vpcs).toEqual([]);

    const { Vpc } = await create({ Ipv4NetmaskLength: 26 });
    expect(Vpc.Tags).toEqual([{ Key: 'environment', Value: 'pre-prod' }]);
  });

  it('names a too-big request as AllocateIpamPoolCidr does (S1: a /23 from a /24 pool)', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    await expectRefusal(
      harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 23 }),
      'InvalidParameterValue',
      'The allocation size is too big for the pool.',
    );
  });

  it('answers a DryRun after checking the caller may use the pool, creating nothing', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    const dryRun = { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26, DryRun: true };
    await expectRefusal(harness.call('CreateVpc', dryRun), 'DryRunOperation');
    await expectRefusal(harness.call('CreateVpc', dryRun, { accountId: MEMBER_A }), 'InvalidIpamPoolId.NotFound');
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
    expect((await harness.call('DescribeVpcs', {})).Vpcs).toEqual([]);
  });

  it('refuses a request naming neither a CIDR nor a pool, or a netmask without a pool', async () => {
    const harness = await createUseCaseHarness();
    await expectRefusal(harness.call('CreateVpc', {}), 'MissingParameter');
    await expectRefusal(harness.call('CreateVpc', { Ipv4NetmaskLength: 24 }), 'InvalidParameterCombination');
    await expectRefusal(harness.call('CreateVpc', { CidrBlock: '10.0.0.0/8' }), 'InvalidVpc.Range', '10.0.0.0/8');
  });

  it('lets a principal of a shared pool create a VPC of its own from it; others get NotFound', async () => {
    const harness = await createUseCaseHarness();
    const { org } = sharingOrganization();
    useOrganizations(harness, [org]);
    const { pool } = await ownerPool(harness, ADMIN, '10.0.0.0/16');
    expect((await ram(harness, '123456789012', { path: '/enablesharingwithawsorganization' })).status).toBe(200);
    const shared = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'pools', resourceArns: [pool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);

    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: pool.IpamPoolId, Ipv4NetmaskLength: 24 }, { accountId: MEMBER_A });
    expect(Vpc.OwnerId).toBe(MEMBER_A);
    expect(await allocationsOf(harness, pool.IpamPoolId, ADMIN)).toEqual([
      expect.objectContaining({ ResourceType: 'vpc', ResourceId: Vpc.VpcId, ResourceOwner: MEMBER_A }),
    ]);
    expect((await harness.call('DescribeVpcs', {}, { accountId: MEMBER_A })).Vpcs).toHaveLength(1);
    expect((await harness.call('DescribeVpcs', {}, { accountId: ADMIN })).Vpcs).toEqual([]);
    await expectRefusal(
      harness.call('CreateVpc', { Ipv4IpamPoolId: pool.IpamPoolId, Ipv4NetmaskLength: 24 }, { accountId: MEMBER_B }),
      'InvalidIpamPoolId.NotFound',
    );
  });
});

describe('DescribeVpcs', () => {
  it('filters by id, CIDR association and state, pages, and answers NotFound for an unknown id', async () => {
    const harness = await createUseCaseHarness();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await harness.call('CreateVpc', { CidrBlock: `10.${i}.0.0/16` })).Vpc.VpcId);

    const byCidr = await harness.call('DescribeVpcs', {
      Filters: [{ Name: 'cidr-block-association.cidr-block', Values: ['10.3.0.0/16'] }],
    });
    expect(byCidr.Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)).toEqual([ids[3]]);
    const byId = await harness.call('DescribeVpcs', {
      Filters: [
        { Name: 'vpc-id', Values: [ids[1], ids[2]] },
        { Name: 'state', Values: ['available'] },
      ],
    });
    expect(byId.Vpcs).toHaveLength(2);
    expect((await harness.call('DescribeVpcs', { VpcIds: [ids[4]] })).Vpcs[0].CidrBlock).toBe('10.4.0.0/16');
    await expectRefusal(
      harness.call('DescribeVpcs', { VpcIds: ['vpc-0000000000000000a'] }),
      'InvalidVpcID.NotFound',
      'vpc-0000000000000000a',
    );

    const first = await harness.call('DescribeVpcs', { MaxResults: 5 });
    const second = await harness.call('DescribeVpcs', { MaxResults: 5, NextToken: first.NextToken });
    expect(second.NextToken).toBeUndefined();
    expect([...first.Vpcs, ...second.Vpcs].map((vpc: { VpcId: string }) => vpc.VpcId).sort()).toEqual([...ids].sort());
  });

  it('answers an empty list in a Region or account with no VPCs', async () => {
    const harness = await createUseCaseHarness();
    await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    expect(await harness.call('DescribeVpcs', {}, { region: 'eu-west-1' })).toEqual({ Vpcs: [] });
    expect(await harness.call('DescribeVpcs', {}, { accountId: MEMBER_A })).toEqual({ Vpcs: [] });
  });
});

describe('DeleteVpc', () => {
  it('deletes the VPC and releases its allocation at once, so the space is free again (S1 C1)', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 });
    await expectRefusal(harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 28 }), 'InvalidParameterValue');

    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
    expect((await harness.call('DescribeVpcs', {})).Vpcs).toEqual([]);
    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }), 'InvalidVpcID.NotFound', Vpc.VpcId);
    // The whole /24 is one free block again: it can be given out whole.
    const again = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 });
    expect(again.Vpc.CidrBlock).toBe('10.0.0.0/24');
  });

  it('deletes a VPC whose allocation its pool already released (cascade delete of the pool)', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 });
    await harness.call('DeleteIpamPool', { IpamPoolId, Cascade: true });
    expect((await harness.call('DescribeVpcs', {})).Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)).toEqual([Vpc.VpcId]);
    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
    expect((await harness.call('DescribeVpcs', {})).Vpcs).toEqual([]);
  });

  it('refuses another account’s or Region’s VPC as NotFound', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }, { accountId: MEMBER_A }), 'InvalidVpcID.NotFound');
    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }, { region: 'us-west-2' }), 'InvalidVpcID.NotFound');
  });
});

describe('concurrent CreateVpc from one pool', () => {
  it('gives 32 concurrent VPCs 32 distinct, non-overlapping CIDRs, each matched to its allocation', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness, {}, '10.0.0.0/16');
    const created = await Promise.all(
      Array.from({ length: 32 }, () => harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 })),
    );
    const cidrs = created.map(({ Vpc }) => parseCidr(Vpc.CidrBlock));
    for (const [i, a] of cidrs.entries()) {
      for (const b of cidrs.slice(i + 1)) expect(containsCidr(a, b) || containsCidr(b, a)).toBe(false);
    }
    const allocations = await allocationsOf(harness, IpamPoolId);
    expect(allocations).toHaveLength(32);
    for (const { Vpc } of created) {
      expect(allocations).toContainEqual(expect.objectContaining({ ResourceId: Vpc.VpcId, Cidr: Vpc.CidrBlock, ResourceType: 'vpc' }));
    }
  });
});

describe('subnets of an embedded VPC', () => {
  it('carves subnets inside the VPC, refuses overlap and outside CIDRs, and keeps the VPC until they are gone', async () => {
    const harness = await createUseCaseHarness();
    expect(await harness.call('DescribeSubnets', {})).toEqual({ Subnets: [] });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    const { Subnet } = await harness.call('CreateSubnet', {
      VpcId: Vpc.VpcId,
      CidrBlock: '10.0.1.0/24',
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'app' }] }],
    });
    expect(Subnet).toMatchObject({
      SubnetId: expect.stringMatching(/^subnet-0[0-9a-f]{16}$/),
      SubnetArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${Subnet.SubnetId}`,
      VpcId: Vpc.VpcId,
      CidrBlock: '10.0.1.0/24',
      AvailableIpAddressCount: 251,
      AvailabilityZone: 'us-east-1a',
      // EC2 answers a new subnet `available` already (AWS CLI example create-subnet.rst).
      State: 'available',
      Tags: [{ Key: 'Name', Value: 'app' }],
    });
    expect((await harness.call('DescribeSubnets', { SubnetIds: [Subnet.SubnetId] })).Subnets).toEqual([Subnet]);

    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.1.128/25' }),
      'InvalidSubnet.Conflict',
      Subnet.SubnetId,
    );
    await expectRefusal(harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/16' }), 'InvalidSubnet.Conflict');
    await expectRefusal(harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.1.0.0/24' }), 'InvalidSubnet.Range', '10.1.0.0/24');
    await expectRefusal(harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.2.0/29' }), 'InvalidSubnet.Range');
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.2.0/24' }),
      'InvalidVpcID.NotFound',
    );
    await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.2.0/24' });

    const byVpc = await harness.call('DescribeSubnets', { Filters: [{ Name: 'vpc-id', Values: [Vpc.VpcId] }] });
    expect(byVpc.Subnets.map((subnet: { CidrBlock: string }) => subnet.CidrBlock).sort()).toEqual(['10.0.1.0/24', '10.0.2.0/24']);
    const byTag = await harness.call('DescribeSubnets', { Filters: [{ Name: 'tag:Name', Values: ['app'] }] });
    expect(byTag.Subnets).toEqual([Subnet]);
    await expectRefusal(harness.call('DescribeSubnets', { SubnetIds: ['subnet-0123456789abcdef0'] }), 'InvalidSubnetID.NotFound');

    await expectRefusal(harness.call('DeleteVpc', { VpcId: Vpc.VpcId }), 'DependencyViolation', Subnet.SubnetId);
    for (const subnet of byVpc.Subnets) await harness.call('DeleteSubnet', { SubnetId: subnet.SubnetId });
    await expectRefusal(harness.call('DeleteSubnet', { SubnetId: Subnet.SubnetId }), 'InvalidSubnetID.NotFound');
    expect(await harness.call('DeleteVpc', { VpcId: Vpc.VpcId })).toEqual({});
  });

  it('never lets concurrent CreateSubnet calls overlap in one VPC', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.7.0/24' })),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    expect((await harness.call('DescribeSubnets', {})).Subnets).toHaveLength(1);
  });
});

describe('where the EC2 companions are off (the cloud deployment)', () => {
  it('answers the VPC and subnet calls with InvalidAction, as before issue 16', async () => {
    const harness = await createUseCaseHarness();
    harness.deps.ec2Companions = 'off';
    const actions = ['CreateVpc', 'DescribeVpcs', 'DeleteVpc', 'CreateSubnet', 'DescribeSubnets', 'DeleteSubnet'];
    actions.push('AssociateVpcCidrBlock', 'DisassociateVpcCidrBlock', 'AssociateSubnetCidrBlock', 'DisassociateSubnetCidrBlock');
    for (const action of actions) {
      await expectRefusal(harness.call(action, {}), 'InvalidAction', action);
    }
  });
});

describe('discovery of embedded VPCs', () => {
  it('a sweep agrees with the refresh: a VPC from the pool is managed by its allocation, another in the pool is auto-imported', async () => {
    const sh = await createSweepHarness();
    try {
      const harness = sh.harness;
      const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
      const { IpamPool } = await harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        Locale: 'us-east-1',
        AutoImport: true,
      });
      const IpamPoolId = IpamPool.IpamPoolId as string;
      await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, Cidr: '10.0.0.0/16' });
      const fromPool = (await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 })).Vpc;
      const byCidr = (await harness.call('CreateVpc', { CidrBlock: '10.0.200.0/24' })).Vpc;

      // The inventory file knows the account (with nothing in it); the VPCs come from the store.
      await sh.writeInventory({ [ACCOUNT]: { 'us-east-1': {} } });
      await sh.sweep({ ...sh.deps, inventory: new EmbeddedCompanionsInventory(harness.store, sh.deps.inventory) });

      const lines = (await allocationsOf(harness, IpamPoolId)).map(
        (allocation: { ResourceType: string; ResourceId: string; Cidr: string }) =>
          `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`,
      );
      expect(lines.sort()).toEqual([`vpc ${fromPool.VpcId} ${fromPool.CidrBlock}`, `vpc ${byCidr.VpcId} 10.0.200.0/24`].sort());
      const { IpamResourceCidrs } = await harness.call('GetIpamResourceCidrs', { IpamScopeId: Ipam.PrivateDefaultScopeId });
      const verdicts = IpamResourceCidrs.filter((record: { ResourceType: string }) => record.ResourceType === 'vpc').map(
        (record: Record<string, string>) =>
          `${record.ResourceId} ${record.ResourceCidr} ${record.ManagementState}/${record.ComplianceStatus}/${record.OverlapStatus}`,
      );
      expect(verdicts.sort()).toEqual(
        [
          `${fromPool.VpcId} ${fromPool.CidrBlock} managed/compliant/nonoverlapping`,
          `${byCidr.VpcId} 10.0.200.0/24 managed/compliant/nonoverlapping`,
        ].sort(),
      );
    } finally {
      await sh.close();
    }
  });
});
