// The `api` Lambda as deployed (lib/stateless-stack.ts bundles this file): cloud services wired
// into the same handler `npm start` serves — DynamoDB, Step Functions, the event bus, the
// access-key secret, the clock — plus Powertools tracing and metrics around it. No request logic
// lives here.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PowertoolsLog } from '../adapters/log/powertools-log.ts';
import { SecretsManagerCredentialStore } from '../adapters/secrets-manager/credential-store.ts';
import { loadConfig } from '../config.ts';
import { createApiHandler, logger } from './api.ts';
import { cloudDependencies } from './cloud-wiring.ts';

const config = loadConfig();
const secretId = config.cloud.accessKeysSecretId;
if (!secretId) throw new Error('IPAM_ACCESS_KEYS_SECRET_ID must name the access-key secret.');

const tracer = new Tracer({ serviceName: 'ipam-api' });
const metrics = new Metrics({ serviceName: 'ipam-api' });

const credentials = new SecretsManagerCredentialStore({
  client: tracer.captureAWSv3Client(new SecretsManagerClient({})),
  secretId,
  cacheMs: config.cloud.accessKeysCacheSeconds * 1000,
  missRefreshMs: config.cloud.accessKeysMissRefreshSeconds * 1000,
});
// Read once per cold start: the pagination secret lives in the same secret as the keys, and this
// read also fills the key cache for the first request.
const { paginationSecret } = await credentials.load();

/** One count per response, by class, so dashboards and alarms need not parse logs. */
const countResponses: MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> = {
  after: ({ response }) => {
    const status = response?.statusCode ?? 500;
    metrics.addMetric(status >= 500 ? 'ServerErrors' : status >= 400 ? 'ClientErrors' : 'Successes', MetricUnit.Count, 1);
  },
};

export const handler = createApiHandler({
  deps: cloudDependencies(config, { paginationSecret, log: new PowertoolsLog(logger), wrap: (client) => tracer.captureAWSv3Client(client) }),
  credentials,
})
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(countResponses);
