// CreateTags and DeleteTags on IPAMs, scopes and pools, with EC2's tag rules.
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
      harness.call('CreateTags', { Resources: [ipamId, 'vpc-0123456789abcdef0'], Tags: [{ Key: 'a', Value: '1' }] }),
      'InvalidID',
      'vpc-0123456789abcdef0',
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
