// The scheduled workflow reconciler (EventBridge schedule, lib/stateless-stack.ts). Thin: the
// dependencies are wired once per cold start (lambdas/hosts/lambda/), and each invocation starts
// again the open executions nothing runs and offers again the events not yet delivered
// (use-cases/kernel/reconcile.ts), and logs its report.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { workflowReconcilerFunction } from '../hosts/lambda/functions.ts';
import { reconcile } from '../use-cases/kernel/reconcile.ts';

const logger = new Logger({ serviceName: 'ipam-workflow-reconciler' });
const { deps, graceSeconds } = workflowReconcilerFunction(logger);

export const handler = middy(async (event: ScheduledEvent): Promise<Awaited<ReturnType<typeof reconcile>>> => {
  const report = await reconcile(deps, { graceSeconds });
  logger.info('workflows reconciled', { scheduledAt: event.time, report });
  return report;
}).use(injectLambdaContext(logger));
