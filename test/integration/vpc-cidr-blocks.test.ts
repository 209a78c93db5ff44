// A VPC's secondary and IPv6 CIDR blocks, embedded (issue 16): AssociateVpcCidrBlock draws a block
// from an IPAM pool by the path CreateVpc takes (every allocation rule, a `vpc` allocation per
// block, committed with the VPC), or takes an explicit IPv4 block; DisassociateVpcCidrBlock gives
// it back in the same commit; DeleteVpc releases every block's allocation. IPv6 blocks come from
// IPv6 pools (a ULA pool in the private scope, an Amazon-provided pool in the public scope), and
// subnets take /64s of them at CreateSubnet or by AssociateSubnetCidrBlock.
import { describe, expect, it } from 'vitest';
import { cidrFromStart, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ULA = 'fd12:3456:7800::/40';

interface Association {
  AssociationId: string;
  CidrBlock?: string;
  Ipv6CidrBlock?: string;
}

/** A pool of `family` in us-east-1 holding `cidr`, of the account's IPAM (created with the first pool). */
async function poolOf(harness: UseCaseHarness, family: 'ipv4' | 'ipv6', cidr: string, rules: Record<string, unknown> = {}) {
  const [existing] = (await harness.call('DescribeIpams', {})).Ipams;
  const Ipam = existing ?? (await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] })).Ipam;
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: family,
    Locale: 'us-east-1',
    ...rules,
  });
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  return IpamPool.IpamPoolId as string;
}

