// The scheduled discovery sweep (EventBridge schedule, lib/stateless-stack.ts). Thin: the
// dependencies are wired once per cold start — the shared cloud adapters plus the sweep's own
// (inventory as configured, EMF metrics on stdout) — and each invocation runs one sweep and logs
// its report.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { sweepPorts } from '../adapters/sweep-ports.ts';
import { loadConfig } from '../config.ts';
import type { SweepDependencies } from '../use-cases/context.ts';
import { runDiscoverySweep, type SweepReport } from '../use-cases/discovery-sweep.ts';
import { cloudDependencies } from './cloud-wiring.ts';

const logger = new Logger({ serviceName: 'ipam-discovery' });

const config = loadConfig();
const deps: SweepDependencies = {
  // A sweep builds no pagination tokens; the configured (default) secret satisfies the type.
  ...cloudDependencies(config, { paginationSecret: config.paginationSecret }),
  ...sweepPorts(config),
};

export const handler = middy(async (event: ScheduledEvent): Promise<SweepReport> => {
  const report = await runDiscoverySweep(deps);
  logger.info(report.skipped ? 'sweep skipped' : 'sweep done', { scheduledAt: event.time, report });
  return report;
}).use(injectLambdaContext(logger));
