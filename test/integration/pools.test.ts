// Pools (guide §5): creation rules (source, locale, family, depth, auto-import, netmask rules,
// public-scope options), PoolCount, ModifyIpamPool, and DeleteIpamPool with and without Cascade.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

type Pool = { IpamPoolId: string; Locale: string; PoolDepth: number; [member: string]: unknown };

async function newIpam(harness: UseCaseHarness, regions: string[] = []) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions.map((RegionName) => ({ RegionName })) });
  return Ipam as { IpamId: string; PrivateDefaultScopeId: string; PublicDefaultScopeId: string };
}

async function newPool(harness: UseCaseHarness, input: Record<string, unknown>): Promise<Pool> {
  return (await harness.call('CreateIpamPool', { AddressFamily: 'ipv4', ...input })).IpamPool;
}

async function describePool(harness: UseCaseHarness, poolId: string): Promise<Pool> {
  return (await harness.call('DescribeIpamPools', { IpamPoolIds: [poolId] })).IpamPools[0];
}

async function poolCount(harness: UseCaseHarness, scopeId: string): Promise<number> {
  return (await harness.call('DescribeIpamScopes', { IpamScopeIds: [scopeId] })).IpamScopes[0].PoolCount;
}

describe('creating pools', () => {
  it("inherits the source pool's locale, and refuses a different one", async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness, ['us-west-2']);
    const scope = ipam.PrivateDefaultScopeId;
    const top = await newPool(harness, { IpamScopeId: scope });
    expect(top).toMatchObject({ Locale: 'None', PoolDepth: 1 });
    expect(top.SourceIpamPoolId).toBeUndefined();

    // Under a pool without a locale, a child may choose one.
    const regional = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: top.IpamPoolId, Locale: 'us-west-2' });
    expect(regional).toMatchObject({ Locale: 'us-west-2', PoolDepth: 2, SourceIpamPoolId: top.IpamPoolId });
    // Below it the locale is inherited, whether named again or not.
    expect(await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: regional.IpamPoolId })).toMatchObject({
      Locale: 'us-west-2',
      PoolDepth: 3,
    });
    expect(await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: regional.IpamPoolId, Locale: 'us-west-2' })).toMatchObject({
      Locale: 'us-west-2',
    });
    await expectRefusal(
      newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: regional.IpamPoolId, Locale: 'us-east-1' }),
      'InvalidParameterCombination',
      regional.IpamPoolId,
      'us-west-2',
    );
    expect(await poolCount(harness, scope)).toBe(4);
  });

  it('needs the locale to be an operating Region of the IPAM', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness, ['us-west-2']);
    expect((await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, Locale: 'us-east-1' })).Locale).toBe('us-east-1');
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, Locale: 'eu-west-1' }),
      'InvalidParameterValue',
      'eu-west-1',
    );
    // After adding the Region it works.
    await harness.call('ModifyIpam', { IpamId: ipam.IpamId, AddOperatingRegions: [{ RegionName: 'eu-west-1' }] });
    expect((await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, Locale: 'eu-west-1' })).Locale).toBe('eu-west-1');
  });

  it('needs the same address family and scope as the source pool', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const top = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, SourceIpamPoolId: top.IpamPoolId, AddressFamily: 'ipv6' }),
      'InvalidParameterCombination',
      'ipv6',
    );
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: ipam.IpamId });
    await expectRefusal(
      newPool(harness, { IpamScopeId: IpamScope.IpamScopeId, SourceIpamPoolId: top.IpamPoolId }),
      'InvalidParameterCombination',
      top.IpamPoolId,
    );
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, SourceIpamPoolId: 'ipam-pool-0123456789abcdef0' }),
      'InvalidIpamPoolId.NotFound',
      'ipam-pool-0123456789abcdef0',
    );
  });

  it('nests at most 10 deep', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    let pool = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    for (let depth = 2; depth <= 10; depth++) {
      pool = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, SourceIpamPoolId: pool.IpamPoolId });
      expect(pool.PoolDepth).toBe(depth);
    }
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, SourceIpamPoolId: pool.IpamPoolId }),
      'ResourceLimitExceeded',
      '10',
    );
    expect(await poolCount(harness, ipam.PrivateDefaultScopeId)).toBe(10);
  });

  // AWS CLI example create-ipam-pool.rst: `--auto-import` without `--locale` answers
  // "Locale": "None", "AutoImport": true (issue 17 overrides DN-20). Such a pool imports nothing
  // (test/unit/domain/discovery.test.ts, importCandidates).
  it('accepts AutoImport without a locale, on create and on modify', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const created = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, AutoImport: true });
    expect(created).toMatchObject({ Locale: 'None', AutoImport: true });
    expect(await describePool(harness, created.IpamPoolId)).toMatchObject({ Locale: 'None', AutoImport: true });

    const withoutLocale = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    expect(withoutLocale.AutoImport).toBe(false);
    const { IpamPool } = await harness.call('ModifyIpamPool', { IpamPoolId: withoutLocale.IpamPoolId, AutoImport: true });
    expect(IpamPool).toMatchObject({ Locale: 'None', AutoImport: true });
    expect(await describePool(harness, withoutLocale.IpamPoolId)).toMatchObject({ Locale: 'None', AutoImport: true });
  });

  it('validates netmask rules: min ≤ max, default inside them, within the family', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const scope = ipam.PrivateDefaultScopeId;
    await expectRefusal(
      newPool(harness, { IpamScopeId: scope, AllocationMinNetmaskLength: 24, AllocationMaxNetmaskLength: 20 }),
      'InvalidParameterValue',
      '24',
      '20',
    );
    await expectRefusal(
      newPool(harness, {
        IpamScopeId: scope,
        AllocationMinNetmaskLength: 16,
        AllocationMaxNetmaskLength: 24,
        AllocationDefaultNetmaskLength: 28,
      }),
      'InvalidParameterValue',
      'AllocationDefaultNetmaskLength',
      '28',
    );
    await expectRefusal(
      newPool(harness, { IpamScopeId: scope, AllocationMinNetmaskLength: 16, AllocationDefaultNetmaskLength: 8 }),
      'InvalidParameterValue',
      '8',
    );
    await expectRefusal(
      newPool(harness, { IpamScopeId: scope, AllocationMaxNetmaskLength: 33 }),
      'InvalidParameterValue',
      'AllocationMaxNetmaskLength',
      '33',
    );
    expect(await newPool(harness, { IpamScopeId: scope, AddressFamily: 'ipv6', AllocationMaxNetmaskLength: 64 })).toMatchObject({
      AllocationMaxNetmaskLength: 64,
    });
    // One size only is fine.
    expect(await newPool(harness, { IpamScopeId: scope, AllocationMinNetmaskLength: 24, AllocationMaxNetmaskLength: 24 })).toMatchObject({
      AllocationMinNetmaskLength: 24,
      AllocationMaxNetmaskLength: 24,
    });
  });

  it('accepts AwsService and PublicIpSource only in the public scope', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, AwsService: 'ec2' }),
      'InvalidParameterCombination',
      'AwsService',
    );
    await expectRefusal(
      newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, PublicIpSource: 'byoip' }),
      'InvalidParameterCombination',
      'PublicIpSource',
    );
    const publicPool = await newPool(harness, {
      IpamScopeId: ipam.PublicDefaultScopeId,
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
    });
    expect(publicPool).toMatchObject({ IpamScopeType: 'public', AwsService: 'ec2', PublicIpSource: 'amazon' });
    expect(await poolCount(harness, ipam.PublicDefaultScopeId)).toBe(1);
    expect(await poolCount(harness, ipam.PrivateDefaultScopeId)).toBe(0);
  });

  it('does not pass allocation rules down to child pools', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const top = await newPool(harness, {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 24,
      AllocationResourceTags: [{ Key: 'team', Value: 'net' }],
    });
    const child = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, SourceIpamPoolId: top.IpamPoolId });
    // The bounds EC2 answers for a pool without rules (delete-ipam-pool.rst), no resource tags.
    expect(child).toMatchObject({ AllocationMinNetmaskLength: 0, AllocationMaxNetmaskLength: 32 });
    expect(child.AllocationResourceTags).toBeUndefined();
  });
});

