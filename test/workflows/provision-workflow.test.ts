// The provision-pool-cidr and deprovision-pool-cidr workflows end to end: the real ASL files, the
// local engine and the real tasks on DynamoDB Local, driven through the use cases. A request is
// answered pending-*, and the workflow settles the record: provisioned / deprovisioned, a
// failed-provision the tasks decided (cidr-not-available, limit-exceeded), or the Catch branch
// after a task threw (failed-provision, failed-deprovision). Lost races are retried by the ASL.
import { describe, expect, it } from 'vitest';
import { StoreConflict } from '../../lambdas/ports/store.ts';
import { createUseCaseHarness, type TaskScript, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';

interface PoolCidr {
  IpamPoolCidrId: string;
  Cidr?: string;
  State: string;
  NetmaskLength: number;
  FailureReason?: { Code: string; Message: string };
}

/** A harness whose engine records every task it runs, and throws where `script` says. */
async function trackedHarness(script: TaskScript = {}) {
  const tracker = taskTracker(script);
  const harness = await createUseCaseHarness({ wrapTask: tracker.wrapTask });
  /** The executions about this pool CIDR, oldest first: each record, its tasks in the order they ran, and whether it is open. */
  const executionsOf = async (poolCidrId: string) => {
    const open = (await harness.store.listOpenExecutions()).map((execution) => execution.executionId);
    return Promise.all(
      tracker
        .executions((args) => args.poolCidrId === poolCidrId)
        .map(async ({ executionId, tasks }) => ({
          execution: await harness.store.getExecution(executionId),
          tasks,
          open: open.includes(executionId),
        })),
    );
  };
  /** The one execution about this pool CIDR. */
  const executionOf = async (poolCidrId: string) => {
    const executions = await executionsOf(poolCidrId);
    expect(executions).toHaveLength(1);
    return executions[0]!;
  };
  return { harness, events: tracker.events, executionOf, executionsOf };
}

async function topLevelPool(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
  return { scopeId: Ipam.PrivateDefaultScopeId as string, poolId: IpamPool.IpamPoolId as string };
}

async function settledRecord(harness: UseCaseHarness, poolId: string, poolCidrId: string): Promise<PoolCidr> {
  const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: poolId });
  return IpamPoolCidrs.find((record: PoolCidr) => record.IpamPoolCidrId === poolCidrId);
}

async function provision(harness: UseCaseHarness, poolId: string, request: Record<string, unknown>) {
  const accepted = (await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, ...request })).IpamPoolCidr as PoolCidr;
  return { accepted, settled: await settledRecord(harness, poolId, accepted.IpamPoolCidrId) };
}

const freeCidrs = async (harness: UseCaseHarness, spaceId: string) =>
  (await harness.store.listFreeBlocks(spaceId, 'ipv4')).map((block) => block.cidr).sort();

async function sourceAllocations(harness: UseCaseHarness, spaceId: string) {
  return (await harness.store.listAllocations(spaceId, { limit: 100 })).items.map(
    (allocation) => `${allocation.Cidr} ${allocation.ResourceType} ${allocation.ResourceId}`,
  );
}

