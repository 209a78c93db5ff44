// `npm start`'s front door: node:http in, API Gateway proxy events to the Lambda handler, out
// again. GET /health answers once the service is ready; local-only routes (the on-demand
// discovery sweep) are answered here, before the API, with the raw request.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { toIpamError } from '../../domain/errors.ts';
import { encodeQueryError } from '../ec2-query/codec.ts';
import type { HttpRequest, HttpResponse } from '../http/handle-api-request.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A route only `npm start` has, by `<METHOD> <path>`, e.g. `POST /local/discovery-sweeps`. */
export type LocalRoutes = Record<string, (request: HttpRequest) => Promise<HttpResponse>>;

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function toProxyEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://local');
  return {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    resource: '/{proxy+}',
    headers: headersOf(request),
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: { path: url.pathname, httpMethod: request.method ?? 'GET', requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  };
}

const lambdaContext = {
  functionName: 'ipam-api-local',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:ipam-api-local',
  memoryLimitInMB: '1024',
  awsRequestId: 'local',
  logGroupName: 'local',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
} as Context;

export interface LocalServerOptions {
  /** The store's health for GET /health: `ok`, or why it cannot serve (e.g. `restarting`). */
  storeState?: () => string;
}

export function createLocalServer(handler: ProxyHandler, routes: LocalRoutes = {}, options: LocalServerOptions = {}): Server {
  return createServer(async (request, response) => {
    try {
      if (request.method === 'GET' && request.url === '/health') {
        // 503 while the store is down, so that a load balancer or a script waits.
        const store = options.storeState?.() ?? 'ok';
        const healthy = store === 'ok';
        response
          .writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', store }));
        return;
      }
      const url = new URL(request.url ?? '/', 'http://local');
      const route = routes[`${request.method} ${url.pathname}`];
      if (route) {
        // The path as sent (still percent-encoded): SigV4 signs it.
        const path = (request.url ?? '/').split('?')[0];
        const result = await route({ method: request.method ?? 'GET', path, headers: headersOf(request), body: await readBody(request) });
        response.writeHead(result.statusCode, result.headers).end(result.body);
        return;
      }
      const result = await handler(toProxyEvent(request, await readBody(request)), lambdaContext);
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    } catch (error) {
      console.error('local server failure:', error);
      const requestId = randomUUID();
      response
        .writeHead(500, { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId })
        .end(encodeQueryError(toIpamError(error), requestId));
    }
  });
}
