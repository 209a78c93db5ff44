// The local engine runs the real statemachines/*.asl.json with scripted task runners on DynamoDB
// Local: tasks in order, lost races retried, failures routed to the failure task, every execution
// closed by finishExecution, and open executions resumed after a crash by the reconciler.
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { LocalWorkflowEngine, type LocalWorkflowEngineOptions, type WorkflowLog } from '../../lambdas/adapters/local/workflow-engine.ts';
import type { WorkflowName } from '../../lambdas/domain/model/execution.ts';
import { reconcileWorkflows } from '../../lambdas/use-cases/kernel/reconcile.ts';
import { RecordingLog } from '../support/recording-log.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { createTestTable } from '../support/dynamodb.ts';
import { gate, named, scriptedRunner, seedExecution, settlesWithin } from './support.ts';

let store: DynamoDbStore;

beforeEach(async () => {
  // A table per test: the reconciler sees every open execution in it.
  const { doc, tableName } = await createTestTable();
  store = new DynamoDbStore(doc, tableName);
});

function recordingLog() {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown>) => entries.push({ level, message, fields });
  const log: WorkflowLog = { info: at('info'), warn: at('warn'), error: at('error') };
  return { log, entries };
}

function engineWith(runTask: LocalWorkflowEngineOptions['runTask'], options: Partial<LocalWorkflowEngineOptions> = {}) {
  return new LocalWorkflowEngine({ runTask, retryIntervalMs: 5, log: recordingLog().log, ...options });
}

/** One reconciler run on this table with no grace period (as at start-up): how many executions the engine started again. */
async function reconcile(engine: LocalWorkflowEngine): Promise<number> {
  const deps = { store, workflows: engine, log: new RecordingLog(), metrics: new RecordingMetrics(), now: () => new Date() };
  return (await reconcileWorkflows(deps, { graceSeconds: 0 })).restarted.length;
}

/** Records the open execution, then starts it — what a use case does. */
async function startWorkflow(
  engine: LocalWorkflowEngine,
  workflow: WorkflowName,
  args: Record<string, unknown> = { poolId: 'ipam-pool-1' },
) {
  const execution = await seedExecution(store, workflow, { args });
  await engine.start({ workflow, executionId: execution.executionId, args });
  return execution;
}

const PATHS: Record<WorkflowName, { success: string[]; failing: string; failure: string[] }> = {
  'resource-creation': {
    success: ['completeCreation', 'finishExecution'],
    failing: 'completeCreation',
    failure: ['completeCreation', 'markCreateFailed', 'finishExecution'],
  },
  'provision-pool-cidr': {
    success: ['provisionPoolCidr', 'finishExecution'],
    failing: 'provisionPoolCidr',
    failure: ['provisionPoolCidr', 'failPoolCidr', 'finishExecution'],
  },
  'provision-byoip-cidr': {
    success: ['verifyByoipCidr', 'provisionPoolCidr', 'finishExecution'],
    failing: 'verifyByoipCidr',
    failure: ['verifyByoipCidr', 'failPoolCidr', 'finishExecution'],
  },
  'provision-byoasn': {
    success: ['verifyByoasn', 'finishExecution'],
    failing: 'verifyByoasn',
    failure: ['verifyByoasn', 'failByoasn', 'finishExecution'],
  },
  'provision-byoip-range': {
    success: ['verifyByoipRange', 'finishExecution'],
    failing: 'verifyByoipRange',
    failure: ['verifyByoipRange', 'failByoipRange', 'finishExecution'],
  },
  'import-byoip-cidr': {
    success: ['importByoipCidr', 'finishExecution'],
    failing: 'importByoipCidr',
    failure: ['importByoipCidr', 'failByoipImport', 'finishExecution'],
  },
  'deprovision-pool-cidr': {
    success: ['deprovisionPoolCidr', 'finishExecution'],
    failing: 'deprovisionPoolCidr',
    failure: ['deprovisionPoolCidr', 'failPoolCidr', 'finishExecution'],
  },
  'delete-pool': {
    success: ['deletePoolTree', 'finishExecution'],
    failing: 'deletePoolTree',
    failure: ['deletePoolTree', 'markDeleteFailed', 'finishExecution'],
  },
  'delete-ipam': {
    success: ['deleteIpamPools', 'deleteIpamRecord', 'finishExecution'],
    failing: 'deleteIpamRecord',
    failure: ['deleteIpamPools', 'deleteIpamRecord', 'markDeleteFailed', 'finishExecution'],
  },
  'settle-state': {
    success: ['settleState', 'finishExecution'],
    failing: 'settleState',
    failure: ['settleState', 'markSettleFailed', 'finishExecution'],
  },
};