describe('modifying pools', () => {
  it('changes netmask rules, validated against the rules that stay', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, AllocationDefaultNetmaskLength: 24 });
    const { IpamPool } = await harness.call('ModifyIpamPool', {
      IpamPoolId: pool.IpamPoolId,
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 26,
      Description: 'regional',
    });
    expect(IpamPool).toMatchObject({
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 26,
      AllocationDefaultNetmaskLength: 24,
      Description: 'regional',
      State: 'modify-complete', // modify-ipam-pool.rst answers the pool settled, unlike the IPAM's and the scope's
    });
    await expectRefusal(
      harness.call('ModifyIpamPool', { IpamPoolId: pool.IpamPoolId, AllocationMaxNetmaskLength: 20 }),
      'InvalidParameterValue',
      '24',
    );
    expect(await describePool(harness, pool.IpamPoolId)).toMatchObject({ AllocationMaxNetmaskLength: 26 });
  });

  it('clears the default netmask, but not together with setting one', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId, AllocationDefaultNetmaskLength: 24 });
    await expectRefusal(
      harness.call('ModifyIpamPool', {
        IpamPoolId: pool.IpamPoolId,
        ClearAllocationDefaultNetmaskLength: true,
        AllocationDefaultNetmaskLength: 20,
      }),
      'InvalidParameterCombination',
      'ClearAllocationDefaultNetmaskLength',
    );
    await harness.call('ModifyIpamPool', { IpamPoolId: pool.IpamPoolId, ClearAllocationDefaultNetmaskLength: true });
    expect((await describePool(harness, pool.IpamPoolId)).AllocationDefaultNetmaskLength).toBeUndefined();
  });

  it('adds and removes allocation resource tags', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await newPool(harness, {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AllocationResourceTags: [{ Key: 'team', Value: 'net' }],
    });
    await harness.call('ModifyIpamPool', {
      IpamPoolId: pool.IpamPoolId,
      AddAllocationResourceTags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'cost', Value: '42' },
      ],
    });
    expect((await describePool(harness, pool.IpamPoolId)).AllocationResourceTags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'net' },
        { Key: 'env', Value: 'prod' },
        { Key: 'cost', Value: '42' },
      ]),
    );
    await harness.call('ModifyIpamPool', {
      IpamPoolId: pool.IpamPoolId,
      RemoveAllocationResourceTags: [
        { Key: 'team', Value: 'net' },
        { Key: 'cost', Value: 'other' },
      ],
      AddAllocationResourceTags: [{ Key: 'env', Value: 'dev' }],
    });
    expect((await describePool(harness, pool.IpamPoolId)).AllocationResourceTags).toEqual(
      expect.arrayContaining([
        { Key: 'env', Value: 'dev' },
        { Key: 'cost', Value: '42' },
      ]),
    );
    expect((await describePool(harness, pool.IpamPoolId)).AllocationResourceTags).toHaveLength(2);
  });
});

