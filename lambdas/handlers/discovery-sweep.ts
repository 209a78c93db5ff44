// The scheduled discovery sweep (EventBridge rule, lib/stateless-stack.ts). Discovery itself is a
// later issue: until then the sweep only says so, and the schedule and its alarm are in place.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';

const logger = new Logger({ serviceName: 'ipam-discovery' });

export const handler = middy(async (event: ScheduledEvent): Promise<void> => {
  logger.info('discovery not implemented yet', { scheduledAt: event.time });
}).use(injectLambdaContext(logger));