describe('LocalWorkflowEngine', () => {
  describe.each(Object.entries(PATHS) as [WorkflowName, (typeof PATHS)[WorkflowName]][])('%s', (workflow, paths) => {
    it('runs the tasks in order with the execution id and args, then closes the record as succeeded', async () => {
      const runner = scriptedRunner(store);
      const engine = engineWith(runner.runTask);
      const args = { resourceId: 'ipam-0123', cascade: true };
      const execution = await startWorkflow(engine, workflow, args);
      await engine.drain();

      expect(runner.tasks()).toEqual(paths.success);
      for (const event of runner.calls) expect(event).toEqual({ task: event.task, executionId: execution.executionId, args });
      expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'succeeded', version: 2 });
      expect(await store.listOpenExecutions()).toEqual([]);
    });

    it('sends a real failure to the failure task, then closes the record as failed with the error', async () => {
      const runner = scriptedRunner(store, {
        [paths.failing]: () => {
          throw named('IpamError', 'The CIDR 10.0.0.0/8 is not available');
        },
      });
      const engine = engineWith(runner.runTask);
      const execution = await startWorkflow(engine, workflow);
      await engine.drain();

      expect(runner.tasks()).toEqual(paths.failure);
      // The same $.error Step Functions gives a Catch after a Lambda task failed.
      const error = {
        Error: 'IpamError',
        Cause: JSON.stringify({ errorType: 'IpamError', errorMessage: 'The CIDR 10.0.0.0/8 is not available' }),
      };
      expect(runner.calls.slice(-2)).toEqual([
        { task: paths.failure.at(-2), executionId: execution.executionId, args: execution.args, error },
        { task: 'finishExecution', executionId: execution.executionId, args: execution.args, error },
      ]);
      expect(await store.getExecution(execution.executionId)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('not available'),
      });
    });
  });

  it('retries a task that lost a race (StoreConflict) and succeeds', async () => {
    const runner = scriptedRunner(store, {
      provisionPoolCidr: (_, call) => {
        if (call <= 2) throw named('StoreConflict', 'Transaction cancelled: ConditionalCheckFailed');
      },
    });
    const engine = engineWith(runner.runTask, { retryIntervalMs: 20 });
    const started = Date.now();
    const execution = await startWorkflow(engine, 'provision-pool-cidr');
    await engine.drain();

    expect(runner.tasks()).toEqual(['provisionPoolCidr', 'provisionPoolCidr', 'provisionPoolCidr', 'finishExecution']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'succeeded' });
  });

  it('gives up on a race lost seven times (six retries) and fails through the failure task', async () => {
    const runner = scriptedRunner(store, {
      deletePoolTree: () => {
        throw named('StoreConflict');
      },
    });
    const engine = engineWith(runner.runTask);
    const execution = await startWorkflow(engine, 'delete-pool');
    await engine.drain();

    expect(runner.tasks()).toEqual([...Array(7).fill('deletePoolTree'), 'markDeleteFailed', 'finishExecution']);
    expect(runner.calls.at(-1)!.error!.Error).toBe('StoreConflict');
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'failed' });
  });

  it('when finishExecution fails for real, the execution fails out and its record stays open (logged) for the next start', async () => {
    const runner = scriptedRunner(store, {
      finishExecution: () => {
        throw named('Error', 'the store is down');
      },
    });
    const { log, entries } = recordingLog();
    const engine = engineWith(runner.runTask, { log });
    const execution = await startWorkflow(engine, 'resource-creation');
    await engine.drain();

    expect(runner.tasks()).toEqual(['completeCreation', 'finishExecution']);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'open' });
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ executionId: execution.executionId }) }),
    );
  });

  it('starts an execution once, however often it is started while it runs', async () => {
    const release = gate();
    const runner = scriptedRunner(store, { completeCreation: () => release.opened });
    const engine = engineWith(runner.runTask);
    const execution = await startWorkflow(engine, 'resource-creation');
    await engine.start({ workflow: 'resource-creation', executionId: execution.executionId, args: execution.args });
    release.open();
    await engine.drain();

    expect(runner.tasks()).toEqual(['completeCreation', 'finishExecution']);
  });

  it('drain waits for every running execution, including those started while it waits', async () => {
    const first = gate();
    const second = gate();
    const runner = scriptedRunner(store, {
      completeCreation: (event) => (event.args.n === 1 ? first.opened : second.opened),
    });
    const engine = engineWith(runner.runTask);
    await startWorkflow(engine, 'resource-creation', { n: 1 });
    const drained = engine.drain();
    expect(await settlesWithin(drained, 100)).toBe('pending');

    await startWorkflow(engine, 'resource-creation', { n: 2 });
    first.open();
    expect(await settlesWithin(drained, 100)).toBe('pending');
    second.open();
    await drained;
    expect(runner.tasks().filter((task) => task === 'finishExecution')).toHaveLength(2);
  });

  it('the reconciler re-runs every open execution from the start and leaves closed ones alone', async () => {
    const open1 = await seedExecution(store, 'provision-pool-cidr');
    const open2 = await seedExecution(store, 'delete-ipam', { args: { ipamId: 'ipam-1', cascade: true } });
    await seedExecution(store, 'deprovision-pool-cidr', { status: 'succeeded', finishedAt: new Date().toISOString() });
    await seedExecution(store, 'delete-pool', { status: 'failed', finishedAt: new Date().toISOString(), error: 'IpamError: no' });
    expect((await store.listOpenExecutions()).map((execution) => execution.executionId)).toEqual([open1.executionId, open2.executionId]);

    const runner = scriptedRunner(store);
    const engine = engineWith(runner.runTask);
    expect(await reconcile(engine)).toBe(2);
    await engine.drain();

    const byExecution = (id: string) => runner.calls.filter((event) => event.executionId === id).map((event) => event.task);
    expect(byExecution(open1.executionId)).toEqual(['provisionPoolCidr', 'finishExecution']);
    expect(byExecution(open2.executionId)).toEqual(['deleteIpamPools', 'deleteIpamRecord', 'finishExecution']);
    expect(runner.calls.find((event) => event.task === 'deleteIpamPools')!.args).toEqual({ ipamId: 'ipam-1', cascade: true });
    expect(runner.calls).toHaveLength(5);
    expect(await store.listOpenExecutions()).toEqual([]);
    expect(await reconcile(engine)).toBe(0);
  });

  it('pauseBeforeTask holds an execution as if the process died there; another engine resumes and finishes it', async () => {
    // First life: the business task runs, then the engine "dies" just before the record is closed.
    const first = scriptedRunner(store);
    const { log, entries } = recordingLog();
    const crashed = engineWith(first.runTask, { pauseBeforeTask: 'finishExecution', log });
    const execution = await startWorkflow(crashed, 'delete-ipam');
    await expect.poll(() => entries.some((entry) => entry.message.includes('paused'))).toBe(true);
    expect(await settlesWithin(crashed.drain(), 200)).toBe('pending');
    expect(first.tasks()).toEqual(['deleteIpamPools', 'deleteIpamRecord']);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'open' });

    // Second life: the next start finds the open record and runs it again from the top.
    const second = scriptedRunner(store);
    const restarted = engineWith(second.runTask);
    expect(await reconcile(restarted)).toBe(1);
    await restarted.drain();
    expect(second.tasks()).toEqual(['deleteIpamPools', 'deleteIpamRecord', 'finishExecution']);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'succeeded' });

    // Stopping the paused engine lets it go without running anything more (no failure branch).
    await crashed.stop();
    expect(first.tasks()).toEqual(['deleteIpamPools', 'deleteIpamRecord']);
  });

  it('pauses before a first task too, without running it', async () => {
    const runner = scriptedRunner(store);
    const engine = engineWith(runner.runTask, { pauseBeforeTask: 'provisionPoolCidr' });
    const execution = await startWorkflow(engine, 'provision-pool-cidr');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await engine.stop();
    expect(runner.tasks()).toEqual([]);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'open' });
  });

  it('stop lets a running execution finish', async () => {
    const release = gate();
    const runner = scriptedRunner(store, { deprovisionPoolCidr: () => release.opened });
    const engine = engineWith(runner.runTask);
    const execution = await startWorkflow(engine, 'deprovision-pool-cidr');
    const stopped = engine.stop();
    expect(await settlesWithin(stopped, 100)).toBe('pending');
    release.open();
    await stopped;
    expect(runner.tasks()).toEqual(['deprovisionPoolCidr', 'finishExecution']);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'succeeded' });
  });

  it('after stop, starts nothing new; the open record waits for the next start', async () => {
    const runner = scriptedRunner(store);
    const engine = engineWith(runner.runTask);
    await engine.stop();
    const execution = await startWorkflow(engine, 'resource-creation');
    await reconcile(engine);
    await engine.drain();
    expect(runner.tasks()).toEqual([]);
    expect(await store.getExecution(execution.executionId)).toMatchObject({ status: 'open' });
  });

  it('refuses to start a workflow whose file is missing', async () => {
    const runner = scriptedRunner(store);
    const engine = engineWith(runner.runTask, { statemachinesDir: import.meta.dirname });
    await expect(engine.start({ workflow: 'delete-pool', executionId: 'x', args: {} })).rejects.toThrow(/delete-pool\.asl\.json/);
    await engine.drain();
  });
});
