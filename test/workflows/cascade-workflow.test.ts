// Cascade deletes as workflows, on the real ASL files, local engine and tasks with DynamoDB Local:
// DeleteIpamPool / DeleteIpam with Cascade answer delete-in-progress, and the workflow takes a
// pool tree bottom-up (allocations released, CIDRs deprovisioned back to the source, pools
// deleted) until the scope's space is whole again. A cascade run again after a crash, whether its
// task had finished or died part-way, finishes the job without errors.
import { describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import type { Write } from '../../lambdas/ports/store.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { createTestTable } from '../support/dynamodb.ts';
import { createUseCaseHarness, reconcile, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from '../integration/refusal.ts';

/** A store that can "die": once armed, it lets `commitsLeft` more commits through and fails every one after. */
class DyingStore extends DynamoDbStore {
  commitsLeft: number | undefined;

  override async commit(writes: Write[]): Promise<void> {
    if (this.commitsLeft !== undefined) {
      if (this.commitsLeft <= 0) throw new Error('the process died');
      this.commitsLeft--;
    }
    return super.commit(writes);
  }
}

async function dyingStore(): Promise<DyingStore> {
  const { doc, tableName } = await createTestTable();
  return new DyingStore(doc, tableName);
}

const send = (harness: UseCaseHarness, action: string, input: Record<string, unknown>) =>
  dispatch(harness.deps, harness.context, action, input) as Promise<any>;

interface Tree {
  ipamId: string;
  scopeId: string;
  /** Top, middle, bottom. */
  poolIds: [string, string, string];
}

/**
 * An IPAM with a 3-level pool tree in its private scope, each pool with a CIDR and a custom
 * allocation (one per pool, so that the cascade's sequence of commits is always the same).
 */
async function poolTree(harness: UseCaseHarness): Promise<Tree> {
  const { Ipam } = await harness.call('CreateIpam', {});
  const scopeId: string = Ipam.PrivateDefaultScopeId;
  const pool = async (source?: string) =>
    (await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', SourceIpamPoolId: source })).IpamPool
      .IpamPoolId as string;
  const top = await pool();
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: top, Cidr: '10.0.0.0/8' });
  const middle = await pool(top);
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: middle, NetmaskLength: 12 });
  const bottom = await pool(middle);
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: bottom, NetmaskLength: 16 });
  await harness.call('AllocateIpamPoolCidr', { IpamPoolId: top, Cidr: '10.128.0.0/16', Description: 'top' });
  await harness.call('AllocateIpamPoolCidr', { IpamPoolId: middle, NetmaskLength: 20, Description: 'middle' });
  await harness.call('AllocateIpamPoolCidr', { IpamPoolId: bottom, NetmaskLength: 24, Description: 'bottom' });

  const tree: Tree = { ipamId: Ipam.IpamId, scopeId, poolIds: [top, middle, bottom] };
  // What the cascade has to undo: every pool provisioned, with its custom allocations and its child's CIDR.
  const custom = async (poolId: string) =>
    (await harness.store.listAllocations(poolId, { limit: 100 })).items.filter((allocation) => allocation.ResourceType === 'custom').length;
  expect(await Promise.all(tree.poolIds.map(custom))).toEqual([1, 1, 1]);
  expect(await Promise.all(tree.poolIds.map(async (id) => (await harness.store.getPool(id))!.provisionedCidrCount))).toEqual([1, 1, 1]);
  return tree;
}

/** Nothing of the tree is left: no pool, no allocation, no free block, and the scope's space is whole. */
async function expectTreeGone(harness: UseCaseHarness, { scopeId, poolIds }: Tree) {
  for (const poolId of poolIds) {
    expect(await harness.store.getPool(poolId)).toBeUndefined();
    await expectRefusal(harness.call('DescribeIpamPools', { IpamPoolIds: [poolId] }), 'InvalidIpamPoolId.NotFound', poolId);
    expect((await harness.store.listAllocations(poolId, { limit: 100 })).items).toEqual([]);
    expect(await harness.store.listFreeBlocks(poolId, 'ipv4')).toEqual([]);
  }
  expect((await harness.store.listAllocations(scopeId, { limit: 100 })).items).toEqual([]);
  expect((await harness.store.listFreeBlocks(scopeId, 'ipv4')).map((block) => block.cidr)).toEqual(['0.0.0.0/0']);
  expect((await harness.store.getScope(scopeId))!.PoolCount).toBe(0);
}

