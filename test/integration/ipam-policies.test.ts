// IPAM policies (spec §13, DN-45, DN-10): records, rule lists, targets and the governing policy,
// through the use cases as a request reaches them.
import { describe, expect, it } from 'vitest';
import { ADMIN, MANAGEMENT, MEMBER_A, MEMBER_C, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const admin = { accountId: ADMIN };

async function organisationIpam() {
  const harness = await createUseCaseHarness();
  const { org, appsOuId } = sharingOrganization();
  useOrganizations(harness, [org]);
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-west-2' }] }, admin);
  const publicPool = async (Locale: string) =>
    (
      await harness.call(
        'CreateIpamPool',
        { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', Locale, AwsService: 'ec2', PublicIpSource: 'amazon' },
        admin,
      )
    ).IpamPool.IpamPoolId as string;
  return { harness, org, appsOuId, ipam: Ipam, publicPool };
}

const rules = (...ids: string[]) => ids.map((SourceIpamPoolId) => ({ SourceIpamPoolId }));

async function newPolicy(harness: UseCaseHarness, IpamId: string) {
  return (
    await harness.call(
      'CreateIpamPolicy',
      { IpamId, TagSpecifications: [{ ResourceType: 'ipam-policy', Tags: [{ Key: 'team', Value: 'net' }] }] },
      admin,
    )
  ).IpamPolicy;
}

describe('IPAM policy records', () => {
  it('are created, described, limited to 10 per IPAM and deleted once disabled', async () => {
    const { harness, ipam } = await organisationIpam();
    const policy = await newPolicy(harness, ipam.IpamId);
    expect(policy).toEqual({
      OwnerId: ADMIN,
      IpamPolicyId: expect.stringMatching(/^ipam-policy-[0-9a-f]{17}$/),
      IpamPolicyArn: `arn:aws:ec2::${ADMIN}:ipam-policy/${policy.IpamPolicyId}`,
      IpamPolicyRegion: 'us-east-1',
      State: 'create-complete',
      Tags: [{ Key: 'team', Value: 'net' }],
      IpamId: ipam.IpamId,
    });
    const { IpamPolicies } = await harness.call('DescribeIpamPolicies', { IpamPolicyIds: [policy.IpamPolicyId] }, admin);
    expect(IpamPolicies).toEqual([policy]);
    await expectRefusal(
      harness.call('DescribeIpamPolicies', { IpamPolicyIds: [policy.IpamPolicyId] }, { accountId: MEMBER_A }),
      'InvalidIpamPolicyId.NotFound',
    );
    for (let i = 1; i < 10; i++) await newPolicy(harness, ipam.IpamId);
    await expectRefusal(newPolicy(harness, ipam.IpamId), 'ResourceLimitExceeded');
    expect(
      (await harness.call('DescribeIpamPolicies', { Filters: [{ Name: 'ipam-id', Values: [ipam.IpamId] }] }, admin)).IpamPolicies,
    ).toHaveLength(10);

    await harness.call('EnableIpamPolicy', { IpamPolicyId: policy.IpamPolicyId }, admin);
    await expectRefusal(
      harness.call('DeleteIpamPolicy', { IpamPolicyId: policy.IpamPolicyId }, admin),
      'IncorrectState',
      'disable it first',
    );
    expect((await harness.call('DisableIpamPolicy', { IpamPolicyId: policy.IpamPolicyId }, admin)).Return).toBe(true);
    expect((await harness.call('DeleteIpamPolicy', { IpamPolicyId: policy.IpamPolicyId }, admin)).IpamPolicy.State).toBe('delete-complete');
    await expectRefusal(
      harness.call('DescribeIpamPolicies', { IpamPolicyIds: [policy.IpamPolicyId] }, admin),
      'InvalidIpamPolicyId.NotFound',
    );
  });

  it('are created and enabled only on the advanced tier', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { Tier: 'free' });
    await expectRefusal(
      harness.call('CreateIpamPolicy', { IpamId: Ipam.IpamId }),
      'InvalidParameterValue',
      'IPAM policies requires the Advanced Tier',
    );
    await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'advanced' });
    const { IpamPolicy } = await harness.call('CreateIpamPolicy', { IpamId: Ipam.IpamId });
    // While the IPAM has a policy it stays on the advanced tier.
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }),
      'IncorrectState',
      'Before you can switch from the Advanced Tier to the Free Tier, you must delete IPAM policies',
      IpamPolicy.IpamPolicyId,
    );
    await harness.call('DeleteIpamPolicy', { IpamPolicyId: IpamPolicy.IpamPolicyId });
    expect((await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' })).Ipam.Tier).toBe('free');
  });
});

