// CreateTags and DeleteTags on every resource this service keeps, with EC2's tag rules; DescribeTags
// over every tagged resource this service keeps.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function ipamScopeAndPool(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
  return { ipamId: Ipam.IpamId as string, scopeId: Ipam.PrivateDefaultScopeId as string, poolId: IpamPool.IpamPoolId as string };
}

async function tagsOf(harness: UseCaseHarness, id: string) {
  const sortTags = (tags: { Key: string; Value: string }[]) => [...tags].sort((a, b) => a.Key.localeCompare(b.Key));
  if (id.startsWith('ipam-pool-')) return sortTags((await harness.call('DescribeIpamPools', { IpamPoolIds: [id] })).IpamPools[0].Tags);
  if (id.startsWith('ipam-scope-')) return sortTags((await harness.call('DescribeIpamScopes', { IpamScopeIds: [id] })).IpamScopes[0].Tags);
  return sortTags((await harness.call('DescribeIpams', { IpamIds: [id] })).Ipams[0].Tags);
}

describe('tags', () => {
  it('are added to IPAMs, scopes and pools in one request, overwriting values by key', async () => {
    const harness = await createUseCaseHarness();
    const { ipamId, scopeId, poolId } = await ipamScopeAndPool(harness);
    expect(
      await harness.call('CreateTags', { Resources: [ipamId, scopeId, poolId], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team' }] }),
    ).toEqual({});
    await harness.call('CreateTags', { Resources: [poolId], Tags: [{ Key: 'env', Value: 'prod' }] });
    expect(await tagsOf(harness, ipamId)).toEqual([
      { Key: 'env', Value: 'dev' },
      { Key: 'team', Value: '' },
    ]);
    expect(await tagsOf(harness, scopeId)).toEqual([
      { Key: 'env', Value: 'dev' },
      { Key: 'team', Value: '' },
    ]);
    expect(await tagsOf(harness, poolId)).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: '' },
    ]);
  });

  it('are deleted by key, or only when the value matches if one is given', async () => {
    const harness = await createUseCaseHarness();
    const { poolId } = await ipamScopeAndPool(harness);
    await harness.call('CreateTags', {
      Resources: [poolId],
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'net' },
        { Key: 'cost', Value: '' },
      ],
    });

    await harness.call('DeleteTags', { Resources: [poolId], Tags: [{ Key: 'env', Value: 'dev' }] });
    expect(await tagsOf(harness, poolId)).toHaveLength(3);
    await harness.call('DeleteTags', { Resources: [poolId], Tags: [{ Key: 'cost', Value: 'x' }, { Key: 'team' }] });
    expect(await tagsOf(harness, poolId)).toEqual([
      { Key: 'cost', Value: '' },
      { Key: 'env', Value: 'prod' },
    ]);
    // An empty value matches only an empty value.
    await harness.call('DeleteTags', {
      Resources: [poolId],
      Tags: [
        { Key: 'cost', Value: '' },
        { Key: 'env', Value: '' },
      ],
    });
    expect(await tagsOf(harness, poolId)).toEqual([{ Key: 'env', Value: 'prod' }]);
    await harness.call('DeleteTags', { Resources: [poolId], Tags: [{ Key: 'env', Value: 'prod' }] });
    expect(await tagsOf(harness, poolId)).toEqual([]);
  });

  it('are all deleted when DeleteTags names no tags', async () => {
    const harness = await createUseCaseHarness();
    const { ipamId, scopeId } = await ipamScopeAndPool(harness);
    await harness.call('CreateTags', {
      Resources: [ipamId, scopeId],
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    await harness.call('DeleteTags', { Resources: [ipamId] });
    expect(await tagsOf(harness, ipamId)).toEqual([]);
    expect(await tagsOf(harness, scopeId)).toHaveLength(2);
  });

  it("refuse keys starting with 'aws:', in CreateTags and in TagSpecifications", async () => {
    const harness = await createUseCaseHarness();
    const { ipamId, scopeId } = await ipamScopeAndPool(harness);
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ipamId], Tags: [{ Key: 'aws:owner', Value: 'x' }] }),
      'InvalidParameterValue',
      'aws:owner',
    );
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ipamId], Tags: [{ Key: 'AWS:Owner', Value: 'x' }] }),
      'InvalidParameterValue',
      'AWS:Owner',
    );
    await expectRefusal(
      harness.call('CreateIpamPool', {
        IpamScopeId: scopeId,
        AddressFamily: 'ipv4',
        TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }] }],
      }),
      'InvalidParameterValue',
      'aws:cloudformation:stack-name',
    );
    await expectRefusal(harness.call('CreateTags', { Resources: [ipamId] }), 'MissingParameter', 'Tags');
    expect(await tagsOf(harness, ipamId)).toEqual([]);
  });

  it('refuse ids of other resource types and resources of other accounts, changing nothing', async () => {
    const harness = await createUseCaseHarness();
    const { ipamId, poolId } = await ipamScopeAndPool(harness);
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ipamId, 'igw-0123456789abcdef0'], Tags: [{ Key: 'a', Value: '1' }] }),
      'InvalidID',
      'igw-0123456789abcdef0',
    );
    await expectRefusal(harness.call('DeleteTags', { Resources: ['ipam-pool-alloc-0123'] }), 'InvalidID', 'ipam-pool-alloc-0123');
    expect(await tagsOf(harness, ipamId)).toEqual([]);

    const other = { accountId: '111122223333' };
    await expectRefusal(
      harness.call('CreateTags', { Resources: [poolId], Tags: [{ Key: 'a', Value: '1' }] }, other),
      'InvalidIpamPoolId.NotFound',
      poolId,
    );
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ipamId], Tags: [{ Key: 'a', Value: '1' }] }, other),
      'InvalidIpamId.NotFound',
      ipamId,
    );
    await harness.call('CreateTags', { Resources: [poolId], Tags: [{ Key: 'keep', Value: 'me' }] });
    await expectRefusal(harness.call('DeleteTags', { Resources: [poolId] }, other), 'InvalidIpamPoolId.NotFound', poolId);
    expect(await tagsOf(harness, poolId)).toEqual([{ Key: 'keep', Value: 'me' }]);
  });
});

