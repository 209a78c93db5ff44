// The API in one function, the same in Lambda and locally: authenticate (SigV4) → decode and
// validate (EC2 Query at any path, JSON at /api/{Action}) → dispatch → encode. Every error,
// whatever its cause, leaves as an EC2 error body with its status and the request id. The one
// unsigned route is `GET /api/openapi.json`, the JSON API's contract: public information.
import { randomUUID } from 'node:crypto';
import { IpamError, toIpamError } from '../../domain/errors.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import type { Dependencies } from '../../use-cases/kernel/context.ts';
import { isImplementedAction } from '../../use-cases/kernel/actions.ts';
import { dispatch } from '../../use-cases/kernel/dispatch.ts';
import { decodeQueryRequest, encodeQueryError, encodeQueryResponse, validateInput } from '../ec2-query/codec.ts';
import { verifySignature } from '../ec2-query/sigv4.ts';
import { decodeJsonRequest, encodeJsonError, encodeJsonResponse } from '../json-api/codec.ts';
import { SERVED_OPENAPI_PATH, servedOpenApiDocument } from '../json-api/openapi.ts';
import type { HttpRequest, HttpResponse } from './protocol.ts';

export type { HttpRequest, HttpResponse } from './protocol.ts';

export interface ApiServices {
  deps: Dependencies;
  credentials: CredentialStore;
  log?: (entry: { requestId: string; action?: string; accountId?: string; status: number; code?: string }) => void;
}

/**
 * The largest request body served, the same behind API Gateway (whose own limit is 10 MB) and
 * locally. The largest body an SDK sends for an IPAM action is a few KB; the limit leaves room
 * for the longest values input-limits.ts allows.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export const bodyTooLarge = () =>
  new IpamError('RequestEntityTooLarge', `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes, the most this service accepts.`);

const JSON_API_PATH = /^(?:\/[^/]+)?\/api\/([A-Za-z0-9]+)\/?$/;

export async function handleApiRequest(services: ApiServices, request: HttpRequest): Promise<HttpResponse> {
  const requestId = request.requestId ?? randomUUID();
  const openApiPath = request.method === 'GET' ? SERVED_OPENAPI_PATH.exec(request.path) : null;
  if (openApiPath) {
    services.log?.({ requestId, status: 200 });
    return respond(200, requestId, 'json', servedOpenApiDocument(openApiPath[1] ?? ''));
  }
  const jsonAction = JSON_API_PATH.exec(request.path)?.[1];
  const encoding = jsonAction === undefined ? 'query' : 'json';
  let action: string | undefined;
  let accountId: string | undefined;
  try {
    if (request.body.length > MAX_REQUEST_BODY_BYTES) throw bodyTooLarge();
    if (request.method !== 'POST') {
      throw new IpamError('InvalidAction', `The HTTP method ${request.method} is not supported; send POST requests`);
    }
    const caller = await verifySignature(request, services.credentials, { now: services.deps.now() });
    accountId = caller.accountId;
    const body = new TextDecoder().decode(request.body);
    const decoded =
      jsonAction === undefined ? decodeQueryRequest(body, isImplementedAction) : decodeJsonRequest(jsonAction, body, isImplementedAction);
    action = decoded.action;
    if (jsonAction === undefined) validateInput(decoded.action, decoded.input);
    const output = await dispatch(services.deps, { accountId, region: caller.region, requestId }, decoded.action, decoded.input);
    services.log?.({ requestId, action, accountId, status: 200 });
    return respond(
      200,
      requestId,
      encoding,
      encoding === 'query' ? encodeQueryResponse(decoded.action, output, requestId) : encodeJsonResponse(output),
    );
  } catch (thrown) {
    const error = toIpamError(thrown);
    if (!(thrown instanceof IpamError)) console.error(`request ${requestId} failed:`, thrown);
    services.log?.({ requestId, action, accountId, status: error.httpStatus, code: error.code });
    return errorResponse(request.path, error, requestId);
  }
}

/** An error answer outside the pipeline (the local server's body limit), encoded as the path's API encodes errors. */
export function errorResponse(path: string, error: IpamError, requestId: string = randomUUID()): HttpResponse {
  const encoding = JSON_API_PATH.test(path) ? 'json' : 'query';
  return respond(
    error.httpStatus,
    requestId,
    encoding,
    encoding === 'query' ? encodeQueryError(error, requestId) : encodeJsonError(error, requestId),
  );
}

function respond(statusCode: number, requestId: string, encoding: 'query' | 'json', body: string): HttpResponse {
  return {
    statusCode,
    headers: {
      'Content-Type': encoding === 'query' ? 'text/xml;charset=UTF-8' : 'application/json',
      // botocore reads the request id from the body, the JS SDK only from this header.
      'x-amzn-RequestId': requestId,
      // The JS SDK corrects its clock from this header: it must be right.
      Date: new Date().toUTCString(),
    },
    body,
  };
}
