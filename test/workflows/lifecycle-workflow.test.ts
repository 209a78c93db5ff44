// The resource-creation, delete-pool, delete-ipam and settle-state workflows through the use cases,
// on the real ASL files and local engine with DynamoDB Local: creations are answered
// create-in-progress and settle in create-complete (or create-failed with a StateMessage),
// deletions are answered delete-in-progress and either remove the resource or leave it
// delete-failed with a StateMessage; other changes answer X-in-progress and settle X-complete
// (or X-failed).
import { describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import type { Write } from '../../lambdas/ports/store.ts';
import type { WorkflowName } from '../../lambdas/domain/model/execution.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { createTestTable } from '../support/dynamodb.ts';
import { createUseCaseHarness, type TaskScript, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from '../integration/refusal.ts';

async function trackedHarness(script: TaskScript = {}, store?: DynamoDbStore) {
  const tracker = taskTracker(script);
  const harness = await createUseCaseHarness({ wrapTask: tracker.wrapTask, store });
  /** The one execution of `workflow` whose args name `id`: its record, its tasks in order, and whether it is still open. */
  const executionAbout = async (workflow: WorkflowName, id: string) => {
    const open = (await harness.store.listOpenExecutions()).map((execution) => execution.executionId);
    const found = [];
    for (const { executionId, tasks } of tracker.executions((args) => Object.values(args).includes(id))) {
      const execution = await harness.store.getExecution(executionId);
      if (execution?.workflow === workflow) found.push({ execution, tasks, open: open.includes(executionId) });
    }
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  return { harness, executionAbout };
}

const describeIpam = async (harness: UseCaseHarness, IpamId: string) =>
  (await harness.call('DescribeIpams', { IpamIds: [IpamId] })).Ipams[0];
const describeScope = async (harness: UseCaseHarness, IpamScopeId: string) =>
  (await harness.call('DescribeIpamScopes', { IpamScopeIds: [IpamScopeId] })).IpamScopes[0];
const describePool = async (harness: UseCaseHarness, IpamPoolId: string) =>
  (await harness.call('DescribeIpamPools', { IpamPoolIds: [IpamPoolId] })).IpamPools[0];

describe('resource-creation workflow', () => {
  it('moves an IPAM, a scope and a pool from create-in-progress to create-complete, each execution closed as succeeded', async () => {
    const { harness, executionAbout } = await trackedHarness();

    const { Ipam } = await harness.call('CreateIpam', {});
    expect(Ipam.State).toBe('create-in-progress');
    expect(await describeIpam(harness, Ipam.IpamId)).toMatchObject({ State: 'create-complete' });
    // The default scopes come with the IPAM, complete.
    expect((await describeScope(harness, Ipam.PrivateDefaultScopeId)).State).toBe('create-complete');
    expect((await describeScope(harness, Ipam.PublicDefaultScopeId)).State).toBe('create-complete');

    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    expect(IpamScope.State).toBe('create-in-progress');
    expect((await describeScope(harness, IpamScope.IpamScopeId)).State).toBe('create-complete');

    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: IpamScope.IpamScopeId, AddressFamily: 'ipv4' });
    expect(IpamPool.State).toBe('create-in-progress');
    const settled = await describePool(harness, IpamPool.IpamPoolId);
    expect(settled.State).toBe('create-complete');
    expect(settled).not.toHaveProperty('StateMessage');

    for (const [resourceType, id] of [
      ['ipam', Ipam.IpamId],
      ['scope', IpamScope.IpamScopeId],
      ['pool', IpamPool.IpamPoolId],
    ]) {
      const { execution, tasks, open } = await executionAbout('resource-creation', id!);
      expect(execution).toMatchObject({ workflow: 'resource-creation', args: { resourceType, id }, status: 'succeeded' });
      expect(execution!.error).toBeUndefined();
      expect(tasks).toEqual(['completeCreation', 'finishExecution']);
      expect(open).toBe(false);
    }
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });

  it('sends a completeCreation that throws to the Catch branch: create-failed with a StateMessage, execution failed', async () => {
    const script: TaskScript = {};
    const { harness, executionAbout } = await trackedHarness(script);
    const failFor = (type: string) => {
      script.completeCreation = (_, event) => (event.args.resourceType === type ? new Error(`no capacity for the ${type}`) : undefined);
    };

    failFor('ipam');
    const { Ipam: failedIpam } = await harness.call('CreateIpam', {}, { region: 'eu-west-1' });
    expect(failedIpam.State).toBe('create-in-progress');
    const settledIpam = (await harness.call('DescribeIpams', {}, { region: 'eu-west-1' })).Ipams[0];
    expect(settledIpam).toMatchObject({
      IpamId: failedIpam.IpamId,
      State: 'create-failed',
      StateMessage: expect.stringContaining('no capacity for the ipam'),
    });
    const { execution, tasks, open } = await executionAbout('resource-creation', failedIpam.IpamId);
    expect(tasks).toEqual(['completeCreation', 'markCreateFailed', 'finishExecution']);
    expect(execution).toMatchObject({ status: 'failed', error: expect.stringContaining('no capacity for the ipam') });
    expect(open).toBe(false);
    // A create-failed IPAM takes nothing new, but can be deleted, which frees its Region slot.
    await expectRefusal(
      harness.call('CreateIpamScope', { IpamId: failedIpam.IpamId }, { region: 'eu-west-1' }),
      'IncorrectState',
      failedIpam.IpamId,
    );
    expect((await harness.call('DeleteIpam', { IpamId: failedIpam.IpamId }, { region: 'eu-west-1' })).Ipam.State).toBe(
      'delete-in-progress',
    );
    expect((await harness.call('DescribeIpams', {}, { region: 'eu-west-1' })).Ipams).toEqual([]);

    delete script.completeCreation;
    const { Ipam } = await harness.call('CreateIpam', {});
    expect((await describeIpam(harness, Ipam.IpamId)).State).toBe('create-complete');

    failFor('scope');
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    expect(IpamScope.State).toBe('create-in-progress');
    // Scopes have no StateMessage member; the reason is on the execution.
    expect(await describeScope(harness, IpamScope.IpamScopeId)).toMatchObject({ State: 'create-failed' });
    expect((await executionAbout('resource-creation', IpamScope.IpamScopeId)).execution).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no capacity for the scope'),
    });
    await expectRefusal(harness.call('CreateIpamPool', { IpamScopeId: IpamScope.IpamScopeId, AddressFamily: 'ipv4' }), 'IncorrectState');

    failFor('pool');
    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    expect(IpamPool.State).toBe('create-in-progress');
    expect(await describePool(harness, IpamPool.IpamPoolId)).toMatchObject({
      State: 'create-failed',
      StateMessage: expect.stringContaining('no capacity for the pool'),
    });
    const pool = await executionAbout('resource-creation', IpamPool.IpamPoolId);
    expect(pool.tasks).toEqual(['completeCreation', 'markCreateFailed', 'finishExecution']);
    expect(pool.execution).toMatchObject({ status: 'failed', error: expect.stringContaining('no capacity for the pool') });
    // A create-failed pool takes no CIDR and no child, and can be deleted.
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/16' }),
      'IncorrectState',
      IpamPool.IpamPoolId,
    );
    await expectRefusal(
      harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        SourceIpamPoolId: IpamPool.IpamPoolId,
      }),
      'IncorrectState',
      IpamPool.IpamPoolId,
    );
    delete script.completeCreation;
    expect((await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId })).IpamPool.State).toBe('delete-in-progress');
    expect(await harness.store.getPool(IpamPool.IpamPoolId)).toBeUndefined();
    expect((await describeScope(harness, Ipam.PrivateDefaultScopeId)).PoolCount).toBe(0);
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });
});

