// IPAM prefix list resolvers (spec §12.2, §12.4, DN-43, DN-44, DN-10): records, rule validation,
// versions, and re-evaluation when the IPAM's data changes, through the use cases as a request
// reaches them (memory store, or DynamoDB Local with IPAM_TEST_STORE=dynamodb).
import { describe, expect, it } from 'vitest';
import type { IpamResourceCidr } from '../../lambdas/domain/model/monitoring.ts';
import { evaluatePrefixListResolver } from '../../lambdas/use-cases/prefix-list-resolver-evaluation.ts';
import type { RecordingMetrics } from '../support/recording-metrics.ts';
import { createUseCaseHarness, poolCidrState, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function advancedIpam(harness: UseCaseHarness) {
  return (await harness.call('CreateIpam', {})).Ipam;
}

async function createResolver(harness: UseCaseHarness, input: Record<string, unknown>) {
  return (await harness.call('CreateIpamPrefixListResolver', { AddressFamily: 'ipv4', ...input })).IpamPrefixListResolver;
}

async function versions(harness: UseCaseHarness, IpamPrefixListResolverId: string) {
  const { IpamPrefixListResolverVersions } = await harness.call('GetIpamPrefixListResolverVersions', { IpamPrefixListResolverId });
  return IpamPrefixListResolverVersions.map((v: { Version: number }) => v.Version);
}

async function entries(harness: UseCaseHarness, IpamPrefixListResolverId: string, IpamPrefixListResolverVersion: number) {
  const { Entries } = await harness.call('GetIpamPrefixListResolverVersionEntries', {
    IpamPrefixListResolverId,
    IpamPrefixListResolverVersion,
  });
  return Entries.map((entry: { Cidr: string }) => entry.Cidr);
}

async function provision(harness: UseCaseHarness, IpamPoolId: string, Cidr: string) {
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, Cidr });
  expect(await poolCidrState(harness, IpamPoolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
  return IpamPoolCidr.IpamPoolCidrId as string;
}

describe('prefix list resolver records', () => {
  it('are created with version 1 at once, described, modified and deleted', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const resolver = await createResolver(harness, {
      IpamId: ipam.IpamId,
      Description: 'office ranges',
      Rules: [
        { RuleType: 'static-cidr', StaticCidr: '10.9.0.0/16' },
        { RuleType: 'static-cidr', StaticCidr: '10.1.0.0/16' },
        { RuleType: 'static-cidr', StaticCidr: '10.9.0.0/16' },
      ],
      TagSpecifications: [{ ResourceType: 'ipam-prefix-list-resolver', Tags: [{ Key: 'team', Value: 'net' }] }],
    });
    const id = resolver.IpamPrefixListResolverId as string;
    expect(resolver).toEqual({
      OwnerId: harness.context.accountId,
      IpamPrefixListResolverId: expect.stringMatching(/^ipam-prefix-list-resolver-[0-9a-f]{17}$/),
      IpamPrefixListResolverArn: `arn:aws:ec2::${harness.context.accountId}:ipam-prefix-list-resolver/${id}`,
      IpamArn: ipam.IpamArn,
      IpamRegion: 'us-east-1',
      Description: 'office ranges',
      AddressFamily: 'ipv4',
      State: 'create-complete',
      Tags: [{ Key: 'team', Value: 'net' }],
      LastVersionCreationStatus: 'success',
    });
    // De-duplicated and sorted, not aggregated (DN-43).
    expect(await versions(harness, id)).toEqual([1]);
    expect(await entries(harness, id, 1)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);

    const { IpamPrefixListResolvers } = await harness.call('DescribeIpamPrefixListResolvers', {
      Filters: [{ Name: 'ipam-id', Values: [ipam.IpamId] }],
    });
    expect(IpamPrefixListResolvers).toEqual([resolver]);
    await expectRefusal(
      harness.call('DescribeIpamPrefixListResolvers', { IpamPrefixListResolverIds: [id] }, { region: 'us-west-2' }),
      'InvalidIpamPrefixListResolverId.NotFound',
    );

    // Rules replace the whole set; an unchanged set makes no version, a changed one the next.
    const modified = (
      await harness.call('ModifyIpamPrefixListResolver', {
        IpamPrefixListResolverId: id,
        Rules: [
          { RuleType: 'static-cidr', StaticCidr: '10.1.0.0/16' },
          { RuleType: 'static-cidr', StaticCidr: '10.9.0.0/16' },
        ],
      })
    ).IpamPrefixListResolver;
    expect(modified).toMatchObject({ State: 'modify-complete', Description: 'office ranges' });
    expect(await versions(harness, id)).toEqual([1]);
    await harness.call('ModifyIpamPrefixListResolver', {
      IpamPrefixListResolverId: id,
      Description: 'one range',
      Rules: [{ RuleType: 'static-cidr', StaticCidr: '10.1.0.0/16' }],
    });
    expect(await versions(harness, id)).toEqual([1, 2]);
    expect(await entries(harness, id, 2)).toEqual(['10.1.0.0/16']);
    expect(await entries(harness, id, 1)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);
    const { Rules } = await harness.call('GetIpamPrefixListResolverRules', { IpamPrefixListResolverId: id });
    expect(Rules).toEqual([{ RuleType: 'static-cidr', StaticCidr: '10.1.0.0/16' }]);
    await expectRefusal(
      harness.call('GetIpamPrefixListResolverVersionEntries', { IpamPrefixListResolverId: id, IpamPrefixListResolverVersion: 3 }),
      'InvalidParameterValue',
      'no version 3',
    );

    const deleted = (await harness.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: id })).IpamPrefixListResolver;
    expect(deleted).toMatchObject({ IpamPrefixListResolverId: id, State: 'delete-complete' });
    await expectRefusal(
      harness.call('GetIpamPrefixListResolverVersions', { IpamPrefixListResolverId: id }),
      'InvalidIpamPrefixListResolverId.NotFound',
    );
    expect(await harness.store.listPrefixListResolverVersions(id)).toEqual([]);
  });

  it('are limited to 10 per IPAM, and leave the IPAM with it', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await createResolver(harness, { IpamId: ipam.IpamId })).IpamPrefixListResolverId);
    await expectRefusal(createResolver(harness, { IpamId: ipam.IpamId }), 'ResourceLimitExceeded', 'prefix list resolvers');
    await harness.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: ids[0] });
    ids[0] = (await createResolver(harness, { IpamId: ipam.IpamId })).IpamPrefixListResolverId;
    // An empty resolver still has v1, empty (UG L1078, DN-44).
    expect(await entries(harness, ids[0]!, 1)).toEqual([]);
    await harness.call('DeleteIpam', { IpamId: ipam.IpamId });
    expect(await harness.store.listPrefixListResolvers(harness.context.accountId)).toEqual([]);
    expect(await harness.store.listPrefixListResolverVersions(ids[0]!)).toEqual([]);
  });

  it('are tagged with CreateTags and DeleteTags, and listed by DescribeTags', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const id = (await createResolver(harness, { IpamId: ipam.IpamId })).IpamPrefixListResolverId as string;
    await harness.call('CreateTags', { Resources: [id], Tags: [{ Key: 'env', Value: 'prod' }] });
    const { Tags } = await harness.call('DescribeTags', { Filters: [{ Name: 'resource-type', Values: ['ipam-prefix-list-resolver'] }] });
    expect(Tags).toEqual([{ ResourceId: id, ResourceType: 'ipam-prefix-list-resolver', Key: 'env', Value: 'prod' }]);
    const tagged = await harness.call('DescribeIpamPrefixListResolvers', { Filters: [{ Name: 'tag:env', Values: ['prod'] }] });
    expect(tagged.IpamPrefixListResolvers.map((r: { IpamPrefixListResolverId: string }) => r.IpamPrefixListResolverId)).toEqual([id]);
    await harness.call('DeleteTags', { Resources: [id] });
    expect(
      (await harness.call('DescribeIpamPrefixListResolvers', { IpamPrefixListResolverIds: [id] })).IpamPrefixListResolvers[0].Tags,
    ).toEqual([]);
    await expectRefusal(
      harness.call('CreateTags', { Resources: [id], Tags: [{ Key: 'a', Value: 'b' }] }, { region: 'us-west-2' }),
      'InvalidIpamPrefixListResolverId.NotFound',
    );
  });

  it('stay within 10 per IPAM when created at the same time', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => createResolver(harness, { IpamId: ipam.IpamId })));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason.code] : []));
    expect(refused).toEqual(['ResourceLimitExceeded', 'ResourceLimitExceeded']);
    expect(await harness.store.listPrefixListResolvers(harness.context.accountId)).toHaveLength(10);
  });

  it('need the advanced tier, and keep an IPAM from moving to the free tier', async () => {
    const harness = await createUseCaseHarness();
    const free = (await harness.call('CreateIpam', { Tier: 'free' })).Ipam;
    await expectRefusal(createResolver(harness, { IpamId: free.IpamId }), 'InvalidParameterValue', 'Advanced Tier', free.IpamId);
    await harness.call('DeleteIpam', { IpamId: free.IpamId });
    const ipam = await advancedIpam(harness);
    const resolver = await createResolver(harness, { IpamId: ipam.IpamId });
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: ipam.IpamId, Tier: 'free' }),
      'IncorrectState',
      'delete prefix list resolvers',
      resolver.IpamPrefixListResolverId,
    );
    await harness.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: resolver.IpamPrefixListResolverId });
    expect((await harness.call('ModifyIpam', { IpamId: ipam.IpamId, Tier: 'free' })).Ipam.Tier).toBe('free');
  });
});

