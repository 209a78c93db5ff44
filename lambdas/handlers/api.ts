// The `api` Lambda: API Gateway event in, EC2 (or JSON) response out. Thin by design: middy for
// the logging context, and one call into the shared request pipeline. The local server wraps
// the very same handler.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { fromApiGatewayEvent, toApiGatewayResult } from '../adapters/http/api-gateway.ts';
import { type ApiServices, handleApiRequest } from '../adapters/http/handle-api-request.ts';

export const logger = new Logger({ serviceName: 'ipam-api' });

export function createApiHandler(services: ApiServices) {
  const withLog: ApiServices = { ...services, log: (entry) => logger.info('request', entry) };
  return middy(
    async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
      toApiGatewayResult(await handleApiRequest(withLog, fromApiGatewayEvent(event))),
  ).use(injectLambdaContext(logger));
}
