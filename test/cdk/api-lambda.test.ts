// The deployed entry point, lambdas/handlers/api-lambda.ts, invoked as Lambda would invoke it:
// an API Gateway REST proxy event for a SigV4-signed CreateIpam, the table on DynamoDB Local
// (through the environment the stack sets), Secrets Manager and Step Functions mocked with
// aws-sdk-client-mock.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createTestTable, dynamoDbEndpoint, type TestTable } from '../support/dynamodb.ts';
import { lambdaContext, signedQueryEvent } from './support/api-gateway-event.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ipam-access-keys-AbCdEf';
const CALLER = {
  accessKeyId: 'AKIACLOUDTEST0000001',
  secretAccessKey: 'cloud-test-secret-0123456789abcdefghijk',
  accountId: '210987654321',
};
const RESOURCE_CREATION_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ipam-resource-creation';
const CREATE_IPAM = 'Action=CreateIpam&Version=2016-11-15&Description=cloud%20test&OperatingRegion.1.RegionName=us-east-1';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const secretsManager = mockClient(SecretsManagerClient);
const stepFunctions = mockClient(SFNClient);
let table: TestTable;
let handler: Handler;
const parse = (xml: string) => new XMLParser({ parseTagValue: false }).parse(xml);

beforeAll(async () => {
  table = await createTestTable();
  secretsManager
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify({ accessKeys: [CALLER], paginationSecret: 'x'.repeat(64) }) });
  // What lib/stateless-stack.ts gives the function, with DynamoDB Local in place of DynamoDB.
  vi.stubEnv('IPAM_TABLE_NAME', table.tableName);
  vi.stubEnv('IPAM_DYNAMODB_ENDPOINT', dynamoDbEndpoint());
  vi.stubEnv('IPAM_ACCESS_KEYS_SECRET_ID', SECRET_ARN);
  vi.stubEnv('IPAM_EVENT_BUS_NAME', 'ipam-events');
  vi.stubEnv('IPAM_STATE_MACHINE_ARNS', JSON.stringify({ 'resource-creation': RESOURCE_CREATION_ARN }));
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: `${RESOURCE_CREATION_ARN}:run`, startDate: new Date() });
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  ({ handler } = (await import('../../lambdas/handlers/api-lambda.ts')) as unknown as { handler: Handler });
});

afterAll(() => {
  vi.unstubAllEnvs();
  table.client.destroy();
});

test('a signed CreateIpam through API Gateway creates the IPAM in the table and answers the EC2 XML', async () => {
  const event = await signedQueryEvent({ body: CREATE_IPAM, credentials: CALLER });
  const response = await handler(event, lambdaContext as Context);
  expect(response.statusCode).toBe(200);
  const requestId = response.headers?.['x-amzn-RequestId'];
  // API Gateway's own request id, which it sends as x-amzn-RequestId whatever the Lambda says.
  expect(requestId).toBe(event.requestContext.requestId);
  const body = parse(response.body).CreateIpamResponse;
  expect(response.body).toMatch(
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateIpamResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/">/,
  );
  expect(body.requestId).toBe(requestId);
  expect(body.ipam.ipamId).toMatch(/^ipam-[0-9a-f]{17}$/);
  expect(body.ipam.ownerId).toBe(CALLER.accountId);
  expect(body.ipam.description).toBe('cloud test');
  // It really is in the table the environment named.
  const stored = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { PK: `IPAM#${body.ipam.ipamId}`, SK: 'META' } }));
  expect(stored.Item).toBeDefined();
  // …and its workflow was started on the state machine IPAM_STATE_MACHINE_ARNS names.
  const [start] = stepFunctions.commandCalls(StartExecutionCommand);
  expect(start.args[0].input.stateMachineArn).toBe(RESOURCE_CREATION_ARN);
  expect(start.args[0].input.input).toContain(body.ipam.ipamId);
});

test('a base64-encoded body (binary media type) verifies and decodes the same way', async () => {
  const response = await handler(
    await signedQueryEvent({ body: 'Action=DescribeIpams&Version=2016-11-15', credentials: CALLER, base64: true }),
    lambdaContext as Context,
  );
  expect(response.statusCode).toBe(200);
  expect(parse(response.body).DescribeIpamsResponse.ipamSet.item.ownerId).toBe(CALLER.accountId);
});

test('an access key the secret does not hold is 401 AuthFailure in the EC2 error envelope', async () => {
  const stranger = { accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'whatever-secret' };
  const response = await handler(await signedQueryEvent({ body: CREATE_IPAM, credentials: stranger }), lambdaContext as Context);
  expect(response.statusCode).toBe(401);
  const error = parse(response.body).Response;
  expect(error.Errors.Error.Code).toBe('AuthFailure');
  expect(error.Errors.Error.Message).toBe('AWS was not able to validate the provided access credentials');
  expect(error.RequestID).toBe(response.headers?.['x-amzn-RequestId']);
});

test('the secret was read once, at cold start, for the pagination secret and the keys alike', () => {
  // The unknown key above did not re-read it: the cold-start read is younger than the miss interval.
  expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
});