describe('prefix list resolver rules', () => {
  it('are refused when they do not fit their type, family or IPAM', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const IpamId = ipam.IpamId;
    const scope = ipam.PrivateDefaultScopeId;
    const refused = (Rules: unknown[], AddressFamily = 'ipv4') => createResolver(harness, { IpamId, AddressFamily, Rules });
    await expectRefusal(refused([{ RuleType: 'static-cidr', StaticCidr: '2001:db8::/32' }]), 'InvalidParameterValue', 'ipv4');
    await expectRefusal(refused([{ RuleType: 'static-cidr', StaticCidr: '10.0.0.0/8' }], 'ipv6'), 'InvalidParameterValue', 'ipv6');
    await expectRefusal(refused([{ RuleType: 'static-cidr', StaticCidr: '10.0.0.1/8' }]), 'InvalidParameterValue', 'host bits');
    await expectRefusal(refused([{ RuleType: 'static-cidr' }]), 'MissingParameter', 'StaticCidr');
    await expectRefusal(
      refused([{ RuleType: 'static-cidr', StaticCidr: '10.0.0.0/8', IpamScopeId: scope }]),
      'InvalidParameterCombination',
    );
    await expectRefusal(refused([{ RuleType: 'include' }]), 'InvalidParameterValue', 'include');
    await expectRefusal(refused([{ RuleType: 'ipam-pool-cidr' }]), 'MissingParameter', 'IpamScopeId');
    await expectRefusal(
      refused([{ RuleType: 'ipam-pool-cidr', IpamScopeId: 'ipam-scope-0123456789abcdef0' }]),
      'InvalidIpamScopeId.NotFound',
    );
    await expectRefusal(refused([{ RuleType: 'ipam-pool-cidr', IpamScopeId: scope, ResourceType: 'vpc' }]), 'InvalidParameterCombination');
    await expectRefusal(
      refused([{ RuleType: 'ipam-pool-cidr', IpamScopeId: scope, Conditions: [{ Operation: 'equals', ResourceId: 'vpc-1' }] }]),
      'InvalidParameterValue',
      'ResourceId',
    );
    await expectRefusal(
      refused([{ RuleType: 'ipam-resource-cidr', IpamScopeId: scope, Conditions: [{ Operation: 'equals', IpamPoolId: 'ipam-pool-1' }] }]),
      'InvalidParameterValue',
      'IpamPoolId',
    );
    await expectRefusal(
      refused([
        { RuleType: 'ipam-resource-cidr', IpamScopeId: scope, Conditions: [{ Operation: 'subnet-of', ResourceRegion: 'us-east-1' }] },
      ]),
      'InvalidParameterValue',
      'subnet-of',
    );
    await expectRefusal(
      refused([
        {
          RuleType: 'ipam-resource-cidr',
          IpamScopeId: scope,
          Conditions: [{ Operation: 'equals', ResourceOwner: '1', ResourceRegion: 'x' }],
        },
      ]),
      'InvalidParameterCombination',
    );
    await expectRefusal(
      refused([{ RuleType: 'ipam-resource-cidr', IpamScopeId: scope, Conditions: [{ Operation: 'equals', Cidr: '2001:db8::/32' }] }]),
      'InvalidParameterValue',
      'ipv4',
    );
    await expectRefusal(refused([{ RuleType: 'ipam-resource-cidr', IpamScopeId: scope, ResourceType: 'router' }]), 'InvalidParameterValue');
    const many = Array.from({ length: 101 }, (_, i) => ({ RuleType: 'static-cidr', StaticCidr: `10.${i}.0.0/16` }));
    await expectRefusal(refused(many), 'ResourceLimitExceeded', '100');
    // A scope of another IPAM (another account's) is not the resolver's.
    const other = (await harness.call('CreateIpam', {}, { accountId: '210987654321' })).Ipam;
    await expectRefusal(refused([{ RuleType: 'ipam-pool-cidr', IpamScopeId: other.PrivateDefaultScopeId }]), 'InvalidIpamScopeId.NotFound');
    expect(await harness.store.listPrefixListResolvers(harness.context.accountId)).toEqual([]);
    expect(Object.keys(await createResolver(harness, { IpamId, Rules: many.slice(0, 100) }))).toContain('IpamPrefixListResolverId');
  });
});