describe('deleting pools', () => {
  it('refuses a pool with CIDRs or child pools, and decrements PoolCount when it goes', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const scope = ipam.PrivateDefaultScopeId;
    const parent = await newPool(harness, { IpamScopeId: scope });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.0.0/16' });
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: parent.IpamPoolId }), 'DependencyViolation', parent.IpamPoolId);

    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.0.0/16' });
    const child = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: parent.IpamPoolId });
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: parent.IpamPoolId }), 'DependencyViolation', 'child');
    expect(await poolCount(harness, scope)).toBe(2);

    const { IpamPool } = await harness.call('DeleteIpamPool', { IpamPoolId: child.IpamPoolId });
    expect(IpamPool).toMatchObject({ IpamPoolId: child.IpamPoolId });
    await harness.call('DeleteIpamPool', { IpamPoolId: parent.IpamPoolId });
    expect(await poolCount(harness, scope)).toBe(0);
    await expectRefusal(
      harness.call('DescribeIpamPools', { IpamPoolIds: [parent.IpamPoolId] }),
      'InvalidIpamPoolId.NotFound',
      parent.IpamPoolId,
    );
  });

  it('with Cascade deletes a subtree and gives its space back to the parent', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const scope = ipam.PrivateDefaultScopeId;
    const parent = await newPool(harness, { IpamScopeId: scope });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.0.0/16' });
    const child = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: parent.IpamPoolId });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 18 });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, Cidr: '10.0.128.0/20' });
    const grandchild = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: child.IpamPoolId });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: grandchild.IpamPoolId, NetmaskLength: 20 });
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 24 });
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: grandchild.IpamPoolId, NetmaskLength: 26 });
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.255.0/24' });
    expect(await poolCount(harness, scope)).toBe(3);

    const { IpamPool } = await harness.call('DeleteIpamPool', { IpamPoolId: child.IpamPoolId, Cascade: true });
    expect(IpamPool.IpamPoolId).toBe(child.IpamPoolId);

    const remaining = (await harness.call('DescribeIpamPools', {})).IpamPools.map((pool: Pool) => pool.IpamPoolId);
    expect(remaining).toEqual([parent.IpamPoolId]);
    expect(await poolCount(harness, scope)).toBe(1);
    // Only the parent's own allocation is left; the rest of its space coalesced back.
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: parent.IpamPoolId });
    expect(IpamPoolAllocations.map((a: { Cidr: string }) => a.Cidr)).toEqual(['10.0.255.0/24']);
    const free = (await harness.store.listFreeBlocks(parent.IpamPoolId, 'ipv4')).map((block) => block.cidr).sort();
    expect(free).toEqual([
      '10.0.0.0/17',
      '10.0.128.0/18',
      '10.0.192.0/19',
      '10.0.224.0/20',
      '10.0.240.0/21',
      '10.0.248.0/22',
      '10.0.252.0/23',
      '10.0.254.0/24',
    ]);
    expect(await harness.store.listFreeBlocks(child.IpamPoolId, 'ipv4')).toEqual([]);
    expect((await harness.store.listAllocations(child.IpamPoolId, { limit: 100 })).items).toEqual([]);
    expect((await harness.store.listAllocations(grandchild.IpamPoolId, { limit: 100 })).items).toEqual([]);
    // The parent has no children left: a cascade now only has its own allocation to release.
    await harness.call('DeleteIpamPool', { IpamPoolId: parent.IpamPoolId, Cascade: true });
    expect(await harness.store.listFreeBlocks(scope, 'ipv4')).toEqual([expect.objectContaining({ cidr: '0.0.0.0/0' })]);
  });

  it('refuses Cascade on a public-scope pool', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await newPool(harness, { IpamScopeId: ipam.PublicDefaultScopeId });
    await expectRefusal(
      harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId, Cascade: true }),
      'InvalidParameterCombination',
      'Cascade',
    );
    await harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId });
  });
});