describe('provision-pool-cidr workflow', () => {
  it('moves a CIDR from pending-provision to provisioned, taking it from the scope, and closes its execution as succeeded', async () => {
    const { harness, executionOf } = await trackedHarness();
    const { scopeId, poolId } = await topLevelPool(harness);

    const { accepted, settled } = await provision(harness, poolId, { Cidr: '10.0.0.0/16' });
    expect(accepted).toMatchObject({ State: 'pending-provision', Cidr: '10.0.0.0/16', NetmaskLength: 16 });
    expect(settled).toMatchObject({ IpamPoolCidrId: accepted.IpamPoolCidrId, State: 'provisioned', Cidr: '10.0.0.0/16' });
    expect(settled.FailureReason).toBeUndefined();
    expect(await sourceAllocations(harness, scopeId)).toEqual([`10.0.0.0/16 ipam-pool ${poolId}`]);
    expect(await freeCidrs(harness, poolId)).toEqual(['10.0.0.0/16']);
    expect((await harness.store.getPool(poolId))!.provisionedCidrCount).toBe(1);

    const { execution, tasks, open } = await executionOf(accepted.IpamPoolCidrId);
    expect(execution).toMatchObject({
      workflow: 'provision-pool-cidr',
      status: 'succeeded',
      args: { poolId, poolCidrId: accepted.IpamPoolCidrId },
    });
    expect(execution!.finishedAt).toBeDefined();
    expect(execution!.error).toBeUndefined();
    expect(tasks).toEqual(['provisionPoolCidr', 'finishExecution']);
    expect(open).toBe(false);
  });

  it('by NetmaskLength answers without a Cidr; the workflow picks it in the source pool', async () => {
    const { harness, executionOf } = await trackedHarness();
    const { scopeId, poolId } = await topLevelPool(harness);
    expect((await provision(harness, poolId, { Cidr: '10.0.0.0/16' })).settled.State).toBe('provisioned');
    const { IpamPool: child } = await harness.call('CreateIpamPool', {
      IpamScopeId: scopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: poolId,
    });

    const { accepted, settled } = await provision(harness, child.IpamPoolId, { NetmaskLength: 20 });
    expect(accepted).toMatchObject({ State: 'pending-provision', NetmaskLength: 20 });
    expect(accepted).not.toHaveProperty('Cidr');
    expect(settled).toMatchObject({ State: 'provisioned', Cidr: '10.0.0.0/20', NetmaskLength: 20 });
    expect(await sourceAllocations(harness, poolId)).toEqual([`10.0.0.0/20 ipam-pool ${child.IpamPoolId}`]);
    expect((await executionOf(accepted.IpamPoolCidrId)).execution!.status).toBe('succeeded');
  });

  it('records an overlap as failed-provision cidr-not-available, taking nothing; the execution itself succeeds', async () => {
    const { harness, executionOf } = await trackedHarness();
    const { scopeId, poolId } = await topLevelPool(harness);
    await provision(harness, poolId, { Cidr: '10.0.0.0/16' });
    const { IpamPool: other } = await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4' });

    const { accepted, settled } = await provision(harness, other.IpamPoolId, { Cidr: '10.0.128.0/17' });
    expect(accepted.State).toBe('pending-provision');
    expect(settled).toMatchObject({ State: 'failed-provision', Cidr: '10.0.128.0/17', FailureReason: { Code: 'cidr-not-available' } });
    expect(settled.FailureReason!.Message).toContain('10.0.128.0/17');
    expect(await sourceAllocations(harness, scopeId)).toEqual([`10.0.0.0/16 ipam-pool ${poolId}`]);
    expect(await freeCidrs(harness, other.IpamPoolId)).toEqual([]);
    expect((await harness.store.getPool(other.IpamPoolId))!.provisionedCidrCount).toBe(0);

    // A failure the task decided is the workflow's answer, not a failed execution.
    const { execution, tasks, open } = await executionOf(accepted.IpamPoolCidrId);
    expect(execution!.status).toBe('succeeded');
    expect(tasks).toEqual(['provisionPoolCidr', 'finishExecution']);
    expect(open).toBe(false);
  });

  it('records the 51st CIDR of a pool as failed-provision limit-exceeded', { timeout: 60_000 }, async () => {
    const { harness, executionOf } = await trackedHarness();
    const { scopeId, poolId } = await topLevelPool(harness);
    for (let i = 0; i < 50; i++) expect((await provision(harness, poolId, { Cidr: `10.0.${i}.0/24` })).settled.State).toBe('provisioned');

    const { accepted, settled } = await provision(harness, poolId, { Cidr: '10.0.50.0/24' });
    expect(accepted.State).toBe('pending-provision');
    expect(settled).toMatchObject({ State: 'failed-provision', FailureReason: { Code: 'limit-exceeded' } });
    expect(settled.FailureReason!.Message).toContain('50');
    expect((await harness.store.getPool(poolId))!.provisionedCidrCount).toBe(50);
    expect(await sourceAllocations(harness, scopeId)).toHaveLength(50);
    expect((await executionOf(accepted.IpamPoolCidrId)).execution!.status).toBe('succeeded');
  });

  it('sends a task that throws to the Catch branch: failed-provision with the error, nothing taken, execution failed', async () => {
    const script: TaskScript = { provisionPoolCidr: () => new Error('the disk caught fire') };
    const { harness, executionOf } = await trackedHarness(script);
    const { scopeId, poolId } = await topLevelPool(harness);

    const { accepted, settled } = await provision(harness, poolId, { Cidr: '10.0.0.0/16' });
    expect(accepted.State).toBe('pending-provision');
    expect(settled).toMatchObject({ State: 'failed-provision', Cidr: '10.0.0.0/16', FailureReason: { Code: 'cidr-not-available' } });
    expect(settled.FailureReason!.Message).toContain('the disk caught fire');
    expect(await sourceAllocations(harness, scopeId)).toEqual([]);
    expect(await freeCidrs(harness, scopeId)).toEqual(['0.0.0.0/0']);
    expect(await freeCidrs(harness, poolId)).toEqual([]);

    const { execution, tasks, open } = await executionOf(accepted.IpamPoolCidrId);
    // A plain Error is no lost race: it is not retried.
    expect(tasks).toEqual(['provisionPoolCidr', 'failPoolCidr', 'finishExecution']);
    expect(execution).toMatchObject({ status: 'failed', error: expect.stringContaining('the disk caught fire') });
    expect(open).toBe(false);

    // The failed record takes nothing: the same CIDR provisions once the fault is gone.
    delete script.provisionPoolCidr;
    expect((await provision(harness, poolId, { Cidr: '10.0.0.0/16' })).settled.State).toBe('provisioned');
  });

  it('retries a task that lost a race (StoreConflict) and still provisions, exactly once', async () => {
    const { harness, events, executionOf } = await trackedHarness({
      provisionPoolCidr: (nth) => (nth <= 2 ? new StoreConflict() : undefined),
    });
    const { scopeId, poolId } = await topLevelPool(harness);

    const { accepted, settled } = await provision(harness, poolId, { Cidr: '10.0.0.0/16' });
    expect(settled.State).toBe('provisioned');
    expect(events.filter((event) => event.task === 'provisionPoolCidr')).toHaveLength(3);
    const { execution, tasks } = await executionOf(accepted.IpamPoolCidrId);
    expect(tasks).toEqual(['provisionPoolCidr', 'provisionPoolCidr', 'provisionPoolCidr', 'finishExecution']);
    expect(execution!.status).toBe('succeeded');
    expect(await sourceAllocations(harness, scopeId)).toEqual([`10.0.0.0/16 ipam-pool ${poolId}`]);
  });
});

