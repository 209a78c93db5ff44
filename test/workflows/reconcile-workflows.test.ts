// The workflow reconciler (issue 18 item 1: "finds open executions with no running workflow and
// starts or resumes them … Alarm when an execution stays open longer than a threshold") through the
// use cases, on the real ASL files and local engine, with the memory store or DynamoDB Local. The
// only stand-in is a Workflows port that loses starts, as an unreachable Step Functions would:
// nothing else can make a start fail after its commit. Last, `npm start` running it on its timer.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetIpamPoolCidrsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { documentClient } from '../../lambdas/hosts/dependencies.ts';
import type { LocalWorkflowEngine } from '../../lambdas/adapters/local/workflow-engine.ts';
import type { WorkflowStart, Workflows } from '../../lambdas/ports/workflows.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { RECONCILER_METRICS } from '../../lambdas/domain/monitoring.ts';
import { reconcileWorkflows } from '../../lambdas/use-cases/kernel/reconcile.ts';
import type { RecordingLog } from '../support/recording-log.ts';
import type { RecordingMetrics } from '../support/recording-metrics.ts';
import { testDynamoDbClient } from '../support/dynamodb.ts';
import { startTestService } from '../support/service.ts';
import { createUseCaseHarness, poolCidrState, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';
import { gate, named } from './support.ts';

/** The engine behind a port that loses every start (the use case commits, then the start throws); resume() reaches the engine. */
function losingStarts(engine: LocalWorkflowEngine, refuseResume: (start: WorkflowStart) => boolean = () => false): Workflows {
  return {
    start: async () => {
      throw named('ServiceUnavailable', 'Step Functions did not answer');
    },
    resume: async (start) => {
      if (refuseResume(start)) throw named('ServiceUnavailable', 'Step Functions did not answer');
      return engine.resume(start);
    },
  };
}

/** The harness's dependencies with starts lost, and a clock `seconds` after `since`. */
const lossy = (harness: UseCaseHarness, refuseResume?: (start: WorkflowStart) => boolean) => {
  const workflows = losingStarts(harness.engine, refuseResume);
  return (since?: string, seconds = 0): SweepDependencies => ({
    ...harness.deps,
    workflows,
    now: since ? () => new Date(Date.parse(since) + seconds * 1000) : harness.deps.now,
  });
};

/** A request with these dependencies, as the harness's account. */
const request = (deps: SweepDependencies, harness: UseCaseHarness, action: string, input: Record<string, unknown>) =>
  dispatch(deps, harness.context, action, input) as Promise<any>;

async function ipamWithPool(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
  return IpamPool.IpamPoolId as string;
}

const published = (harness: UseCaseHarness) =>
  (harness.deps.metrics as RecordingMetrics).all().filter((datum) => datum.dimensions.Service === RECONCILER_METRICS.dimensions.Service);

describe('workflow reconciler', () => {
  it('a provision whose workflow start failed stays pending-provision until the reconciler starts it, then is provisioned', async () => {
    const harness = await createUseCaseHarness();
    const poolId = await ipamWithPool(harness);
    const at = lossy(harness);

    // The guide: ProvisionIpamPoolCidr answers pending-provision, and the CIDR becomes provisioned.
    const { IpamPoolCidr } = await request(at(), harness, 'ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
    expect(IpamPoolCidr.State).toBe('pending-provision');
    expect((harness.deps.log as RecordingLog).entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'workflow did not start; it stays open to be resumed' }),
    );
    await harness.engine.drain();
    expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('pending-provision');
    const [open] = await harness.store.listOpenExecutions();
    expect(open).toMatchObject({ workflow: 'provision-pool-cidr', args: { poolId } });

    // Within the grace period its start may still be in flight: left alone, but counted.
    expect(await reconcileWorkflows(at(open!.startedAt, 30), { graceSeconds: 60 })).toEqual({
      open: 1,
      oldestAgeSeconds: 30,
      running: 0,
      restarted: [],
      failed: [],
    });
    await harness.engine.drain();
    expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('pending-provision');

    // Past it, nothing runs the execution: the reconciler starts it, and the CIDR settles.
    expect(await reconcileWorkflows(at(open!.startedAt, 61), { graceSeconds: 60 })).toEqual({
      open: 1,
      oldestAgeSeconds: 61,
      running: 0,
      restarted: [open!.executionId],
      failed: [],
    });
    await harness.engine.drain();
    expect(await poolCidrState(harness, poolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
    expect(await harness.store.getExecution(open!.executionId)).toMatchObject({ status: 'succeeded' });
    expect(await harness.store.listOpenExecutions()).toEqual([]);
    expect((harness.deps.log as RecordingLog).entries).toContainEqual({
      level: 'warn',
      message: 'open workflow execution restarted',
      fields: { executionId: open!.executionId, workflow: 'provision-pool-cidr', startedAt: open!.startedAt },
    });

    // Every run publishes the count and the oldest age; with nothing open, 0 (the alarm clears).
    expect(await reconcileWorkflows(at(open!.startedAt, 120), { graceSeconds: 60 })).toMatchObject({ open: 0, oldestAgeSeconds: 0 });
    const values = published(harness).map((datum) => `${datum.name}=${datum.value} ${datum.unit}`);
    expect(values).toEqual([
      'OpenWorkflowExecutions=1 Count',
      'OldestOpenWorkflowExecutionAge=30 Seconds',
      'OpenWorkflowExecutions=1 Count',
      'OldestOpenWorkflowExecutionAge=61 Seconds',
      'OpenWorkflowExecutions=0 Count',
      'OldestOpenWorkflowExecutionAge=0 Seconds',
    ]);
  });

  it('an execution that is running is not started a second time', async () => {
    const hold = gate();
    const tracker = taskTracker();
    const harness = await createUseCaseHarness({
      wrapTask: async (event, run) => {
        if (event.task === 'completeCreation') await hold.opened;
        return tracker.wrapTask(event, run);
      },
    });
    const { Ipam } = await request(harness.deps, harness, 'CreateIpam', {});
    expect(Ipam.State).toBe('create-in-progress');
    const open = await harness.store.listOpenExecutions();
    expect(open.length).toBeGreaterThan(0);

    const report = await reconcileWorkflows(harness.deps, { graceSeconds: 0 });
    expect(report).toMatchObject({ open: open.length, running: open.length, restarted: [], failed: [] });
    hold.open();
    await harness.engine.drain();

    // Each execution ran its tasks once: no second run joined it.
    const runs = tracker.executions(() => true);
    expect(runs.map((run) => run.executionId).sort()).toEqual(open.map((execution) => execution.executionId).sort());
    for (const run of runs) expect(run.tasks).toEqual(['completeCreation', 'finishExecution']);
    expect((await harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0].State).toBe('create-complete');
  });

  it('an execution that cannot be started is logged and stays open; the others are started', async () => {
    const harness = await createUseCaseHarness();
    const poolId = await ipamWithPool(harness);
    let refused: string | undefined;
    const at = lossy(harness, (start) => start.args.poolCidrId === refused);
    const provision = async (Cidr: string) =>
      (await request(at(), harness, 'ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr })).IpamPoolCidr;
    const first = await provision('10.0.0.0/16');
    const second = await provision('10.1.0.0/16');
    refused = first.IpamPoolCidrId;
    const open = await harness.store.listOpenExecutions();
    const executionOf = (poolCidrId: string) => open.find((execution) => execution.args.poolCidrId === poolCidrId)!.executionId;

    const report = await reconcileWorkflows(at(), { graceSeconds: 0 });
    expect(report).toMatchObject({ open: 2, restarted: [executionOf(second.IpamPoolCidrId)], failed: [executionOf(first.IpamPoolCidrId)] });
    await harness.engine.drain();
    expect((harness.deps.log as RecordingLog).entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'open workflow execution could not be restarted' }),
    );
    expect(await poolCidrState(harness, poolId, first.IpamPoolCidrId)).toBe('pending-provision');
    expect(await poolCidrState(harness, poolId, second.IpamPoolCidrId)).toBe('provisioned');

    // The next run starts it once the start works again.
    refused = undefined;
    expect((await reconcileWorkflows(at(), { graceSeconds: 0 })).restarted).toEqual([executionOf(first.IpamPoolCidrId)]);
    await harness.engine.drain();
    expect(await poolCidrState(harness, poolId, first.IpamPoolCidrId)).toBe('provisioned');
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });
});

describe('npm start', () => {
  it('runs the reconciler on a timer: a provision whose start was lost after the service started is provisioned', async () => {
    const service = await startTestService({ env: { IPAM_RECONCILE_INTERVAL_S: '1', IPAM_RECONCILE_GRACE_S: '0' } });
    const client = testDynamoDbClient();
    const ec2 = service.ec2();
    try {
      // Another process on the service's table whose start is lost: only the service's timer can find it.
      const harness = await createUseCaseHarness({ store: new DynamoDbStore(documentClient(client), service.tableName) });
      const poolId = await ipamWithPool(harness);
      const at = lossy(harness);
      const { IpamPoolCidr } = await request(at(), harness, 'ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' });
      expect(IpamPoolCidr.State).toBe('pending-provision');

      const state = async () =>
        (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs?.find(
          (cidr) => cidr.IpamPoolCidrId === IpamPoolCidr.IpamPoolCidrId,
        )?.State;
      await expect.poll(state, { timeout: 10_000, interval: 200 }).toBe('provisioned');
      // The workflow's last task closes the execution in a commit of its own, after the state's.
      await expect.poll(() => harness.store.listOpenExecutions(), { timeout: 10_000, interval: 200 }).toEqual([]);
      const metrics = (await readFile(path.join(service.dataDir, 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean);
      expect(metrics.map((line) => JSON.parse(line)).filter((line) => line.OpenWorkflowExecutions === 1)).not.toEqual([]);
    } finally {
      ec2.destroy();
      await service.stop();
      client.destroy();
    }
  });
});