describe('delete-pool workflow', () => {
  it('removes an empty pool: delete-in-progress, then gone, execution succeeded', async () => {
    const { harness, executionAbout } = await trackedHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });

    const { IpamPool: deleting } = await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId });
    expect(deleting).toMatchObject({ IpamPoolId: IpamPool.IpamPoolId, State: 'delete-in-progress' });
    await expectRefusal(
      harness.call('DescribeIpamPools', { IpamPoolIds: [IpamPool.IpamPoolId] }),
      'InvalidIpamPoolId.NotFound',
      IpamPool.IpamPoolId,
    );
    expect((await describeScope(harness, Ipam.PrivateDefaultScopeId)).PoolCount).toBe(0);
    const { execution, tasks, open } = await executionAbout('delete-pool', IpamPool.IpamPoolId);
    expect(execution).toMatchObject({ status: 'succeeded', args: { poolId: IpamPool.IpamPoolId, cascade: false } });
    expect(tasks).toEqual(['deletePoolTree', 'finishExecution']);
    expect(open).toBe(false);
  });

  it('sends a deletePoolTree that throws to the Catch branch: delete-failed with a StateMessage, nothing lost, and a later delete works', async () => {
    const script: TaskScript = { deletePoolTree: () => new Error('the table is read-only') };
    const { harness, executionAbout } = await trackedHarness(script);
    const { Ipam } = await harness.call('CreateIpam', {});
    const scopeId = Ipam.PrivateDefaultScopeId;
    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/16' });
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.1.0/24' });

    const { IpamPool: deleting } = await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId, Cascade: true });
    expect(deleting.State).toBe('delete-in-progress');
    expect(await describePool(harness, IpamPool.IpamPoolId)).toMatchObject({
      State: 'delete-failed',
      StateMessage: expect.stringContaining('the table is read-only'),
    });
    const failed = await executionAbout('delete-pool', IpamPool.IpamPoolId);
    expect(failed.tasks).toEqual(['deletePoolTree', 'markDeleteFailed', 'finishExecution']);
    expect(failed.execution).toMatchObject({ status: 'failed', error: expect.stringContaining('the table is read-only') });
    expect(failed.open).toBe(false);
    // Nothing was released or deprovisioned.
    expect(
      (await harness.call('GetIpamPoolCidrs', { IpamPoolId: IpamPool.IpamPoolId })).IpamPoolCidrs.map((c: { State: string }) => c.State),
    ).toEqual(['provisioned']);
    expect(
      (await harness.call('GetIpamPoolAllocations', { IpamPoolId: IpamPool.IpamPoolId })).IpamPoolAllocations.map(
        (a: { Cidr: string }) => a.Cidr,
      ),
    ).toEqual(['10.0.1.0/24']);

    delete script.deletePoolTree;
    expect((await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId, Cascade: true })).IpamPool.State).toBe(
      'delete-in-progress',
    );
    expect(await harness.store.getPool(IpamPool.IpamPoolId)).toBeUndefined();
    expect((await harness.store.listFreeBlocks(scopeId, 'ipv4')).map((block) => block.cidr)).toEqual(['0.0.0.0/0']);
  });
});