describe('tags of Elastic IPs, VPCs, subnets and verification tokens', () => {
  // EC2 model, CreateTags: "Adds or overwrites only the specified tags for the specified Amazon EC2
  // resource or resources"; DeleteTags: "Deletes the specified set of tags from the specified set of
  // resources." Its Resources: "The IDs of the resources, separated by spaces." (elastic-ip, vpc, subnet and
  // ipam-external-resource-verification-token are ResourceType values of the same model.)
  async function untaggedWorld(harness: UseCaseHarness) {
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 30 });
    const eip = await harness.call('AllocateAddress', { IpamPoolId: IpamPool.IpamPoolId });
    const { IpamExternalResourceVerificationToken: token } = await harness.call('CreateIpamExternalResourceVerificationToken', {
      IpamId: Ipam.IpamId,
    });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16' });
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/24' });
    return {
      eip: eip.AllocationId as string,
      token: token.IpamExternalResourceVerificationTokenId as string,
      vpc: Vpc.VpcId as string,
      subnet: Subnet.SubnetId as string,
    };
  }

  it('are added and deleted in one request, and every Describe shows the change', async () => {
    const harness = await createUseCaseHarness();
    const ids = await untaggedWorld(harness);
    const resources = [ids.eip, ids.token, ids.vpc, ids.subnet];
    expect(await harness.call('CreateTags', { Resources: resources, Tags: [{ Key: 'Stack', Value: 'Test' }] })).toEqual({});
    await harness.call('CreateTags', { Resources: [ids.vpc], Tags: [{ Key: 'Stack', Value: 'Production' }] });

    expect((await describeTags(harness, { Filters: [{ Name: 'key', Values: ['Stack'] }] })).Tags.map(line).sort()).toEqual(
      [
        `elastic-ip ${ids.eip} Stack=Test`,
        `ipam-external-resource-verification-token ${ids.token} Stack=Test`,
        `vpc ${ids.vpc} Stack=Production`,
        `subnet ${ids.subnet} Stack=Test`,
      ].sort(),
    );
    const stack = [{ Key: 'Stack', Value: 'Test' }];
    expect((await harness.call('DescribeAddresses', { AllocationIds: [ids.eip] })).Addresses[0].Tags).toEqual(stack);
    expect((await harness.call('DescribeVpcs', { VpcIds: [ids.vpc] })).Vpcs[0].Tags).toEqual([{ Key: 'Stack', Value: 'Production' }]);
    expect((await harness.call('DescribeSubnets', { SubnetIds: [ids.subnet] })).Subnets[0].Tags).toEqual(stack);
    const tokens = await harness.call('DescribeIpamExternalResourceVerificationTokens', {
      IpamExternalResourceVerificationTokenIds: [ids.token],
    });
    expect(tokens.IpamExternalResourceVerificationTokens[0].Tags).toEqual(stack);

    await harness.call('DeleteTags', { Resources: resources, Tags: [{ Key: 'Stack', Value: 'Test' }] });
    // Only the VPC's value differed, so only its tag is left.
    expect((await describeTags(harness)).Tags.map(line)).toEqual([`vpc ${ids.vpc} Stack=Production`]);
    expect((await harness.call('DescribeAddresses', { AllocationIds: [ids.eip] })).Addresses[0].Tags).toEqual([]);
    await harness.call('DeleteTags', { Resources: [ids.vpc] });
    expect((await harness.call('DescribeVpcs', { VpcIds: [ids.vpc] })).Vpcs[0].Tags).toEqual([]);
    // A tagged Elastic IP is still released (its delete reads the tagged version).
    await harness.call('ReleaseAddress', { AllocationId: ids.eip });
  });

  it("answer each resource's NotFound for ids not found, changing nothing", async () => {
    const harness = await createUseCaseHarness();
    const ids = await untaggedWorld(harness);
    const tag = [{ Key: 'a', Value: '1' }];
    const missing = 'eipalloc-0123456789abcdef0';
    // The words ReleaseAddress and DescribeAddresses answer for an unknown allocation id.
    await expectRefusal(harness.call('CreateTags', { Resources: [ids.vpc, missing], Tags: tag }), 'InvalidAllocationID.NotFound', missing);
    await expectRefusal(harness.call('ReleaseAddress', { AllocationId: missing }), 'InvalidAllocationID.NotFound', missing);
    await expectRefusal(
      harness.call('DeleteTags', { Resources: ['vpc-0123456789abcdef0'] }),
      'InvalidVpcID.NotFound',
      'vpc-0123456789abcdef0',
    );
    await expectRefusal(
      harness.call('CreateTags', { Resources: ['subnet-0123456789abcdef0'], Tags: tag }),
      'InvalidSubnetID.NotFound',
      'subnet-0123456789abcdef0',
    );
    // Other accounts and Regions do not see these resources, so cannot tag them.
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ids.token], Tags: tag }, { accountId: '111122223333' }),
      'InvalidIpamExternalResourceVerificationTokenId.NotFound',
      ids.token,
    );
    await expectRefusal(
      harness.call('CreateTags', { Resources: [ids.eip], Tags: tag }, { region: 'eu-west-1' }),
      'InvalidAllocationID.NotFound',
      ids.eip,
    );
    expect((await describeTags(harness)).Tags).toEqual([]);
  });
});

