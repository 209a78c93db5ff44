// The `workflow-task` Lambda: every Task state of statemachines/*.asl.json invokes it with
// { task, executionId, args, error? }. Thin by design: logging context, then one call into the
// task runner. A thrown error leaves with its `name` as the Lambda errorType, which is what the
// state machines' Retry (StoreConflict) and Catch match on.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { PowertoolsLog } from '../adapters/log/powertools-log.ts';
import { loadConfig } from '../config.ts';
import type { TaskEvent } from '../ports/workflows.ts';
import { cloudDependencies } from './cloud-wiring.ts';

export type TaskRunner = (event: TaskEvent) => Promise<Record<string, unknown>>;

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

/** Wired once per cold start, as the api Lambda wires its dependencies. */
async function cloudTaskRunner(): Promise<TaskRunner> {
  const config = loadConfig();
  const { runWorkflowTask } = await import('../use-cases/workflow-tasks.ts');
  // Tasks start no workflows (the state machines invoke this function, so it is not given their
  // ARNs) and build no pagination tokens (the configured default secret satisfies the type).
  const deps = cloudDependencies(config, { paginationSecret: config.paginationSecret, log: new PowertoolsLog(logger) });
  return (event) => runWorkflowTask(deps, event);
}

let runner: Promise<TaskRunner> | undefined;

export const handler = createWorkflowTaskHandler(async (event) => {
  runner ??= cloudTaskRunner();
  return (await runner)(event);
});
