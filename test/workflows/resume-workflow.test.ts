// Crash and resume with the real workflows: an engine with pauseBeforeTask stands for a process
// that died just before that task, leaving the pending state and an open execution record; a
// second process (new dependencies on the same table) resumes the open executions and finishes
// the job. Tasks are idempotent, so resuming one whose work already happened does it only once.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, poolCidrState, reconcile, restart, send, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from '../integration/refusal.ts';

async function ipamWithPool(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
  return { scopeId: Ipam.PrivateDefaultScopeId as string, poolId: IpamPool.IpamPoolId as string };
}

const freeCidrs = async (harness: UseCaseHarness, spaceId: string) =>
  (await harness.store.listFreeBlocks(spaceId, 'ipv4')).map((block) => block.cidr).sort();
const allocationCidrs = async (harness: UseCaseHarness, spaceId: string) =>
  (await harness.store.listAllocations(spaceId, { limit: 100 })).items.map(
    (allocation) => `${allocation.Cidr} ${allocation.ResourceType} ${allocation.ResourceId}`,
  );

describe('crash and resume', () => {
  it('a provision that died before its task stays pending-provision with an open execution; the next process provisions it', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'provisionPoolCidr' });
    const { scopeId, poolId } = await ipamWithPool(crashed);
    const { IpamPoolCidr } = await send(crashed, 'ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(IpamPoolCidr.State).toBe('pending-provision');

    // While it is pending, the pool cannot be deleted and the CIDR cannot be deprovisioned.
    await expectRefusal(send(crashed, 'DeleteIpamPool', { IpamPoolId: poolId }), 'IncorrectState', poolId, 'pending-provision');
    await expectRefusal(send(crashed, 'DeleteIpamPool', { IpamPoolId: poolId, Cascade: true }), 'IncorrectState', 'pending-provision');
    await expectRefusal(
      send(crashed, 'DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' }),
      'IncorrectState',
      '10.0.0.0/16',
    );

    await crashed.engine.stop();
    expect(await crashed.store.getPoolCidr(poolId, IpamPoolCidr.IpamPoolCidrId)).toMatchObject({ State: 'pending-provision' });
    const [open] = await crashed.store.listOpenExecutions();
    expect(open).toMatchObject({
      workflow: 'provision-pool-cidr',
      status: 'open',
      args: { poolId, poolCidrId: IpamPoolCidr.IpamPoolCidrId },
    });
    expect(await allocationCidrs(crashed, scopeId)).toEqual([]);

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['provisionPoolCidr', 'finishExecution']);
    expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
    expect(await allocationCidrs(harness, scopeId)).toEqual([`10.0.0.0/16 ipam-pool ${poolId}`]);
    expect(await harness.store.getExecution(open!.executionId)).toMatchObject({ status: 'succeeded' });
    expect(await harness.store.listOpenExecutions()).toEqual([]);
    expect(await reconcile(harness)).toBe(0);
    // The pool is usable again.
    expect((await harness.call('DeleteIpamPool', { IpamPoolId: poolId, Cascade: true })).IpamPool.State).toBe('delete-in-progress');
    expect(await harness.store.getPool(poolId)).toBeUndefined();
  });

  it('resuming a provision whose task ran before the crash (before finishExecution) takes the space only once', async () => {
    const setup = await createUseCaseHarness();
    const { scopeId, poolId: parentId } = await ipamWithPool(setup);
    await setup.call('ProvisionIpamPoolCidr', { IpamPoolId: parentId, Cidr: '10.0.0.0/16' });
    const { IpamPool: child } = await setup.call('CreateIpamPool', {
      IpamScopeId: scopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: parentId,
    });

    // By netmask: a task that ran again without noticing would take a second /24.
    const crashed = await createUseCaseHarness({ store: setup.store, pauseBeforeTask: 'finishExecution' });
    const { IpamPoolCidr } = await send(crashed, 'ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 24 });
    await crashed.engine.stop();
    expect(await crashed.store.getPoolCidr(child.IpamPoolId, IpamPoolCidr.IpamPoolCidrId)).toMatchObject({
      State: 'provisioned',
      Cidr: '10.0.0.0/24',
    });
    expect(await crashed.store.listOpenExecutions()).toHaveLength(1);

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['provisionPoolCidr', 'finishExecution']);
    expect(await allocationCidrs(harness, parentId)).toEqual([`10.0.0.0/24 ipam-pool ${child.IpamPoolId}`]);
    expect((await harness.store.getPool(child.IpamPoolId))!.provisionedCidrCount).toBe(1);
    expect(await freeCidrs(harness, child.IpamPoolId)).toEqual(['10.0.0.0/24']);
    expect(await harness.store.listOpenExecutions()).toEqual([]);

    // The same for a deprovision: the space goes back once.
    const again = await createUseCaseHarness({ store: harness.store, pauseBeforeTask: 'finishExecution' });
    expect((await send(again, 'DeprovisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, Cidr: '10.0.0.0/24' })).IpamPoolCidr.State).toBe(
      'pending-deprovision',
    );
    await again.engine.stop();
    expect(await again.store.getPoolCidr(child.IpamPoolId, IpamPoolCidr.IpamPoolCidrId)).toMatchObject({ State: 'deprovisioned' });
    const resumedDeprovision = await restart(again);
    expect(resumedDeprovision.tasks).toEqual(['deprovisionPoolCidr', 'finishExecution']);
    expect(await allocationCidrs(harness, parentId)).toEqual([]);
    expect(await freeCidrs(harness, parentId)).toEqual(['10.0.0.0/16']);
    expect((await harness.store.getPool(child.IpamPoolId))!.provisionedCidrCount).toBe(0);
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });

  it('a deprovision that died before its task keeps the whole CIDR reserved until the next process deprovisions it', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'deprovisionPoolCidr' });
    const { scopeId, poolId } = await ipamWithPool(crashed);
    await crashed.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });

    const { IpamPoolCidr } = await send(crashed, 'DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(IpamPoolCidr).toMatchObject({ State: 'pending-deprovision', Cidr: '10.0.0.0/16' });
    // Reserved: nothing can be allocated in it meanwhile, it is not deprovisioned twice, the pool is not deleted under it.
    expect(await freeCidrs(crashed, poolId)).toEqual([]);
    await expectRefusal(send(crashed, 'AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 24 }), 'InvalidParameterValue');
    await expectRefusal(send(crashed, 'AllocateIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.1.0/24' }), 'InvalidParameterValue');
    await expectRefusal(
      send(crashed, 'DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' }),
      'IncorrectState',
      'pending-deprovision',
    );
    await expectRefusal(send(crashed, 'DeleteIpamPool', { IpamPoolId: poolId, Cascade: true }), 'IncorrectState', 'pending-deprovision');
    await crashed.engine.stop();
    expect(await crashed.store.listOpenExecutions()).toHaveLength(1);

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['deprovisionPoolCidr', 'finishExecution']);
    expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('deprovisioned');
    expect(await freeCidrs(harness, scopeId)).toEqual(['0.0.0.0/0']);
    expect(await freeCidrs(harness, poolId)).toEqual([]);
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });

  it('a creation that died before completeCreation stays create-in-progress, usable by nothing, until resumed', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'completeCreation' });
    const { Ipam } = await send(crashed, 'CreateIpam', {});
    await expectRefusal(
      send(crashed, 'CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }),
      'IncorrectState',
      Ipam.IpamId,
    );
    await crashed.engine.stop();
    expect(await crashed.store.getIpam(Ipam.IpamId)).toMatchObject({ State: 'create-in-progress' });

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['completeCreation', 'finishExecution']);
    expect((await harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0].State).toBe('create-complete');
    expect((await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' })).IpamPool.State).toBe(
      'create-in-progress',
    );
  });
});