describe('deprovision-pool-cidr workflow', () => {
  it('moves a CIDR from pending-deprovision to deprovisioned, giving the space back to the scope', async () => {
    const { harness, executionsOf } = await trackedHarness();
    const { scopeId, poolId } = await topLevelPool(harness);
    await provision(harness, poolId, { Cidr: '10.0.0.0/16' });

    const { IpamPoolCidr: accepted } = await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(accepted).toMatchObject({ State: 'pending-deprovision', Cidr: '10.0.0.0/16' });
    expect(await settledRecord(harness, poolId, accepted.IpamPoolCidrId)).toMatchObject({ State: 'deprovisioned', Cidr: '10.0.0.0/16' });
    expect(await sourceAllocations(harness, scopeId)).toEqual([]);
    expect(await freeCidrs(harness, scopeId)).toEqual(['0.0.0.0/0']);
    expect(await freeCidrs(harness, poolId)).toEqual([]);
    expect((await harness.store.getPool(poolId))!.provisionedCidrCount).toBe(0);

    const [provisioning, deprovisioning] = await executionsOf(accepted.IpamPoolCidrId);
    expect(provisioning!.execution!.workflow).toBe('provision-pool-cidr');
    expect(deprovisioning!.execution).toMatchObject({
      workflow: 'deprovision-pool-cidr',
      status: 'succeeded',
      args: { poolId, poolCidrId: accepted.IpamPoolCidrId },
    });
    expect(deprovisioning!.tasks).toEqual(['deprovisionPoolCidr', 'finishExecution']);
    expect(deprovisioning!.open).toBe(false);
  });

  it('sends a task that throws to the Catch branch: failed-deprovision, the CIDR back in the pool, execution failed', async () => {
    const script: TaskScript = {};
    const { harness, executionsOf } = await trackedHarness(script);
    const { scopeId, poolId } = await topLevelPool(harness);
    await provision(harness, poolId, { Cidr: '10.0.0.0/16' });
    script.deprovisionPoolCidr = () => new Error('lost the source allocation');

    const { IpamPoolCidr: accepted } = await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(accepted.State).toBe('pending-deprovision');
    expect(await settledRecord(harness, poolId, accepted.IpamPoolCidrId)).toMatchObject({
      State: 'failed-deprovision',
      Cidr: '10.0.0.0/16',
    });
    const [, deprovisioning] = await executionsOf(accepted.IpamPoolCidrId);
    expect(deprovisioning!.tasks).toEqual(['deprovisionPoolCidr', 'failPoolCidr', 'finishExecution']);
    expect(deprovisioning!.execution).toMatchObject({
      workflow: 'deprovision-pool-cidr',
      status: 'failed',
      error: expect.stringContaining('lost the source allocation'),
    });
    expect(deprovisioning!.open).toBe(false);

    // The space is the pool's again (still taken from the scope): it can be allocated, all of it.
    expect(await freeCidrs(harness, poolId)).toEqual(['10.0.0.0/16']);
    expect(await sourceAllocations(harness, scopeId)).toEqual([`10.0.0.0/16 ipam-pool ${poolId}`]);
    expect((await harness.store.getPool(poolId))!.provisionedCidrCount).toBe(1);
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(IpamPoolAllocation.Cidr).toBe('10.0.0.0/16');
    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: poolId,
      IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
      Cidr: '10.0.0.0/16',
    });

    // A failed-deprovision CIDR can be deprovisioned again once the fault is gone.
    delete script.deprovisionPoolCidr;
    const { IpamPoolCidr: again } = await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(again.State).toBe('pending-deprovision');
    expect(await settledRecord(harness, poolId, accepted.IpamPoolCidrId)).toMatchObject({ State: 'deprovisioned' });
    expect(await freeCidrs(harness, scopeId)).toEqual(['0.0.0.0/0']);
  });
});
