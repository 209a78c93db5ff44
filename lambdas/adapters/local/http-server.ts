// `npm start`'s front door: node:http in, API Gateway proxy events to the Lambda handler, out
// again. GET /health answers once the service is ready; local-only routes (the on-demand
// discovery sweep) are answered here, before the API, with the raw request. A browser's
// unsigned GET of `/` and of the console's files gets the web console (../http/console-assets.ts).
//
// HTTP hygiene for a local service: the body is read up to the API's limit and a larger one is
// answered 413 (not reset); a request that does not arrive whole within requestTimeoutMs is
// answered 408; idle keep-alive sockets close after keepAliveTimeoutMs; at most maxConnections
// sockets are open at once. docs/limits.md lists them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { IpamError, toIpamError } from '../../domain/errors.ts';
import { encodeQueryError } from '../ec2-query/codec.ts';
import { bodyTooLarge, errorResponse, type HttpRequest, type HttpResponse, MAX_REQUEST_BODY_BYTES } from '../http/handle-api-request.ts';
import { type ConsoleAssets, consoleResponse } from '../http/console-assets.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A route only `npm start` has, by `<METHOD> <path>`, e.g. `POST /local/discovery-sweeps`. */
type LocalRoutes = Record<string, (request: HttpRequest) => Promise<HttpResponse>>;

export interface LocalServerOptions {
  /** A request's headers and body must arrive within this, or it is answered 408. Default 30 s. */
  requestTimeoutMs?: number;
  /** Its headers within this (at most requestTimeoutMs). Default 10 s. */
  headersTimeoutMs?: number;
  /** An idle keep-alive socket is closed after this. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Sockets open at once; more are closed as they arrive. Default 256. */
  maxConnections?: number;
  /** The store's health for GET /health: `ok`, or why it cannot serve (e.g. `restarting`). */
  storeState?: () => string;
  /** The web console's files (console-bundle.ts); without them an unsigned `GET /` goes to the API too. */
  console?: ConsoleAssets;
}

/** After a 413 the rest of the body is read and dropped, so the client sees the answer; past this much, the socket is closed. */
const MAX_DISCARDED_BYTES = 16 * MAX_REQUEST_BODY_BYTES;

/**
 * The body, up to MAX_REQUEST_BODY_BYTES; a larger one (declared or sent) rejects with
 * RequestEntityTooLarge while the rest is still read and dropped. Not `for await`: leaving that
 * loop early destroys the request, and with it the socket, before the 413 can be sent.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let tooLarge = declared > MAX_REQUEST_BODY_BYTES;
    if (tooLarge) reject(bodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > MAX_DISCARDED_BYTES) request.socket.destroy();
        return;
      }
      if (size > MAX_REQUEST_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        reject(bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('close', () => reject(new RequestAborted()));
  });
}

/** The client went away (or the request timed out) before its body arrived: there is no one to answer. */
class RequestAborted extends Error {}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function multiValueParameters(parameters: URLSearchParams): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const name of new Set(parameters.keys())) values[name] = parameters.getAll(name);
  return values;
}

function toProxyEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEvent {
  const url = new URL(request.url ?? '/', 'http://local');
  return {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    resource: '/{proxy+}',
    headers: headersOf(request),
    multiValueHeaders: {},
    // API Gateway gives handlers the query string only decoded and split, so the same here.
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : null,
    multiValueQueryStringParameters: url.search ? multiValueParameters(url.searchParams) : null,
    pathParameters: null,
    stageVariables: null,
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      path: url.pathname,
      httpMethod: request.method ?? 'GET',
      requestId: randomUUID(),
    } as APIGatewayProxyEvent['requestContext'],
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

/** `HTTP/1.1 408` with an EC2 error body, written on the socket: Node's own 408 has no body, which botocore cannot parse. */
function requestTimeoutResponse(): string {
  const requestId = randomUUID();
  const body = encodeQueryError(new IpamError('RequestTimeout', 'The request did not arrive in time; send it again.'), requestId);
  return [
    'HTTP/1.1 408 Request Timeout',
    'Content-Type: text/xml;charset=UTF-8',
    `x-amzn-RequestId: ${requestId}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Errors node:http raises before a request reaches the handler; Node's default answers, except a timeout gets an EC2 body. */
function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const answered = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || !socket.writable || answered) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.end(requestTimeoutResponse());
  else if (error.code === 'HPE_HEADER_OVERFLOW') socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
  else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
}

export function createLocalServer(handler: ProxyHandler, routes: LocalRoutes = {}, options: LocalServerOptions = {}): Server {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // How often node:http looks for requests past their timeouts: the 408 comes at most this late.
      connectionsCheckingInterval: Math.min(5_000, Math.max(250, requestTimeout / 4)),
    },
    async (request, response) => {
      const [path, ...queryParts] = (request.url ?? '/').split('?');
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
        const page =
          options.console &&
          consoleResponse(options.console, {
            method: request.method ?? 'GET',
            path,
            query: queryParts.join('?'),
            headers: headersOf(request),
          });
        if (page) {
          response.writeHead(page.statusCode, page.headers).end(page.body);
          return;
        }
        const url = new URL(request.url ?? '/', 'http://local');
        const route = routes[`${request.method} ${url.pathname}`];
        if (route) {
          // The path as sent (still percent-encoded): SigV4 signs it.
          const result = await route({ method: request.method ?? 'GET', path, headers: headersOf(request), body: await readBody(request) });
          response.writeHead(result.statusCode, result.headers).end(result.body);
          return;
        }
        const result = await handler(toProxyEvent(request, await readBody(request)), lambdaContext);
        response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
      } catch (error) {
        if (error instanceof RequestAborted || response.headersSent || request.socket.destroyed) return;
        if (!(error instanceof IpamError)) console.error('local server failure:', error);
        const answer = errorResponse({ path, headers: headersOf(request) }, toIpamError(error));
        if (request.complete) {
          response.writeHead(answer.statusCode, answer.headers).end(answer.body);
          return;
        }
        // The body is still arriving (a 413): the answer goes out now, the socket closes once the
        // rest has been read and dropped — closing with unread data would reset the connection,
        // and a client still sending could lose the answer with it.
        response.writeHead(answer.statusCode, {
          ...answer.headers,
          'Content-Length': String(Buffer.byteLength(answer.body)),
          Connection: 'close',
        });
        response.write(answer.body);
        request.once('end', () => response.end());
      }
    },
  );
  server.maxConnections = options.maxConnections ?? 256;
  server.on('clientError', onClientError);
  return server;
}