const allocationsOf = async (harness: UseCaseHarness, IpamPoolId: string) =>
  (await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations as {
    Cidr: string;
    ResourceId: string;
    ResourceType: string;
  }[];
const describeVpc = async (harness: UseCaseHarness, VpcId: string) => (await harness.call('DescribeVpcs', { VpcIds: [VpcId] })).Vpcs[0];
// A change is answered in the state EC2's work starts in (AWS CLI examples, named where used); the
// record is settled at once, so a describe right after shows the block `associated`.
const settledIpv4 = (association: Association) => ({ ...association, CidrBlockState: { State: 'associated' } });
const settledIpv6 = (association: Association) => ({ ...association, Ipv6CidrBlockState: { State: 'associated' } });

describe('AssociateVpcCidrBlock from an IPv4 IPAM pool', () => {
  it('adds a block of the pool as a vpc allocation, shows it, and gives it back when disassociated', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await poolOf(harness, 'ipv4', '10.0.0.0/24');
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 });

    const associated = await harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 });
    expect(associated).toEqual({
      VpcId: Vpc.VpcId,
      CidrBlockAssociation: {
        AssociationId: expect.stringMatching(/^vpc-cidr-assoc-0[0-9a-f]{16}$/),
        CidrBlock: expect.stringMatching(/^10\.0\.0\.\d+\/26$/),
        CidrBlockState: { State: 'associating' }, // associate-vpc-cidr-block.rst
      },
    });
    const secondary = associated.CidrBlockAssociation as Association;
    expect(secondary.CidrBlock).not.toBe(Vpc.CidrBlock);
    expect(
      (await allocationsOf(harness, IpamPoolId))
        .map((allocation) => `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`)
        .sort(),
    ).toEqual([`vpc ${Vpc.VpcId} ${Vpc.CidrBlock}`, `vpc ${Vpc.VpcId} ${secondary.CidrBlock}`].sort());
    expect((await describeVpc(harness, Vpc.VpcId)).CidrBlockAssociationSet).toEqual([
      Vpc.CidrBlockAssociationSet[0],
      settledIpv4(secondary),
    ]);
    const byBlock = await harness.call('DescribeVpcs', {
      Filters: [{ Name: 'cidr-block-association.cidr-block', Values: [secondary.CidrBlock] }],
    });
    expect(byBlock.Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)).toEqual([Vpc.VpcId]);

    // A subnet in the new block keeps it; the primary block always stays.
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: secondary.CidrBlock });
    await expectRefusal(
      harness.call('DisassociateVpcCidrBlock', { AssociationId: secondary.AssociationId }),
      'InvalidCidrBlock.InUse',
      Subnet.SubnetId,
    );
    await expectRefusal(
      harness.call('DisassociateVpcCidrBlock', { AssociationId: Vpc.CidrBlockAssociationSet[0].AssociationId }),
      'OperationNotPermitted',
      'primary',
    );
    await harness.call('DeleteSubnet', { SubnetId: Subnet.SubnetId });

    expect(await harness.call('DisassociateVpcCidrBlock', { AssociationId: secondary.AssociationId })).toEqual({
      VpcId: Vpc.VpcId,
      CidrBlockAssociation: { ...secondary, CidrBlockState: { State: 'disassociating' } }, // disassociate-vpc-cidr-block.rst
    });
    expect((await allocationsOf(harness, IpamPoolId)).map((allocation) => allocation.Cidr)).toEqual([Vpc.CidrBlock]);
    expect((await describeVpc(harness, Vpc.VpcId)).CidrBlockAssociationSet).toEqual(Vpc.CidrBlockAssociationSet);
    await expectRefusal(
      harness.call('DisassociateVpcCidrBlock', { AssociationId: secondary.AssociationId }),
      'InvalidVpcCidrBlockAssociationID.NotFound',
      secondary.AssociationId,
    );
  });

  it('applies the pool’s rules and EC2’s, allocating nothing when it refuses', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await poolOf(harness, 'ipv4', '10.0.0.0/24', {
      AllocationMinNetmaskLength: 25,
      AllocationResourceTags: [{ Key: 'env', Value: 'dev' }],
    });
    const tagged = await harness.call('CreateVpc', {
      CidrBlock: '10.9.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: 'dev' }] }],
    });
    const untagged = await harness.call('CreateVpc', { CidrBlock: '10.8.0.0/16' });
    const associate = (input: Record<string, unknown>, VpcId = tagged.Vpc.VpcId) =>
      harness.call('AssociateVpcCidrBlock', { VpcId, Ipv4IpamPoolId: IpamPoolId, ...input });

    await expectRefusal(associate({ Ipv4NetmaskLength: 24 }), 'InvalidParameterValue', 'minimum netmask length is 25');
    await expectRefusal(associate({ Ipv4NetmaskLength: 29 }), 'InvalidVpc.Range', '/29');
    await expectRefusal(
      associate({ Ipv4NetmaskLength: 26 }, untagged.Vpc.VpcId),
      'InvalidParameterValue',
      'missing one or more of the resource tags',
    );
    await expectRefusal(associate({ CidrBlock: '10.0.0.0/26', Ipv4NetmaskLength: 26 }), 'InvalidParameterCombination');
    await expectRefusal(associate({ Ipv4NetmaskLength: 26 }, 'vpc-0123456789abcdef0'), 'InvalidVpcID.NotFound');
    await expectRefusal(
      harness.call('AssociateVpcCidrBlock', { VpcId: tagged.Vpc.VpcId, AmazonProvidedIpv6CidrBlock: true }),
      'InvalidParameterValue',
      'Ipv6IpamPoolId',
    );
    await expectRefusal(harness.call('AssociateVpcCidrBlock', { VpcId: tagged.Vpc.VpcId }), 'MissingParameter');
    await expectRefusal(
      harness.call('AssociateVpcCidrBlock', { VpcId: tagged.Vpc.VpcId, Ipv6IpamPoolId: IpamPoolId }),
      'InvalidParameterValue',
      'Ipv6IpamPoolId takes ipv6 pools',
    );
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);

    const { CidrBlockAssociation } = await associate({ Ipv4NetmaskLength: 26 });
    expect(containsCidr(parseCidr('10.0.0.0/24'), parseCidr(CidrBlockAssociation.CidrBlock))).toBe(true);
  });

  it('lets concurrent associations fill the VPC’s quota of 5 IPv4 blocks, each matched to its allocation', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await poolOf(harness, 'ipv4', '10.0.0.0/16');
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '172.16.0.0/16' });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(4);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected')
        expect((attempt.reason as { code: string }).code).toMatch(/^(CidrLimitExceeded|RequestLimitExceeded)$/);
    }
    const blocks = (await describeVpc(harness, Vpc.VpcId)).CidrBlockAssociationSet.map((association: Association) => association.CidrBlock);
    expect(blocks).toHaveLength(5);
    expect((await allocationsOf(harness, IpamPoolId)).map((allocation) => allocation.Cidr).sort()).toEqual(blocks.slice(1).sort());
    await expectRefusal(
      harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, CidrBlock: '192.168.0.0/24' }),
      'CidrLimitExceeded',
      Vpc.VpcId,
    );

    // DeleteVpc gives every block back at once: the /16 is whole again.
    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
    const whole = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 16 });
    expect(whole.Vpc.CidrBlock).toBe('10.0.0.0/16');
  });
});