/** A store that runs `beforeCommit` (once armed) just before a commit, to slip a request in between a use case's reads and its commit. */
class InterposingStore extends DynamoDbStore {
  beforeCommit: ((writes: Write[]) => Promise<void>) | undefined;

  override async commit(writes: Write[]): Promise<void> {
    const before = this.beforeCommit;
    if (before) await before(writes);
    return super.commit(writes);
  }
}

async function interposingStore(): Promise<InterposingStore> {
  const { doc, tableName } = await createTestTable();
  return new InterposingStore(doc, tableName);
}

const marksIpamDeleting = (writes: Write[]) =>
  writes.some((write) => write.entity.type === 'ipam' && write.entity.value.State === 'delete-in-progress');

describe('delete-ipam workflow', () => {
  it('removes an empty IPAM with its default scopes: delete-in-progress, then gone, execution succeeded', async () => {
    const { harness, executionAbout } = await trackedHarness();
    const { Ipam } = await harness.call('CreateIpam', {});

    const { Ipam: deleting } = await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    expect(deleting).toMatchObject({ IpamId: Ipam.IpamId, State: 'delete-in-progress' });
    await expectRefusal(harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] }), 'InvalidIpamId.NotFound', Ipam.IpamId);
    expect((await harness.call('DescribeIpamScopes', {})).IpamScopes).toEqual([]);
    const { execution, tasks, open } = await executionAbout('delete-ipam', Ipam.IpamId);
    expect(execution).toMatchObject({ status: 'succeeded', args: { ipamId: Ipam.IpamId, cascade: false } });
    expect(tasks).toEqual(['deleteIpamPools', 'deleteIpamRecord', 'finishExecution']);
    expect(open).toBe(false);
    // Its Region slot is free again.
    expect((await harness.call('CreateIpam', {})).Ipam.IpamId).not.toBe(Ipam.IpamId);
  });

  it('sends a deleteIpamRecord that throws to the Catch branch: delete-failed with a StateMessage; a later delete works', async () => {
    const script: TaskScript = { deleteIpamRecord: () => new Error('throttled for good') };
    const { harness, executionAbout } = await trackedHarness(script);
    const { Ipam } = await harness.call('CreateIpam', {});

    expect((await harness.call('DeleteIpam', { IpamId: Ipam.IpamId })).Ipam.State).toBe('delete-in-progress');
    expect(await describeIpam(harness, Ipam.IpamId)).toMatchObject({
      State: 'delete-failed',
      StateMessage: expect.stringContaining('throttled for good'),
    });
    const { execution, tasks } = await executionAbout('delete-ipam', Ipam.IpamId);
    expect(tasks).toEqual(['deleteIpamPools', 'deleteIpamRecord', 'markDeleteFailed', 'finishExecution']);
    expect(execution).toMatchObject({ status: 'failed', error: expect.stringContaining('throttled for good') });

    delete script.deleteIpamRecord;
    expect((await harness.call('DeleteIpam', { IpamId: Ipam.IpamId })).Ipam.State).toBe('delete-in-progress');
    expect((await harness.call('DescribeIpams', {})).Ipams).toEqual([]);
  });

  it('without Cascade ends delete-failed, naming it, when a pool was created between the check and the acceptance', async () => {
    const store = await interposingStore();
    const { harness, executionAbout } = await trackedHarness({}, store);
    const { Ipam } = await harness.call('CreateIpam', {});
    let poolId = '';
    store.beforeCommit = async (writes) => {
      if (!marksIpamDeleting(writes)) return;
      store.beforeCommit = undefined;
      // A pool only checks the IPAM's version, so the delete is still accepted after it.
      const input = { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' };
      poolId = ((await dispatch(harness.deps, harness.context, 'CreateIpamPool', input)).IpamPool as { IpamPoolId: string }).IpamPoolId;
    };

    expect((await harness.call('DeleteIpam', { IpamId: Ipam.IpamId })).Ipam.State).toBe('delete-in-progress');
    expect(poolId).not.toBe('');
    expect(await describeIpam(harness, Ipam.IpamId)).toMatchObject({
      State: 'delete-failed',
      StateMessage: expect.stringContaining(poolId),
    });
    const { execution } = await executionAbout('delete-ipam', Ipam.IpamId);
    expect(execution).toMatchObject({ status: 'failed', error: expect.stringContaining(poolId) });
    // Nothing was taken from under the pool: it is complete, in its scope, which is still counted.
    expect(await describePool(harness, poolId)).toMatchObject({
      State: 'create-complete',
      IpamScopeArn: (await describeScope(harness, Ipam.PrivateDefaultScopeId)).IpamScopeArn,
    });
    expect((await describeScope(harness, Ipam.PrivateDefaultScopeId)).PoolCount).toBe(1);

    // The user can finish the job with Cascade.
    expect((await harness.call('DeleteIpam', { IpamId: Ipam.IpamId, Cascade: true })).Ipam.State).toBe('delete-in-progress');
    expect([
      (await harness.call('DescribeIpams', {})).Ipams,
      (await harness.call('DescribeIpamScopes', {})).IpamScopes,
      (await harness.call('DescribeIpamPools', {})).IpamPools,
    ]).toEqual([[], [], []]);
  });

  it('without Cascade is refused synchronously when a scope was created between the check and the commit', async () => {
    const store = await interposingStore();
    const { harness } = await trackedHarness({}, store);
    const { Ipam } = await harness.call('CreateIpam', {});
    let scopeId = '';
    store.beforeCommit = async (writes) => {
      if (!marksIpamDeleting(writes)) return;
      store.beforeCommit = undefined;
      // A scope changes the IPAM's ScopeCount, so the delete's commit conflicts and it decides again.
      scopeId = (
        (await dispatch(harness.deps, harness.context, 'CreateIpamScope', { IpamId: Ipam.IpamId })).IpamScope as { IpamScopeId: string }
      ).IpamScopeId;
    };

    const refused = await expectRefusal(harness.call('DeleteIpam', { IpamId: Ipam.IpamId }), 'DependencyViolation');
    expect(refused.message).toContain(scopeId);
    expect(await describeIpam(harness, Ipam.IpamId)).toMatchObject({ State: 'create-complete', ScopeCount: 3 });
  });
});