describe('tags on IPAM policies', () => {
  it('are changed by CreateTags and DeleteTags, shown by DescribeIpamPolicies and DescribeTags, and filter by tag:Key and tag-key', async () => {
    const { harness, ipam } = await organisationIpam();
    const tagged = await newPolicy(harness, ipam.IpamId);
    const other = await newPolicy(harness, ipam.IpamId); // team=net, as created
    const id = tagged.IpamPolicyId as string;
    await harness.call(
      'CreateTags',
      {
        Resources: [id],
        Tags: [
          { Key: 'team', Value: 'edge' },
          { Key: 'env', Value: 'prod' },
        ],
      },
      admin,
    );
    const described = async (Filters?: { Name: string; Values: string[] }[]) =>
      (await harness.call('DescribeIpamPolicies', { Filters }, admin)).IpamPolicies.map((p: { IpamPolicyId: string }) => p.IpamPolicyId);
    expect((await harness.call('DescribeIpamPolicies', { IpamPolicyIds: [id] }, admin)).IpamPolicies[0].Tags).toEqual([
      { Key: 'team', Value: 'edge' },
      { Key: 'env', Value: 'prod' },
    ]);
    expect(await described([{ Name: 'tag:team', Values: ['edge'] }])).toEqual([id]);
    expect(await described([{ Name: 'tag:team', Values: ['net'] }])).toEqual([other.IpamPolicyId]);
    expect(await described([{ Name: 'tag-key', Values: ['env'] }])).toEqual([id]);
    const { Tags } = await harness.call('DescribeTags', { Filters: [{ Name: 'resource-type', Values: ['ipam-policy'] }] }, admin);
    expect(Tags).toHaveLength(3);
    expect(Tags).toEqual(
      expect.arrayContaining([
        { ResourceId: id, ResourceType: 'ipam-policy', Key: 'team', Value: 'edge' },
        { ResourceId: id, ResourceType: 'ipam-policy', Key: 'env', Value: 'prod' },
        { ResourceId: other.IpamPolicyId, ResourceType: 'ipam-policy', Key: 'team', Value: 'net' },
      ]),
    );

    await harness.call('DeleteTags', { Resources: [id], Tags: [{ Key: 'env' }] }, admin);
    expect(await described([{ Name: 'tag-key', Values: ['env'] }])).toEqual([]);
    // Another account, or another Region, finds no such policy, and nothing changes.
    await expectRefusal(
      harness.call('CreateTags', { Resources: [id], Tags: [{ Key: 'x', Value: 'y' }] }, { accountId: MEMBER_A }),
      'InvalidIpamPolicyId.NotFound',
    );
    await expectRefusal(harness.call('DeleteTags', { Resources: [id] }, { ...admin, region: 'us-west-2' }), 'InvalidIpamPolicyId.NotFound');
    expect((await harness.call('DescribeTags', { Filters: [{ Name: 'resource-id', Values: [id] }] }, admin)).Tags).toEqual([
      { ResourceId: id, ResourceType: 'ipam-policy', Key: 'team', Value: 'edge' },
    ]);
  });
});

describe('deleting the IPAM', () => {
  it('deletes its policies, enabled or not', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPolicy } = await harness.call('CreateIpamPolicy', { IpamId: Ipam.IpamId });
    await harness.call('EnableIpamPolicy', { IpamPolicyId: IpamPolicy.IpamPolicyId });
    await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    expect((await harness.call('DescribeIpamPolicies', {})).IpamPolicies).toEqual([]);
    expect(await harness.call('GetEnabledIpamPolicy', {})).toEqual({ IpamPolicyEnabled: false });
  });
});

