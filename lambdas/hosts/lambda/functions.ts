// The composition root of the four Lambda functions. lib/stateless-stack.ts bundles their
// entries (lambdas/handlers/api-lambda.ts, workflow-task.ts, discovery-sweep.ts,
// workflow-reconciler.ts); each calls one
// function here once per cold start, handing over the Powertools logger its middy chain
// decorates, so the use cases' log entries carry the request id.
//
// What the cloud adds to the shared dependencies (../dependencies.ts): workflows on Step
// Functions, events on our EventBridge bus, EMF metrics on stdout, discovery reading EC2 unless
// configured otherwise; for the api, X-Ray around every SDK client and the access keys and
// pagination secret from Secrets Manager.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeBus } from '../../adapters/eventbridge/event-bus.ts';
import type { ApiServices } from '../../adapters/http/handle-api-request.ts';
import { PowertoolsLog } from '../../adapters/log/powertools-log.ts';
import { EmfMetrics } from '../../adapters/metrics/emf-metrics.ts';
import { SecretsManagerCredentialStore } from '../../adapters/secrets-manager/credential-store.ts';
import { StepFunctionsWorkflows } from '../../adapters/step-functions/workflows.ts';
import { type Config, loadConfig } from '../../config.ts';
import type { Log } from '../../ports/log.ts';
import type { TaskRunner } from '../../ports/workflows.ts';
import type { SweepDependencies } from '../../use-cases/kernel/context.ts';
import { runWorkflowTask } from '../../use-cases/kernel/workflow-tasks.ts';
import { type ClientWrapper, dependencies, unwrapped } from '../dependencies.ts';

/** The shared dependencies with the cloud's adapters. */
export function lambdaDependencies(
  config: Config,
  options: { log: Log; paginationSecret?: string; wrap?: ClientWrapper; accountsWithKeys?: () => Promise<string[]> },
): SweepDependencies {
  const wrap = options.wrap ?? unwrapped;
  if (!config.eventBusName) throw new Error('IPAM_EVENT_BUS_NAME must name the event bus.');
  return dependencies(config, {
    workflows: () => new StepFunctionsWorkflows({ client: wrap(new SFNClient({})), stateMachineArns: config.stateMachineArns }),
    events: new EventBridgeBus({ client: wrap(new EventBridgeClient({})), busName: config.eventBusName }),
    // An environment may be frozen or ended once it has answered: what it delivered, it forgets first.
    forgetDelivered: 'at-once',
    metrics: new EmfMetrics({ namespace: config.metricsNamespace }),
    log: options.log,
    defaultDiscoverySource: 'aws',
    // Off in the cloud until acting in member accounts has a safe design (architecture: EC2 companions).
    ec2Companions: 'off',
    paginationSecret: options.paginationSecret,
    wrap,
    // Only the api reads the key secret; the sweep and the tasks see the accounts the organisation item places.
    accountsWithKeys: options.accountsWithKeys,
  });
}

/** The api function: its services, and the tracer and metrics its middlewares flush. */
export async function apiFunction(logger: Logger): Promise<{ services: ApiServices; tracer: Tracer; metrics: Metrics }> {
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
  const deps = lambdaDependencies(config, {
    log: new PowertoolsLog(logger),
    paginationSecret,
    wrap: (client) => tracer.captureAWSv3Client(client),
    accountsWithKeys: () => credentials.accountsWithKeys(),
  });
  return { services: { deps, credentials }, tracer, metrics };
}

/**
 * The workflow-task function's runner. Tasks start no workflows (the state machines invoke this
 * function, so it is not given their ARNs) and build no pagination tokens (the configured
 * default secret satisfies the type).
 */
export function workflowTaskRunner(logger: Logger): TaskRunner {
  const deps = lambdaDependencies(loadConfig(), { log: new PowertoolsLog(logger) });
  return (event) => runWorkflowTask(deps, event);
}

/** The scheduled discovery sweep's dependencies. A sweep builds no pagination tokens either. */
export function discoverySweepDependencies(logger: Logger): SweepDependencies {
  return lambdaDependencies(loadConfig(), { log: new PowertoolsLog(logger) });
}

/** The scheduled workflow reconciler: its dependencies (it starts workflows, so it is given their ARNs) and grace period. */
export function workflowReconcilerFunction(logger: Logger): { deps: SweepDependencies; graceSeconds: number } {
  const config = loadConfig();
  return { deps: lambdaDependencies(config, { log: new PowertoolsLog(logger) }), graceSeconds: config.reconciler.graceSeconds };
}
