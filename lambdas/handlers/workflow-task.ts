// The `workflow-task` Lambda: every Task state of statemachines/*.asl.json invokes it with
// { task, executionId, args, error? }. Thin by design: logging context, then one call into the
// task runner. A thrown error leaves with its `name` as the Lambda errorType, which is what the
// state machines' Retry (StoreConflict) and Catch match on.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { workflowTaskRunner } from '../hosts/lambda/functions.ts';
import type { TaskEvent, TaskRunner } from '../ports/workflows.ts';

export const logger = new Logger({ serviceName: 'ipam-workflow-task' });

export function createWorkflowTaskHandler(runTask: TaskRunner) {
  return middy(async (event: TaskEvent): Promise<Record<string, unknown>> => {
    logger.appendKeys({ task: event.task, executionId: event.executionId });
    try {
      const result = await runTask(event);
      logger.info('task done');
      return result;
    } catch (error) {
      // A lost race is routine (the state machine retries it); anything else is worth a look.
      if (error instanceof Error && error.name === 'StoreConflict') logger.info('task lost a race; the state machine retries it');
      else logger.error('task failed', error as Error);
      throw error;
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

let runner: TaskRunner | undefined;

// Wired on the first task rather than on import: the handler above is tested without any configuration.
export const handler = createWorkflowTaskHandler(async (event) => {
  runner ??= workflowTaskRunner(logger);
  return runner(event);
});