describe('AssociateVpcCidrBlock by explicit CIDR', () => {
  it('adds a non-overlapping IPv4 block of a VPC size; subnets may use it', async () => {
    const harness = await createUseCaseHarness();
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    await expectRefusal(
      harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, CidrBlock: '10.0.128.0/17' }),
      'InvalidVpc.Range',
      '10.0.0.0/16',
    );
    await expectRefusal(
      harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, CidrBlock: '10.1.0.0/29' }),
      'InvalidVpc.Range',
      '/16 and /28',
    );
    await expectRefusal(harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, Ipv4NetmaskLength: 24 }), 'InvalidParameterCombination');
    const { CidrBlockAssociation } = await harness.call('AssociateVpcCidrBlock', { VpcId: Vpc.VpcId, CidrBlock: '10.1.0.0/16' });
    expect(CidrBlockAssociation).toMatchObject({ CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'associating' } }); // associate-vpc-cidr-block.rst
    expect((await describeVpc(harness, Vpc.VpcId)).CidrBlockAssociationSet[1]).toEqual(settledIpv4(CidrBlockAssociation));
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.1.4.0/24' });
    expect(Subnet.CidrBlock).toBe('10.1.4.0/24');
  });
});

describe('IPv6 blocks from IPv6 IPAM pools', () => {
  it('creates a dual-stack VPC from a ULA pool, carves /64 subnets of it, and releases both pools at DeleteVpc', async () => {
    const harness = await createUseCaseHarness();
    const ipv4Pool = await poolOf(harness, 'ipv4', '10.0.0.0/24');
    const ipv6Pool = await poolOf(harness, 'ipv6', ULA);

    await expectRefusal(
      harness.call('CreateVpc', { CidrBlock: '10.1.0.0/16', Ipv6IpamPoolId: ipv6Pool, Ipv6NetmaskLength: 64 }),
      'InvalidVpc.Range',
      '/44 and /60',
    );
    await expectRefusal(
      harness.call('CreateVpc', { CidrBlock: '10.1.0.0/16', Ipv6IpamPoolId: ipv6Pool, Ipv6NetmaskLength: 50 }),
      'InvalidVpc.Range',
    );
    await expectRefusal(harness.call('CreateVpc', { Ipv6IpamPoolId: ipv6Pool, Ipv6NetmaskLength: 56 }), 'MissingParameter');
    await expectRefusal(harness.call('CreateVpc', { CidrBlock: '10.1.0.0/16', Ipv6NetmaskLength: 56 }), 'InvalidParameterCombination');
    await expectRefusal(
      harness.call('CreateVpc', { CidrBlock: '10.1.0.0/16', AmazonProvidedIpv6CidrBlock: true }),
      'InvalidParameterValue',
    );
    await expectRefusal(
      harness.call('CreateVpc', { Ipv4IpamPoolId: ipv6Pool, Ipv4NetmaskLength: 24 }),
      'InvalidParameterValue',
      'Ipv4IpamPoolId takes ipv4 pools',
    );
    expect(await allocationsOf(harness, ipv6Pool)).toEqual([]);

    const { Vpc } = await harness.call('CreateVpc', {
      Ipv4IpamPoolId: ipv4Pool,
      Ipv4NetmaskLength: 24,
      Ipv6IpamPoolId: ipv6Pool,
      Ipv6NetmaskLength: 56,
    });
    expect(Vpc.CidrBlock).toBe('10.0.0.0/24');
    expect(Vpc.Ipv6CidrBlockAssociationSet).toEqual([
      {
        AssociationId: expect.stringMatching(/^vpc-cidr-assoc-0[0-9a-f]{16}$/),
        Ipv6CidrBlock: expect.stringMatching(/\/56$/),
        Ipv6CidrBlockState: { State: 'associating' }, // create-vpc.rst: the VPC `pending`, its IPv6 block `associating`
        NetworkBorderGroup: 'us-east-1',
        Ipv6Pool: ipv6Pool,
      },
    ]);
    expect(Vpc.State).toBe('pending');
    const block = Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock as string;
    expect(containsCidr(parseCidr(ULA), parseCidr(block))).toBe(true);
    expect(await allocationsOf(harness, ipv6Pool)).toEqual([
      expect.objectContaining({ Cidr: block, ResourceType: 'vpc', ResourceId: Vpc.VpcId }),
    ]);
    const byIpv6 = await harness.call('DescribeVpcs', {
      Filters: [{ Name: 'ipv6-cidr-block-association.ipv6-cidr-block', Values: [block] }],
    });
    expect(byIpv6.Vpcs).toEqual([
      { ...Vpc, State: 'available', Ipv6CidrBlockAssociationSet: Vpc.Ipv6CidrBlockAssociationSet.map(settledIpv6) },
    ]);

    const first64 = block.replace('/56', '/64');
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/26', Ipv6CidrBlock: first64 });
    expect(Subnet.Ipv6CidrBlockAssociationSet).toEqual([
      {
        AssociationId: expect.stringMatching(/^subnet-cidr-assoc-0[0-9a-f]{16}$/),
        Ipv6CidrBlock: first64,
        Ipv6CidrBlockState: { State: 'associating' }, // create-subnet.rst: the subnet `available`, its IPv6 block `associating`
      },
    ]);
    expect(Subnet.State).toBe('available');
    expect((await harness.call('DescribeSubnets', { SubnetIds: [Subnet.SubnetId] })).Subnets).toEqual([
      { ...Subnet, Ipv6CidrBlockAssociationSet: Subnet.Ipv6CidrBlockAssociationSet.map(settledIpv6) },
    ]);
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.64/26', Ipv6CidrBlock: first64 }),
      'InvalidSubnet.Conflict',
      Subnet.SubnetId,
    );
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.64/26', Ipv6CidrBlock: 'fd99::/64' }),
      'InvalidSubnet.Range',
    );
    await expectRefusal(
      harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.64/26', Ipv6CidrBlock: block.replace('/56', '/63') }),
      'InvalidSubnet.Range',
      '/44 and /64',
    );

    // A second subnet gets its /64 later, by AssociateSubnetCidrBlock, and gives it back.
    const second = (await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.64/26' })).Subnet;
    expect(second).not.toHaveProperty('Ipv6CidrBlockAssociationSet');
    await expectRefusal(
      harness.call('AssociateSubnetCidrBlock', { SubnetId: second.SubnetId, Ipv6CidrBlock: first64 }),
      'InvalidSubnet.Conflict',
    );
    const secondBlock = nextSubnet64(block);
    const { Ipv6CidrBlockAssociation } = await harness.call('AssociateSubnetCidrBlock', {
      SubnetId: second.SubnetId,
      Ipv6CidrBlock: secondBlock,
    });
    expect(Ipv6CidrBlockAssociation).toMatchObject({ Ipv6CidrBlock: secondBlock, Ipv6CidrBlockState: { State: 'associating' } }); // associate-subnet-cidr-block.rst
    await expectRefusal(
      harness.call('AssociateSubnetCidrBlock', { SubnetId: second.SubnetId, Ipv6CidrBlock: secondBlock }),
      'InvalidParameterValue',
      'already has',
    );
    const byBlock = await harness.call('DescribeSubnets', {
      Filters: [{ Name: 'ipv6-cidr-block-association.ipv6-cidr-block', Values: [secondBlock] }],
    });
    expect(byBlock.Subnets.map((subnet: { SubnetId: string }) => subnet.SubnetId)).toEqual([second.SubnetId]);
    expect(byBlock.Subnets[0].Ipv6CidrBlockAssociationSet).toEqual([settledIpv6(Ipv6CidrBlockAssociation)]);

    // The VPC's IPv6 block stays while subnets use it.
    await expectRefusal(
      harness.call('DisassociateVpcCidrBlock', { AssociationId: Vpc.Ipv6CidrBlockAssociationSet[0].AssociationId }),
      'InvalidCidrBlock.InUse',
    );
    expect(await harness.call('DisassociateSubnetCidrBlock', { AssociationId: Ipv6CidrBlockAssociation.AssociationId })).toEqual({
      SubnetId: second.SubnetId,
      Ipv6CidrBlockAssociation: { ...Ipv6CidrBlockAssociation, Ipv6CidrBlockState: { State: 'disassociating' } }, // disassociate-subnet-cidr-block.rst
    });
    await expectRefusal(
      harness.call('DisassociateSubnetCidrBlock', { AssociationId: Ipv6CidrBlockAssociation.AssociationId }),
      'InvalidSubnetCidrBlockAssociationID.NotFound',
    );
    expect((await harness.call('DescribeSubnets', { SubnetIds: [second.SubnetId] })).Subnets[0]).not.toHaveProperty(
      'Ipv6CidrBlockAssociationSet',
    );

    for (const subnet of [Subnet, second]) await harness.call('DeleteSubnet', { SubnetId: subnet.SubnetId });
    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    expect(await allocationsOf(harness, ipv4Pool)).toEqual([]);
    expect(await allocationsOf(harness, ipv6Pool)).toEqual([]);
  });

  it('takes an explicit Ipv6CidrBlock of the pool when free, and checks the pool for a DryRun', async () => {
    const harness = await createUseCaseHarness();
    const ipv6Pool = await poolOf(harness, 'ipv6', ULA);
    const explicit = { CidrBlock: '10.0.0.0/16', Ipv6IpamPoolId: ipv6Pool, Ipv6CidrBlock: 'fd12:3456:7811:2300::/56' };
    const { Vpc } = await harness.call('CreateVpc', explicit);
    expect(Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock).toBe('fd12:3456:7811:2300::/56');
    await expectRefusal(
      harness.call('CreateVpc', { ...explicit, CidrBlock: '10.1.0.0/16' }),
      'InvalidParameterValue',
      'overlaps an existing allocation',
    );
    await expectRefusal(
      harness.call('CreateVpc', { ...explicit, Ipv6CidrBlock: 'fd99::/56' }),
      'InvalidParameterValue',
      'not within the provisioned CIDRs',
    );
    await expectRefusal(harness.call('CreateVpc', { ...explicit, Ipv6NetmaskLength: 56 }), 'InvalidParameterCombination');
    await expectRefusal(harness.call('CreateVpc', { ...explicit, DryRun: true }), 'DryRunOperation');
    await expectRefusal(
      harness.call('CreateVpc', { ...explicit, DryRun: true }, { accountId: '210987654321' }),
      'InvalidIpamPoolId.NotFound',
    );
    expect((await allocationsOf(harness, ipv6Pool)).map((allocation) => allocation.Cidr)).toEqual(['fd12:3456:7811:2300::/56']);
  });

  it('associates and disassociates an IPv6 block of an Amazon-provided public pool (a /56 by the pool’s default)', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv6',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
      AllocationDefaultNetmaskLength: 56,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 52 });
    const [provisioned] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: IpamPool.IpamPoolId })).IpamPoolCidrs;
    expect(provisioned.State).toBe('provisioned');

    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    expect(Vpc).not.toHaveProperty('Ipv6CidrBlockAssociationSet');
    const { Ipv6CidrBlockAssociation } = await harness.call('AssociateVpcCidrBlock', {
      VpcId: Vpc.VpcId,
      Ipv6IpamPoolId: IpamPool.IpamPoolId,
    });
    expect(Ipv6CidrBlockAssociation).toMatchObject({ Ipv6Pool: IpamPool.IpamPoolId, Ipv6CidrBlockState: { State: 'associating' } }); // associate-vpc-cidr-block.rst
    const block = parseCidr(Ipv6CidrBlockAssociation.Ipv6CidrBlock);
    expect(block.prefixLength).toBe(56);
    expect(containsCidr(parseCidr(provisioned.Cidr), block)).toBe(true);
    const other = await harness.call('AssociateVpcCidrBlock', {
      VpcId: Vpc.VpcId,
      Ipv6IpamPoolId: IpamPool.IpamPoolId,
      Ipv6NetmaskLength: 56,
    });
    expect(cidrsOverlap(parseCidr(other.Ipv6CidrBlockAssociation.Ipv6CidrBlock), block)).toBe(false);
    expect((await describeVpc(harness, Vpc.VpcId)).Ipv6CidrBlockAssociationSet).toEqual(
      [Ipv6CidrBlockAssociation, other.Ipv6CidrBlockAssociation].map(settledIpv6),
    );

    const removed = await harness.call('DisassociateVpcCidrBlock', { AssociationId: Ipv6CidrBlockAssociation.AssociationId });
    expect(removed.Ipv6CidrBlockAssociation).toEqual({ ...Ipv6CidrBlockAssociation, Ipv6CidrBlockState: { State: 'disassociating' } }); // disassociate-vpc-cidr-block.rst
    expect((await describeVpc(harness, Vpc.VpcId)).Ipv6CidrBlockAssociationSet).toEqual([settledIpv6(other.Ipv6CidrBlockAssociation)]);
    expect((await allocationsOf(harness, IpamPool.IpamPoolId)).map((allocation) => allocation.Cidr)).toEqual([
      other.Ipv6CidrBlockAssociation.Ipv6CidrBlock,
    ]);
    await harness.call('DisassociateVpcCidrBlock', { AssociationId: other.Ipv6CidrBlockAssociation.AssociationId });
    expect(await describeVpc(harness, Vpc.VpcId)).not.toHaveProperty('Ipv6CidrBlockAssociationSet');
    expect(await allocationsOf(harness, IpamPool.IpamPoolId)).toEqual([]);
  });
});

/** The second /64 of a VPC's IPv6 block. */
function nextSubnet64(block: string): string {
  const cidr = parseCidr(block);
  return formatCidr(cidrFromStart('ipv6', cidr.start + (1n << 64n), 64));
}
