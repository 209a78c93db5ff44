// The `workflow-task` Lambda: every Task state of statemachines/*.asl.json invokes it with
// { task, executionId, args, error? }. Thin by design: logging context, then one call into the
// task runner. A thrown error leaves with its `name` as the Lambda errorType, which is what the
// state machines' Retry (StoreConflict) and Catch match on.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoDbStore } from '../adapters/dynamodb/store.ts';
import { StepFunctionsWorkflows } from '../adapters/step-functions/workflows.ts';
import { loadConfig } from '../config.ts';
import type { TaskEvent } from '../ports/workflows.ts';
import type { Dependencies } from '../use-cases/context.ts';

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
  const dynamoDb = new DynamoDBClient(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {});
  // Same marshalling as the api Lambda and the local service.
  const doc = DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } });
  const deps: Dependencies = {
    store: new DynamoDbStore(doc, config.tableName),
    // Tasks do not start workflows: the state machines invoke this function, so it is not given their ARNs.
    workflows: new StepFunctionsWorkflows({ client: new SFNClient({}), stateMachineArns: config.stateMachineArns }),
    // Tasks build no pagination tokens; the configured (default) secret satisfies the type.
    paginationSecret: config.paginationSecret,
    now: () => new Date(),
  };
  return (event) => runWorkflowTask(deps, event);
}

let runner: Promise<TaskRunner> | undefined;

export const handler = createWorkflowTaskHandler(async (event) => {
  runner ??= cloudTaskRunner();
  return (await runner)(event);
});