type TagDescription = { ResourceId: string; ResourceType: string; Key: string; Value: string };
const describeTags = async (harness: UseCaseHarness, input: Record<string, unknown> = {}, context = {}) =>
  (await harness.call('DescribeTags', input, context)) as { Tags: TagDescription[]; NextToken?: string };
const line = (tag: TagDescription) => `${tag.ResourceType} ${tag.ResourceId} ${tag.Key}=${tag.Value}`;

describe('DescribeTags', () => {
  /** One tagged resource of each type this service keeps, in us-east-1. */
  async function taggedWorld(harness: UseCaseHarness) {
    const tag = (ResourceType: string, Value: string) => [{ ResourceType, Tags: [{ Key: 'Stack', Value }] }];
    const { Ipam } = await harness.call('CreateIpam', { TagSpecifications: tag('ipam', 'Test') });
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId, TagSpecifications: tag('ipam-scope', 'Test') });
    const { IpamPool: eipPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
      TagSpecifications: tag('ipam-pool', 'Production'),
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: eipPool.IpamPoolId, NetmaskLength: 30 });
    const eip = await harness.call('AllocateAddress', { IpamPoolId: eipPool.IpamPoolId, TagSpecifications: tag('elastic-ip', 'Test') });
    const { IpamResourceDiscovery } = await harness.call('CreateIpamResourceDiscovery', {
      TagSpecifications: tag('ipam-resource-discovery', 'Test'),
    });
    const { IpamResourceDiscoveryAssociation } = await harness.call('AssociateIpamResourceDiscovery', {
      IpamId: Ipam.IpamId,
      IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId,
      TagSpecifications: tag('ipam-resource-discovery-association', 'Test'),
    });
    const { IpamExternalResourceVerificationToken: token } = await harness.call('CreateIpamExternalResourceVerificationToken', {
      IpamId: Ipam.IpamId,
      TagSpecifications: tag('ipam-external-resource-verification-token', 'Test'),
    });
    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/16', TagSpecifications: tag('vpc', 'Test') });
    const { Subnet } = await harness.call('CreateSubnet', {
      VpcId: Vpc.VpcId,
      CidrBlock: '10.0.0.0/24',
      TagSpecifications: tag('subnet', 'Test'),
    });
    await harness.call('CreateTags', { Resources: [Ipam.IpamId], Tags: [{ Key: 'Purpose', Value: '' }] });
    return {
      ipam: Ipam.IpamId as string,
      scope: IpamScope.IpamScopeId as string,
      pool: eipPool.IpamPoolId as string,
      eip: eip.AllocationId as string,
      discovery: IpamResourceDiscovery.IpamResourceDiscoveryId as string,
      association: IpamResourceDiscoveryAssociation.IpamResourceDiscoveryAssociationId as string,
      token: token.IpamExternalResourceVerificationTokenId as string,
      vpc: Vpc.VpcId as string,
      subnet: Subnet.SubnetId as string,
    };
  }

  it('lists the tags of every kind of resource kept here, by resource, type, key and value, as AWS CLI examples do', async () => {
    const harness = await createUseCaseHarness();
    const ids = await taggedWorld(harness);
    // examples/ec2/describe-tags.rst, example 3: "describes the tags for all your resources".
    const all = (await describeTags(harness)).Tags;
    expect(all.map(line).sort()).toEqual(
      [
        `ipam ${ids.ipam} Stack=Test`,
        `ipam ${ids.ipam} Purpose=`,
        `ipam-scope ${ids.scope} Stack=Test`,
        `ipam-pool ${ids.pool} Stack=Production`,
        `elastic-ip ${ids.eip} Stack=Test`,
        `ipam-resource-discovery ${ids.discovery} Stack=Test`,
        `ipam-resource-discovery-association ${ids.association} Stack=Test`,
        `ipam-external-resource-verification-token ${ids.token} Stack=Test`,
        `vpc ${ids.vpc} Stack=Test`,
        `subnet ${ids.subnet} Stack=Test`,
      ].sort(),
    );
    expect(all[0]).toEqual({
      ResourceId: expect.any(String),
      ResourceType: expect.any(String),
      Key: expect.any(String),
      Value: expect.any(String),
    });
    const filtered = async (...Filters: { Name: string; Values: string[] }[]) =>
      (await describeTags(harness, { Filters })).Tags.map(line).sort();
    // Example 1: Name=resource-id.
    expect(await filtered({ Name: 'resource-id', Values: [ids.ipam] })).toEqual([
      `ipam ${ids.ipam} Purpose=`,
      `ipam ${ids.ipam} Stack=Test`,
    ]);
    // Example 2: Name=resource-type (the EC2 model's ResourceType values).
    expect(await filtered({ Name: 'resource-type', Values: ['ipam-pool', 'elastic-ip'] })).toEqual(
      [`ipam-pool ${ids.pool} Stack=Production`, `elastic-ip ${ids.eip} Stack=Test`].sort(),
    );
    // Example 4: Name=key; example 5: key and value, and the same with tag:Stack.
    expect(await filtered({ Name: 'key', Values: ['Purpose'] })).toEqual([`ipam ${ids.ipam} Purpose=`]);
    const stackProduction = [`ipam-pool ${ids.pool} Stack=Production`];
    expect(await filtered({ Name: 'key', Values: ['Stack'] }, { Name: 'value', Values: ['Production'] })).toEqual(stackProduction);
    expect(await filtered({ Name: 'tag:Stack', Values: ['Production'] })).toEqual(stackProduction);
    // "…a tag with the key Purpose and no value": Name=value,Values= (an empty value).
    expect(await filtered({ Name: 'key', Values: ['Purpose'] }, { Name: 'value', Values: [''] })).toEqual([`ipam ${ids.ipam} Purpose=`]);
    expect(await filtered({ Name: 'resource-type', Values: ['ipam-*'] })).toHaveLength(5);
    // Names EC2 does not document for DescribeTags are refused as every Describe refuses them.
    await expectRefusal(
      describeTags(harness, { Filters: [{ Name: 'resource', Values: ['x'] }] }),
      'InvalidParameterValue',
      "The filter 'resource' is invalid",
    );
  });

  it('pages by MaxResults (5 to 1000, as EC2 documents) and NextToken, and shows other accounts nothing', async () => {
    const harness = await createUseCaseHarness();
    await taggedWorld(harness);
    const seen: TagDescription[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await describeTags(harness, { MaxResults: 5, NextToken });
      expect(page.Tags.length).toBeLessThanOrEqual(5);
      seen.push(...page.Tags);
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(2);
    expect(seen.map(line).sort()).toEqual((await describeTags(harness)).Tags.map(line).sort());
    for (const MaxResults of [4, 1001]) {
      await expectRefusal(
        describeTags(harness, { MaxResults }),
        'InvalidParameterValue',
        `Value ( ${MaxResults} ) for parameter maxResults`,
      );
    }
    expect((await describeTags(harness, {}, { accountId: '111122223333' })).Tags).toEqual([]);
    // Another Region sees only what is visible there: nothing of us-east-1's.
    expect((await describeTags(harness, {}, { region: 'eu-west-1' })).Tags).toEqual([]);
  });
});
