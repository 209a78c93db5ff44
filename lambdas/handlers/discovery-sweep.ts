// The scheduled discovery sweep (EventBridge schedule, lib/stateless-stack.ts). Thin: the
// dependencies are wired once per cold start (lambdas/hosts/lambda/), and each invocation runs
// one sweep and logs its report.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { discoverySweepDependencies } from '../hosts/lambda/functions.ts';
import { runDiscoverySweep, type SweepReport } from '../use-cases/sweep/discovery-sweep.ts';

const logger = new Logger({ serviceName: 'ipam-discovery' });
const deps = discoverySweepDependencies(logger);

export const handler = middy(async (event: ScheduledEvent): Promise<SweepReport> => {
  const report = await runDiscoverySweep(deps);
  const fields = { scheduledAt: event.time, report };
  if (report.stopped) logger.warn('sweep stopped', fields);
  else logger.info(report.skipped ? 'sweep skipped' : 'sweep done', fields);
  return report;
}).use(injectLambdaContext(logger));
