// The `api` Lambda as deployed (lib/stateless-stack.ts bundles this file): the handler `npm start`
// also serves, wired with the cloud's services once per cold start (lambdas/hosts/lambda/), plus
// Powertools metrics around it. No request logic lives here. Lambda's active tracing records each
// invocation; the X-Ray SDK's subsegments per AWS call are left out here (apiFunction says why).
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiFunction } from '../hosts/lambda/functions.ts';
import { createApiHandler, logger } from './api.ts';

/** One count per response, by class, so dashboards and alarms need not parse logs. */
const countResponses = (metrics: Metrics): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  after: ({ response }) => {
    const status = response?.statusCode ?? 500;
    metrics.addMetric(status >= 500 ? 'ServerErrors' : status >= 400 ? 'ClientErrors' : 'Successes', MetricUnit.Count, 1);
  },
});

const { services, metrics } = await apiFunction(logger);

export const handler = createApiHandler(services)
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(countResponses(metrics));
