// The workflow-task Lambda hands the event to the task runner and returns its result; a failure
// leaves with its name intact, since Lambda reports error.name as the errorType that the state
// machines' Retry and Catch match.
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createWorkflowTaskHandler, logger } from '../../lambdas/handlers/workflow-task.ts';
import { StoreConflict } from '../../lambdas/ports/store.ts';
import type { TaskEvent } from '../../lambdas/ports/workflows.ts';

const context = {
  functionName: 'ipam-workflow-task',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ipam-workflow-task',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const event: TaskEvent = { task: 'provisionPoolCidr', executionId: 'e-1', args: { poolId: 'ipam-pool-1', poolCidrId: 'ipam-pool-cidr-1' } };

describe('workflow-task handler', () => {
  it('runs the task with the event as the state machine sent it and returns the result', async () => {
    const received: TaskEvent[] = [];
    const handler = createWorkflowTaskHandler(async (taskEvent) => {
      received.push(taskEvent);
      return { state: 'provisioned' };
    });
    const failed = {
      ...event,
      task: 'failPoolCidr',
      error: { Error: 'IpamError', Cause: '{"errorType":"IpamError","errorMessage":"no"}' },
    };
    expect(await handler(event, context)).toEqual({ state: 'provisioned' });
    expect(await handler(failed, context)).toEqual({ state: 'provisioned' });
    expect(received).toEqual([event, failed]);
  });

  it('lets errors out with their name: StoreConflict stays StoreConflict', async () => {
    const handler = createWorkflowTaskHandler(async () => {
      throw new StoreConflict();
    });
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'StoreConflict' });

    // A real failure is logged as an error; a lost race is routine and is not.
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const failing = createWorkflowTaskHandler(async () => {
      throw new TypeError('bad args');
    });
    await expect(failing(event, context)).rejects.toMatchObject({ name: 'TypeError', message: 'bad args' });
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });
});
