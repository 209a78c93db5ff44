// A REST API (v1) Lambda proxy event as API Gateway delivers it for a client that called
// `https://<api-id>.execute-api.<region>.amazonaws.com/prod`, SigV4-signed for `ec2` like the JS
// SDK signs (lower-case headers, x-amz-content-sha256, path `/prod/`). The shape follows a recorded
// event: `path` lacks the stage, `requestContext.path` has it — and the signature covers the latter.
import { createHash } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export const API_HOST = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
export const STAGE = 'prod';

export interface SignedEventOptions {
  body: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
  signingDate?: Date;
}

export async function signedQueryEvent(options: SignedEventOptions): Promise<APIGatewayProxyEvent> {
  const stagePath = `/${STAGE}/`;
  const unsigned = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(options.body)),
    'x-amz-user-agent': 'aws-sdk-js/3.1168.0',
    'amz-sdk-invocation-id': '2f00ce39-6d89-43cd-9060-dc0f2c12b337',
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amz-content-sha256': createHash('sha256').update(options.body).digest('hex'),
    host: API_HOST,
  };
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region ?? 'us-east-1',
    service: 'ec2',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: API_HOST, path: stagePath, query: {}, headers: unsigned, body: options.body },
    { signingDate: options.signingDate },
  );
  const headers: Record<string, string> = {
    ...(signed.headers as Record<string, string>),
    // Added by API Gateway / CloudFront, never signed.
    'user-agent': 'aws-sdk-js/3.1168.0 ua/2.1 os/linux lang/js md/nodejs#24.21.0 api/ec2#3.1168.0',
    'X-Amzn-Trace-Id': 'Root=1-6741a0b3-0123456789abcdef01234567',
    'X-Forwarded-For': '198.51.100.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  const requestId = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
  return {
    resource: '/',
    path: '/',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      authorizer: null,
      domainName: API_HOST,
      domainPrefix: 'a1b2c3d4e5',
      extendedRequestId: 'BQGojGN5IAMF0Zw=',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '198.51.100.7',
        user: null,
        userAgent: headers['user-agent'],
        userArn: null,
      },
      path: stagePath,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: '23/Nov/2026:08:16:23 +0000',
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123xyz0',
      resourcePath: '/',
      stage: STAGE,
    },
    body: options.base64 ? Buffer.from(options.body).toString('base64') : options.body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** What `injectLambdaContext` reads from the Lambda context. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'ipam-stateless-ApiHandlerFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ipam-stateless-ApiHandlerFunction',
  memoryLimitInMB: '1024',
  awsRequestId: '7e6a1b2c-0000-4000-8000-000000000001',
  logGroupName: '/aws/lambda/ipam-api',
  logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 25_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
