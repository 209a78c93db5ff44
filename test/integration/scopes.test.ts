// Scopes (guide §3): additional private scopes, the 5-scope quota (DN-14), what blocks a delete,
// and the in-progress answers that a workflow settles (as AWS answers them).
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, restart, send, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function scopeCount(harness: UseCaseHarness, ipamId: string): Promise<number> {
  return (await harness.call('DescribeIpams', { IpamIds: [ipamId] })).Ipams[0].ScopeCount;
}

async function scopeState(harness: UseCaseHarness, scopeId: string): Promise<string> {
  return (await harness.call('DescribeIpamScopes', { IpamScopeIds: [scopeId] })).IpamScopes[0].State;
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
      State: 'create-in-progress', // create-ipam-scope.rst
    });
    expect(IpamScope.IpamScopeId).toMatch(/^ipam-scope-0[0-9a-f]{16}$/);
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(3);
    // call() waits for the workflow, as a poller would (IpamScopeState in the EC2 model: create-complete).
    expect(await scopeState(harness, IpamScope.IpamScopeId)).toBe('create-complete');

    const { IpamScope: renamed } = await harness.call('ModifyIpamScope', { IpamScopeId: IpamScope.IpamScopeId, Description: 'lab 2' });
    expect(renamed).toMatchObject({ Description: 'lab 2', State: 'modify-in-progress' }); // modify-ipam-scope.rst
    expect(await scopeState(harness, IpamScope.IpamScopeId)).toBe('modify-complete'); // IpamScopeState
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
    const deleted = await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });
    expect(deleted.IpamScope).toMatchObject({ IpamScopeId: IpamScope.IpamScopeId, State: 'delete-in-progress' }); // delete-ipam-scope.rst
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

  it('while being deleted, is described delete-in-progress, still counted, and refuses changes; the workflow removes it', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'settleState' });
    const { Ipam } = await crashed.call('CreateIpam', {});
    const { IpamScope } = await crashed.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    const scopeId = IpamScope.IpamScopeId;
    expect((await send(crashed, 'DeleteIpamScope', { IpamScopeId: scopeId })).IpamScope.State).toBe('delete-in-progress');

    // Described as it is, like a pool or IPAM being deleted; the IPAM counts it until it is gone.
    const described = await send(crashed, 'DescribeIpamScopes', { IpamScopeIds: [scopeId] });
    expect(described.IpamScopes[0].State).toBe('delete-in-progress');
    expect((await send(crashed, 'DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0].ScopeCount).toBe(3);
    await expectRefusal(send(crashed, 'DeleteIpamScope', { IpamScopeId: scopeId }), 'IncorrectState', 'being deleted');
    await expectRefusal(send(crashed, 'ModifyIpamScope', { IpamScopeId: scopeId, Description: 'x' }), 'IncorrectState', scopeId);
    await expectRefusal(send(crashed, 'CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4' }), 'IncorrectState', scopeId);

    // The next process resumes the open execution and finishes the deletion.
    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['settleState', 'finishExecution']);
    await expectRefusal(harness.call('DescribeIpamScopes', { IpamScopeIds: [scopeId] }), 'InvalidIpamScopeId.NotFound', scopeId);
    expect(await scopeCount(harness, Ipam.IpamId)).toBe(2);
    expect(await harness.store.listFreeBlocks(scopeId, 'ipv4')).toEqual([]);
  });
});