describe('settle-state workflow', () => {
  it('settles every transition it serves and leaves no execution open', async () => {
    const { harness, executionAbout } = await trackedHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    const rd = (await harness.call('CreateIpamResourceDiscovery', {})).IpamResourceDiscovery;
    expect((await executionAbout('resource-creation', rd.IpamResourceDiscoveryId)).tasks).toEqual(['completeCreation', 'finishExecution']);

    await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Description: 'x' });
    await harness.call('ModifyIpamScope', { IpamScopeId: IpamScope.IpamScopeId, Description: 'x' });
    await harness.call('ModifyIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId, Description: 'x' });
    const { IpamResourceDiscoveryAssociation: association } = await harness.call('AssociateIpamResourceDiscovery', {
      IpamId: Ipam.IpamId,
      IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId,
    });
    const associationId = association.IpamResourceDiscoveryAssociationId;
    expect((await describeIpam(harness, Ipam.IpamId)).State).toBe('modify-complete');
    expect((await describeScope(harness, IpamScope.IpamScopeId)).State).toBe('modify-complete');
    await harness.call('DisassociateIpamResourceDiscovery', { IpamResourceDiscoveryAssociationId: associationId });
    await harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId });
    await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });

    const { execution, tasks } = await executionAbout('settle-state', Ipam.IpamId);
    expect(execution).toMatchObject({ args: { resourceType: 'ipam', id: Ipam.IpamId, transition: 'modify' }, status: 'succeeded' });
    expect(tasks).toEqual(['settleState', 'finishExecution']);
    expect(await harness.store.listOpenExecutions()).toEqual([]);
    expect([
      (await harness.call('DescribeIpamScopes', {})).IpamScopes.length,
      (await harness.call('DescribeIpamResourceDiscoveries', {})).IpamResourceDiscoveries.length,
      (await harness.call('DescribeIpamResourceDiscoveryAssociations', {})).IpamResourceDiscoveryAssociations.length,
    ]).toEqual([2, 1, 1]);
  });

  it('sends a settleState that throws to the Catch branch: X-failed, execution failed; a delete-failed scope can be deleted again', async () => {
    const script: TaskScript = { settleState: () => new Error('throttled for good') };
    const { harness, executionAbout } = await trackedHarness(script);
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });

    expect((await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Description: 'x' })).Ipam.State).toBe('modify-in-progress');
    expect(await describeIpam(harness, Ipam.IpamId)).toMatchObject({
      State: 'modify-failed',
      StateMessage: expect.stringContaining('throttled for good'),
    });
    expect((await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId })).IpamScope.State).toBe('delete-in-progress');
    // Scopes have no StateMessage member (EC2 model).
    expect(await describeScope(harness, IpamScope.IpamScopeId)).toMatchObject({ State: 'delete-failed' });
    expect(await describeScope(harness, IpamScope.IpamScopeId)).not.toHaveProperty('StateMessage');
    const { execution, tasks } = await executionAbout('settle-state', IpamScope.IpamScopeId);
    expect(tasks).toEqual(['settleState', 'markSettleFailed', 'finishExecution']);
    expect(execution).toMatchObject({
      args: { resourceType: 'scope', id: IpamScope.IpamScopeId, transition: 'delete' },
      status: 'failed',
      error: expect.stringContaining('throttled for good'),
    });

    delete script.settleState;
    await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });
    await expectRefusal(harness.call('DescribeIpamScopes', { IpamScopeIds: [IpamScope.IpamScopeId] }), 'InvalidIpamScopeId.NotFound');
    expect((await describeIpam(harness, Ipam.IpamId)).ScopeCount).toBe(2);
  });
});