describe('cascade deletes', () => {
  it('DeleteIpamPool with Cascade takes a 3-level tree with its allocations, and the scope is whole again', async () => {
    const tracker = taskTracker();
    const harness = await createUseCaseHarness({ wrapTask: tracker.wrapTask });
    const tree = await poolTree(harness);

    const { IpamPool } = await harness.call('DeleteIpamPool', { IpamPoolId: tree.poolIds[0], Cascade: true });
    expect(IpamPool).toMatchObject({ IpamPoolId: tree.poolIds[0], State: 'delete-in-progress' });
    await expectTreeGone(harness, tree);

    const [deletion] = tracker.executions((args) => args.poolId === tree.poolIds[0] && 'cascade' in args);
    expect(deletion!.tasks).toEqual(['deletePoolTree', 'finishExecution']);
    expect(await harness.store.getExecution(deletion!.executionId)).toMatchObject({
      workflow: 'delete-pool',
      status: 'succeeded',
      args: { cascade: true },
    });
    expect(await harness.store.listOpenExecutions()).toEqual([]);
    // The IPAM itself is untouched and takes new pools.
    expect((await harness.call('CreateIpamPool', { IpamScopeId: tree.scopeId, AddressFamily: 'ipv4' })).IpamPool.State).toBe(
      'create-in-progress',
    );
  });

  it('DeleteIpam with Cascade takes the IPAM with such a tree, its scopes and its Region slot', async () => {
    const tracker = taskTracker();
    const harness = await createUseCaseHarness({ wrapTask: tracker.wrapTask });
    const tree = await poolTree(harness);

    const { Ipam } = await harness.call('DeleteIpam', { IpamId: tree.ipamId, Cascade: true });
    expect(Ipam).toMatchObject({ IpamId: tree.ipamId, State: 'delete-in-progress' });
    expect(await harness.store.getIpam(tree.ipamId)).toBeUndefined();
    expect([
      (await harness.call('DescribeIpams', {})).Ipams,
      (await harness.call('DescribeIpamScopes', {})).IpamScopes,
      (await harness.call('DescribeIpamPools', {})).IpamPools,
    ]).toEqual([[], [], []]);
    for (const poolId of tree.poolIds) {
      expect((await harness.store.listAllocations(poolId, { limit: 100 })).items).toEqual([]);
      expect(await harness.store.listFreeBlocks(poolId, 'ipv4')).toEqual([]);
    }
    expect((await harness.store.listAllocations(tree.scopeId, { limit: 100 })).items).toEqual([]);
    expect(await harness.store.listFreeBlocks(tree.scopeId, 'ipv4')).toEqual([]);

    const [deletion] = tracker.executions((args) => args.ipamId === tree.ipamId);
    expect(deletion!.tasks).toEqual(['deleteIpamPools', 'deleteIpamRecord', 'finishExecution']);
    expect(await harness.store.getExecution(deletion!.executionId)).toMatchObject({ workflow: 'delete-ipam', status: 'succeeded' });
    expect(await harness.store.listOpenExecutions()).toEqual([]);
    expect((await harness.call('CreateIpam', {})).Ipam.State).toBe('create-in-progress');
  });

  it('a cascade whose task finished before the crash runs it again on resume, without errors', async () => {
    const setup = await createUseCaseHarness();
    const tree = await poolTree(setup);
    const crashed = await createUseCaseHarness({ store: setup.store, pauseBeforeTask: 'finishExecution' });
    expect((await send(crashed, 'DeleteIpamPool', { IpamPoolId: tree.poolIds[0], Cascade: true })).IpamPool.State).toBe(
      'delete-in-progress',
    );
    await crashed.engine.stop();
    const [open] = await setup.store.listOpenExecutions();
    expect(open).toMatchObject({ workflow: 'delete-pool', status: 'open' });
    await expectTreeGone(setup, tree);

    const tracker = taskTracker();
    const resumed = await createUseCaseHarness({ store: setup.store, wrapTask: tracker.wrapTask });
    expect(await reconcile(resumed)).toBe(1);
    await resumed.engine.drain();
    // Succeeded: the second deletePoolTree found the work done and did not fail.
    expect(tracker.events.map((event) => event.task)).toEqual(['deletePoolTree', 'finishExecution']);
    expect(await resumed.store.getExecution(open!.executionId)).toMatchObject({ status: 'succeeded' });
    expect((await resumed.store.getExecution(open!.executionId))!.error).toBeUndefined();
    await expectTreeGone(resumed, tree);
  });

  // Each commit is atomic, so a crash lands between two of them. The cascade of poolTree() commits
  // in this order (a merge takes up to four levels of buddies per commit): 1-2 mark the middle and
  // bottom pools deleting; 3 releases the bottom pool's allocation and 4 merges its space back into
  // one block; 5-6 deprovision the bottom CIDR (giving it back to the middle pool) and 7 deletes the
  // bottom pool; 8-9 the same release and merge in the middle pool; 10-11 deprovision the middle
  // CIDR (giving it back to the top pool) and 12 merges it there; 13 deletes the middle pool; 14-20
  // do the same for the top pool, and 21 finishes the execution.
  it.each([
    [2, 'after marking the children deleting'],
    [3, "while merging the bottom pool's released allocation"],
    [7, 'after the bottom pool is gone'],
    [11, "while merging the middle pool's CIDR back into the top pool"],
  ])('a cascade that died after %i commits of deletePoolTree (%s) is finished by the resumed execution', async (commits) => {
    const store = await dyingStore();
    const crashed = await createUseCaseHarness({
      store,
      // The failure branch is where the process is found dead: the failure task never runs.
      pauseBeforeTask: 'markDeleteFailed',
      wrapTask: async (event, run) => {
        if (event.task === 'deletePoolTree') store.commitsLeft = commits;
        return run(event);
      },
    });
    const tree = await poolTree(crashed);

    expect((await send(crashed, 'DeleteIpamPool', { IpamPoolId: tree.poolIds[0], Cascade: true })).IpamPool.State).toBe(
      'delete-in-progress',
    );
    await crashed.engine.stop();
    store.commitsLeft = undefined;
    // It died part-way: the execution is open, the top pool still delete-in-progress (not delete-failed).
    expect(await store.listOpenExecutions()).toHaveLength(1);
    expect(await store.getPool(tree.poolIds[0])).toMatchObject({ State: 'delete-in-progress' });

    const tracker = taskTracker();
    const resumed = await createUseCaseHarness({ store, wrapTask: tracker.wrapTask });
    expect(await reconcile(resumed)).toBe(1);
    await resumed.engine.drain();
    const [execution] = tracker.executions(() => true);
    expect(await store.getExecution(execution!.executionId), 'the resumed execution').toMatchObject({ status: 'succeeded' });
    expect(execution!.tasks).toEqual(['deletePoolTree', 'finishExecution']);
    expect(await store.listOpenExecutions()).toEqual([]);
    await expectTreeGone(resumed, tree);
  });
});