describe('allocation rules', () => {
  it('replace the list of one (Locale, ResourceType) pair with public IPv4 pools of that locale, in order', async () => {
    const { harness, ipam, publicPool } = await organisationIpam();
    const policy = await newPolicy(harness, ipam.IpamId);
    const [east1, east2, west] = [await publicPool('us-east-1'), await publicPool('us-east-1'), await publicPool('us-west-2')];
    const { IpamPool: privatePool } = await harness.call(
      'CreateIpamPool',
      { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' },
      admin,
    );
    const modify = (Locale: string, ResourceType: string, ids: string[]) =>
      harness.call(
        'ModifyIpamPolicyAllocationRules',
        { IpamPolicyId: policy.IpamPolicyId, Locale, ResourceType, AllocationRules: rules(...ids) },
        admin,
      );

    expect((await modify('us-east-1', 'eip', [east2, east1])).IpamPolicyDocument).toEqual({
      IpamPolicyId: policy.IpamPolicyId,
      Locale: 'us-east-1',
      ResourceType: 'eip',
      AllocationRules: rules(east2, east1),
    });
    await modify('us-west-2', 'alb', [west]);
    await expectRefusal(modify('us-east-1', 'eip', [west]), 'InvalidParameterValue', 'locale us-west-2');
    await expectRefusal(modify('us-east-1', 'eip', [privatePool.IpamPoolId]), 'InvalidParameterValue', 'public-scope IPv4');
    await expectRefusal(modify('us-east-1', 'eip', ['ipam-pool-0123456789abcdef0']), 'InvalidIpamPoolId.NotFound');
    await expectRefusal(modify('us-east-1', 'vpc', [east1]), 'InvalidParameterValue', 'ResourceType');
    await expectRefusal(modify('us-east-1', 'eip', [east1, east1]), 'InvalidParameterValue', 'twice');

    const all = await harness.call('GetIpamPolicyAllocationRules', { IpamPolicyId: policy.IpamPolicyId }, admin);
    expect(all.IpamPolicyDocuments.map((d: { Locale: string; ResourceType: string }) => `${d.Locale}/${d.ResourceType}`)).toEqual([
      'us-east-1/eip',
      'us-west-2/alb',
    ]);
    const eip = await harness.call('GetIpamPolicyAllocationRules', { IpamPolicyId: policy.IpamPolicyId, ResourceType: 'eip' }, admin);
    expect(eip.IpamPolicyDocuments).toEqual([
      { IpamPolicyId: policy.IpamPolicyId, Locale: 'us-east-1', ResourceType: 'eip', AllocationRules: rules(east2, east1) },
    ]);
    // An empty list removes the pair.
    await modify('us-east-1', 'eip', []);
    expect(
      (await harness.call('GetIpamPolicyAllocationRules', { IpamPolicyId: policy.IpamPolicyId, ResourceType: 'eip' }, admin))
        .IpamPolicyDocuments,
    ).toEqual([]);
  });
});

describe('enabling policies', () => {
  it('on organisation targets: the nearest one governs an account, and enabling replaces the policy a target had', async () => {
    const { harness, org, appsOuId, ipam } = await organisationIpam();
    const first = await newPolicy(harness, ipam.IpamId);
    const second = await newPolicy(harness, ipam.IpamId);
    const enabled = (accountId: string) => harness.call('GetEnabledIpamPolicy', {}, { accountId });

    expect(await enabled(MEMBER_A)).toEqual({ IpamPolicyEnabled: false });
    await harness.call('EnableIpamPolicy', { IpamPolicyId: first.IpamPolicyId, OrganizationTargetId: org.RootId }, admin);
    await harness.call('EnableIpamPolicy', { IpamPolicyId: second.IpamPolicyId, OrganizationTargetId: appsOuId }, admin);
    expect(await enabled(MEMBER_A)).toEqual({
      IpamPolicyEnabled: true,
      IpamPolicyId: second.IpamPolicyId,
      ManagedBy: 'delegated-administrator-for-ipam',
    });
    expect(await enabled(MEMBER_C)).toMatchObject({ IpamPolicyId: first.IpamPolicyId });
    expect(
      (await harness.call('GetIpamPolicyOrganizationTargets', { IpamPolicyId: second.IpamPolicyId }, admin)).OrganizationTargets,
    ).toEqual([{ OrganizationTargetId: appsOuId }]);

    // The first policy now takes the OU from the second.
    await harness.call('EnableIpamPolicy', { IpamPolicyId: first.IpamPolicyId, OrganizationTargetId: appsOuId }, admin);
    expect(
      (await harness.call('GetIpamPolicyOrganizationTargets', { IpamPolicyId: second.IpamPolicyId }, admin)).OrganizationTargets,
    ).toEqual([]);
    expect(await enabled(MEMBER_A)).toMatchObject({ IpamPolicyId: first.IpamPolicyId });

    await harness.call('DisableIpamPolicy', { IpamPolicyId: first.IpamPolicyId, OrganizationTargetId: appsOuId }, admin);
    expect(await enabled(MEMBER_A)).toMatchObject({ IpamPolicyId: first.IpamPolicyId }); // the root still
    await expectRefusal(
      harness.call('EnableIpamPolicy', { IpamPolicyId: first.IpamPolicyId, OrganizationTargetId: 'ou-zzzz-nothere1' }, admin),
      'InvalidParameterValue',
      'ou-zzzz-nothere1',
    );
  });

  it("on a single-account IPAM: the owner's own account only", async () => {
    const { harness } = await organisationIpam();
    const { Ipam } = await harness.call('CreateIpam', {}, { accountId: MANAGEMENT });
    const { IpamPolicy } = await harness.call('CreateIpamPolicy', { IpamId: Ipam.IpamId }, { accountId: MANAGEMENT });
    await expectRefusal(
      harness.call(
        'EnableIpamPolicy',
        { IpamPolicyId: IpamPolicy.IpamPolicyId, OrganizationTargetId: MEMBER_A },
        { accountId: MANAGEMENT },
      ),
      'InvalidParameterValue',
      'delegated IPAM administrator',
    );
    expect(
      (await harness.call('EnableIpamPolicy', { IpamPolicyId: IpamPolicy.IpamPolicyId }, { accountId: MANAGEMENT })).IpamPolicyId,
    ).toBe(IpamPolicy.IpamPolicyId);
    expect(await harness.call('GetEnabledIpamPolicy', {}, { accountId: MANAGEMENT })).toEqual({
      IpamPolicyEnabled: true,
      IpamPolicyId: IpamPolicy.IpamPolicyId,
      ManagedBy: 'account',
    });
  });
});

describe('enforcement on Elastic IPs (AllocateAddress without a pool)', () => {
  it("draws from the governing policy's eip pools in order, passes an exhausted one, and a named pool overrides the policy", async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const eipPool = async () => {
      const { IpamPool } = await harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PublicDefaultScopeId,
        AddressFamily: 'ipv4',
        Locale: 'us-east-1',
        AwsService: 'ec2',
        PublicIpSource: 'amazon',
      });
      return IpamPool.IpamPoolId as string;
    };
    const [empty, first, second] = [await eipPool(), await eipPool(), await eipPool()];
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: first, NetmaskLength: 30 });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: second, NetmaskLength: 30 });
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc' }), 'InvalidParameterValue', 'no IPAM policy governs this account');

    const { IpamPolicy } = await harness.call('CreateIpamPolicy', { IpamId: Ipam.IpamId });
    await harness.call('ModifyIpamPolicyAllocationRules', {
      IpamPolicyId: IpamPolicy.IpamPolicyId,
      Locale: 'us-east-1',
      ResourceType: 'eip',
      AllocationRules: rules(empty, first, second),
    });
    // Created but not enabled: nothing governs yet.
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc' }), 'InvalidParameterValue', 'no IPAM policy');
    await harness.call('EnableIpamPolicy', { IpamPolicyId: IpamPolicy.IpamPolicyId });

    const pools: string[] = [];
    for (let i = 0; i < 8; i++) pools.push((await harness.call('AllocateAddress', { Domain: 'vpc' })).PublicIpv4Pool);
    expect(pools).toEqual([first, first, first, first, second, second, second, second]);
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc' }), 'InvalidParameterValue', 'have no free address');
    // Another Region has no rules: the policy gives nothing there.
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc' }, { region: 'us-west-2' }), 'InvalidParameterValue', 'none');
    // Naming a pool overrides the policy (here: its own refusal).
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc', IpamPoolId: empty }), 'IncorrectState');
    // A pool deleted since the rule named it is passed over.
    await harness.call('DeleteIpamPool', { IpamPoolId: empty });
    await expectRefusal(harness.call('AllocateAddress', { Domain: 'vpc' }), 'InvalidParameterValue', 'have no free address');
  });
});
