// Scopes (guide §3): additional private scopes, the 5-scope quota (DN-14), and what blocks a delete.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function scopeCount(harness: UseCaseHarness, ipamId: string): Promise<number> {
  return (await harness.call('DescribeIpams', { IpamIds: [ipamId] })).Ipams[0].ScopeCount;
}

describe('scopes', () => {
  it('creates private, non-default scopes with no pools and counts them on the IPAM', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamScope } = await harness.call('CreateIpamScope', {
      IpamId: Ipam.IpamId,
      Description: 'lab',
      TagSpecifications: [{ ResourceType: 'ipam-scope', Tags: [{ Key: 'env', Value: 'lab' }] }],
    });
    expect(IpamScope).toMatchObject({
      IpamScopeType: 'private',
      IsDefault: false,
      PoolCount: 0,
      Description: 'lab',
      IpamArn: Ipam.IpamArn,
      IpamRegion: 'us-east-1',
      Tags: [{ Key: 'env', Value: 'lab' }],
    });
    expect(IpamScope.IpamScopeId).toMatch(/^ipam-scope-0[0-9a-f]{16}$/);
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(3);

    const { IpamScope: renamed } = await harness.call('ModifyIpamScope', { IpamScopeId: IpamScope.IpamScopeId, Description: 'lab 2' });
    expect(renamed.Description).toBe('lab 2');
  });

  it('allows 5 scopes per IPAM, the two default ones included', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    for (let i = 0; i < 3; i++) await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    await expectRefusal(harness.call('CreateIpamScope', { IpamId: Ipam.IpamId }), 'ResourceLimitExceeded', '5');
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(5);
    expect((await harness.call('DescribeIpamScopes', {})).IpamScopes).toHaveLength(5);
  });

  it('never deletes a default scope', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    for (const scopeId of [Ipam.PrivateDefaultScopeId, Ipam.PublicDefaultScopeId]) {
      await expectRefusal(harness.call('DeleteIpamScope', { IpamScopeId: scopeId }), 'InvalidParameterValue', scopeId);
    }
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(2);
  });

  it('deletes a scope only once its pools are gone, and decrements ScopeCount', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: IpamScope.IpamScopeId, AddressFamily: 'ipv4' });
    expect((await harness.call('DescribeIpamScopes', { IpamScopeIds: [IpamScope.IpamScopeId] })).IpamScopes[0].PoolCount).toBe(1);
    await expectRefusal(
      harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId }),
      'DependencyViolation',
      IpamScope.IpamScopeId,
    );

    await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId });
    await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(2);
    await expectRefusal(
      harness.call('DescribeIpamScopes', { IpamScopeIds: [IpamScope.IpamScopeId] }),
      'InvalidIpamScopeId.NotFound',
      IpamScope.IpamScopeId,
    );
    // The quota counts live scopes: three can be created again.
    for (let i = 0; i < 3; i++) await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(5);
  });
});
