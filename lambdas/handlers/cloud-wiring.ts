// Cloud adapters shared by the Lambda entry points (api, workflow-task, discovery-sweep), wired the
// same way for each: DynamoDB with the local service's marshalling, Step Functions, our event bus.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStore } from '../adapters/dynamodb/store.ts';
import { EventBridgeBus } from '../adapters/eventbridge/event-bus.ts';
import { StepFunctionsWorkflows } from '../adapters/step-functions/workflows.ts';
import { createRegistryLookup } from '../adapters/registry/registry-lookup.ts';
import type { Config } from '../config.ts';
import type { Log } from '../ports/log.ts';
import type { Dependencies } from '../use-cases/context.ts';

/** Wraps each SDK client, e.g. Tracer.captureAWSv3Client for X-Ray subsegments. */
export type ClientWrapper = <Client>(client: Client) => Client;
const unwrapped: ClientWrapper = (client) => client;

export function eventBus(config: Config, wrap: ClientWrapper = unwrapped): EventBridgeBus {
  if (!config.eventBusName) throw new Error('IPAM_EVENT_BUS_NAME must name the event bus.');
  return new EventBridgeBus({ client: wrap(new EventBridgeClient({})), busName: config.eventBusName });
}

export function dynamoDbStore(config: Config, wrap: ClientWrapper = unwrapped): DynamoDbStore {
  const dynamoDb = wrap(new DynamoDBClient(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}));
  // Same marshalling as the local service (lambdas/adapters/local/service.ts).
  return new DynamoDbStore(DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } }), config.tableName);
}

/** What every use case needs, in the cloud. Called once per cold start. */
export function cloudDependencies(config: Config, options: { paginationSecret: string; log: Log; wrap?: ClientWrapper }): Dependencies {
  const wrap = options.wrap ?? unwrapped;
  return {
    store: dynamoDbStore(config, wrap),
    workflows: new StepFunctionsWorkflows({ client: wrap(new SFNClient({})), stateMachineArns: config.stateMachineArns }),
    paginationSecret: options.paginationSecret,
    now: () => new Date(),
    events: eventBus(config, wrap),
    registry: createRegistryLookup(config.publicSpace),
    publicSpace: config.publicSpace,
    log: options.log,
  };
}