describe('prefix list resolver versions', () => {
  it('follow pool CIDRs of a scope as they are provisioned and deprovisioned', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const scope = ipam.PrivateDefaultScopeId;
    const pool = (await harness.call('CreateIpamPool', { IpamScopeId: scope, AddressFamily: 'ipv4' })).IpamPool;
    const other = (await harness.call('CreateIpamPool', { IpamScopeId: scope, AddressFamily: 'ipv4' })).IpamPool;
    await provision(harness, pool.IpamPoolId, '10.0.0.0/16');
    await provision(harness, other.IpamPoolId, '10.50.0.0/16');
    const resolver = await createResolver(harness, {
      IpamId: ipam.IpamId,
      Rules: [{ RuleType: 'ipam-pool-cidr', IpamScopeId: scope, Conditions: [{ Operation: 'equals', IpamPoolId: pool.IpamPoolId }] }],
    });
    const id = resolver.IpamPrefixListResolverId as string;
    expect(await entries(harness, id, 1)).toEqual(['10.0.0.0/16']);

    const added = await provision(harness, pool.IpamPoolId, '10.1.0.0/16');
    await provision(harness, other.IpamPoolId, '10.60.0.0/16');
    expect(await versions(harness, id)).toEqual([1, 2]);
    expect(await entries(harness, id, 2)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);

    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.1.0.0/16' });
    expect(await poolCidrState(harness, pool.IpamPoolId, added)).toBe('deprovisioned');
    expect(await versions(harness, id)).toEqual([1, 2, 3]);
    expect(await entries(harness, id, 3)).toEqual(['10.0.0.0/16']);
  });

  it('follow the scope resource CIDRs that discovery records: VPCs by tag, as they come and go', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam: ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
    const scope = ipam.PrivateDefaultScopeId;
    const pool = (await harness.call('CreateIpamPool', { IpamScopeId: scope, AddressFamily: 'ipv4', Locale: 'us-east-1' })).IpamPool;
    await provision(harness, pool.IpamPoolId, '10.0.0.0/16');
    const resolver = await createResolver(harness, {
      IpamId: ipam.IpamId,
      Rules: [
        {
          RuleType: 'ipam-resource-cidr',
          IpamScopeId: scope,
          ResourceType: 'vpc',
          Conditions: [
            { Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } },
            { Operation: 'subnet-of', Cidr: '10.0.0.0/16' },
          ],
        },
      ],
    });
    const id = resolver.IpamPrefixListResolverId as string;
    expect(await entries(harness, id, 1)).toEqual([]);
    const vpc = async (env: string) =>
      (
        await harness.call('CreateVpc', {
          Ipv4IpamPoolId: pool.IpamPoolId,
          Ipv4NetmaskLength: 24,
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: env }] }],
        })
      ).Vpc;
    const prod = await vpc('prod');
    expect(await versions(harness, id)).toEqual([1, 2]);
    expect(await entries(harness, id, 2)).toEqual([prod.CidrBlock]);
    await vpc('dev');
    expect(await versions(harness, id)).toEqual([1, 2]);
    const second = await vpc('prod');
    expect(await entries(harness, id, 3)).toEqual([prod.CidrBlock, second.CidrBlock].sort());
    await harness.call('DeleteVpc', { VpcId: prod.VpcId });
    expect(await versions(harness, id)).toEqual([1, 2, 3, 4]);
    expect(await entries(harness, id, 4)).toEqual([second.CidrBlock]);
    // The sweep publishes the guide's version-creation metric for the resolver.
    const metrics = (harness.deps.metrics as RecordingMetrics).all();
    expect(metrics).toContainEqual({
      name: 'IpamPrefixListResolverVersionCreationSuccess',
      unit: 'Count',
      value: 1,
      dimensions: { IpamPrefixListResolverId: id },
    });
  });

  it('are written once when evaluations race (a sweep and a request at the same time)', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const id = (await createResolver(harness, { IpamId: ipam.IpamId })).IpamPrefixListResolverId as string;
    // New rules land without their evaluation (as if the modify's process had died right after its commit).
    const stored = (await harness.store.getPrefixListResolver(id))!;
    await harness.store.commit([
      {
        op: 'update',
        entity: { type: 'prefix-list-resolver', value: { ...stored, rules: [{ RuleType: 'static-cidr', StaticCidr: '10.0.0.0/8' }] } },
      },
    ]);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => evaluatePrefixListResolver(harness.deps, id)));
    expect(outcomes.filter((outcome) => outcome?.created).map((outcome) => outcome?.created?.Version)).toEqual([2]);
    expect(await versions(harness, id)).toEqual([1, 2]);
    expect(await entries(harness, id, 2)).toEqual(['10.0.0.0/8']);
  });

  it('record a failure, and no version, when the rules select more than 1000 CIDRs', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await advancedIpam(harness);
    const scope = ipam.PrivateDefaultScopeId;
    const resolver = await createResolver(harness, {
      IpamId: ipam.IpamId,
      Rules: [{ RuleType: 'ipam-resource-cidr', IpamScopeId: scope, ResourceType: 'subnet' }],
    });
    const id = resolver.IpamPrefixListResolverId as string;
    // What a sweep would have recorded for 1001 subnets (the sweep's own records, written as it writes them).
    const subnets = Array.from({ length: 1001 }, (_, i) => resourceCidr(ipam.IpamId, scope, `subnet-${i}`, `10.${i >> 8}.${i & 255}.0/24`));
    for (let i = 0; i < subnets.length; i += 100) {
      await harness.store.commit(
        subnets.slice(i, i + 100).map((value) => ({ op: 'create' as const, entity: { type: 'resource-cidr' as const, value } })),
      );
    }
    const outcome = await evaluatePrefixListResolver(harness.deps, id);
    expect(outcome?.failure).toContain('1001');
    const [described] = (await harness.call('DescribeIpamPrefixListResolvers', { IpamPrefixListResolverIds: [id] }))
      .IpamPrefixListResolvers;
    expect(described).toMatchObject({
      LastVersionCreationStatus: 'failure',
      LastVersionCreationStatusMessage: expect.stringContaining('1000'),
    });
    expect(await versions(harness, id)).toEqual([1]);

    // Back within the quota: the next evaluation writes v2 and clears the failure.
    await harness.store.commit([{ op: 'delete', entity: { type: 'resource-cidr', value: subnets[1000]! } }]);
    expect((await evaluatePrefixListResolver(harness.deps, id))?.created?.Version).toBe(2);
    expect(await entries(harness, id, 2)).toHaveLength(1000);
    const [recovered] = (await harness.call('DescribeIpamPrefixListResolvers', { IpamPrefixListResolverIds: [id] }))
      .IpamPrefixListResolvers;
    expect(recovered.LastVersionCreationStatus).toBe('success');
    expect(recovered.LastVersionCreationStatusMessage).toBeUndefined();
  });
});

function resourceCidr(IpamId: string, IpamScopeId: string, ResourceId: string, ResourceCidr: string): IpamResourceCidr {
  return {
    IpamId,
    IpamScopeId,
    ResourceRegion: 'us-east-1',
    ResourceOwnerId: '123456789012',
    ResourceId,
    ResourceCidr,
    ResourceType: 'subnet',
    ResourceTags: [],
    historyStartedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
}
