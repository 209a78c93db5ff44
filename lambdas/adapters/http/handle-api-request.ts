// The API in one function, the same in Lambda and locally: pick the protocol by the SigV4
// credential scope's service (protocol.ts), authenticate, decode, run, encode. EC2 Query answers
// at any path and EC2's JSON API at /api/{Action}; STS (and, as they are added, RAM and
// Organizations) by their own protocols. Every error, whatever its cause, leaves in the
// protocol's own error shape with its status and the request id — except, in forwarding mode, an
// EC2 Query request this service does not serve, which goes upstream after the signature check
// and comes back as the upstream answered it. The one unsigned route is
// `GET /api/openapi.json`, the JSON API's contract: public information.
import { randomUUID } from 'node:crypto';
import { IpamError, toIpamError } from '../../domain/errors.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import type { Dependencies } from '../../use-cases/kernel/context.ts';
import { ec2JsonProtocol, ec2QueryProtocol, JSON_API_PATH } from '../ec2-query/protocol.ts';
import { scopedService, verifySignature } from './sigv4.ts';
import { organizationsProtocol } from '../organizations/protocol.ts';
import { ramProtocol } from '../ram/protocol.ts';
import { stsProtocol } from '../sts/protocol.ts';
import { SERVED_OPENAPI_PATH, servedOpenApiDocument } from '../json-api/openapi.ts';
import type { HttpRequest, HttpResponse, SigningService, WireProtocol } from './protocol.ts';

export type { HttpRequest, HttpResponse } from './protocol.ts';

export interface ApiServices {
  deps: Dependencies;
  credentials: CredentialStore;
  log?: (entry: { requestId: string; action?: string; accountId?: string; status: number; code?: string; forwarded?: true }) => void;
}

/**
 * The largest request body served, the same behind API Gateway (whose own limit is 10 MB) and
 * locally. The largest body an SDK sends for an IPAM action is a few KB; the limit leaves room
 * for the longest values input-limits.ts allows.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export const bodyTooLarge = () =>
  new IpamError('RequestEntityTooLarge', `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes, the most this service accepts.`);

/** Each signing name's protocol; the EC2 JSON API is chosen by its path. */
const PROTOCOLS: Readonly<Partial<Record<SigningService, WireProtocol>>> = {
  ec2: ec2QueryProtocol,
  sts: stsProtocol,
  organizations: organizationsProtocol,
  ram: ramProtocol,
};
const SERVICES = Object.keys(PROTOCOLS) as SigningService[];

/**
 * The protocol a request speaks, read from its credential scope before anything is verified: it
 * only decides the shape of the answer (an unverified request is refused whatever it claims).
 * Unsigned requests and unknown services are answered as EC2.
 */
function protocolOf(request: Pick<HttpRequest, 'path' | 'headers'>): WireProtocol {
  const service = scopedService(request.headers);
  if (service === 'ec2' || service === undefined || !Object.hasOwn(PROTOCOLS, service)) {
    return JSON_API_PATH.test(request.path) ? ec2JsonProtocol : ec2QueryProtocol;
  }
  return PROTOCOLS[service as SigningService]!;
}

export async function handleApiRequest(services: ApiServices, request: HttpRequest): Promise<HttpResponse> {
  const requestId = request.requestId ?? randomUUID();
  const openApiPath = request.method === 'GET' ? SERVED_OPENAPI_PATH.exec(request.path) : null;
  if (openApiPath) {
    services.log?.({ requestId, status: 200 });
    return withCommonHeaders(
      {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: servedOpenApiDocument(openApiPath[1] ?? '', services.deps.ec2Companions !== 'off'),
      },
      requestId,
    );
  }
  const protocol = protocolOf(request);
  let action: string | undefined;
  let accountId: string | undefined;
  try {
    if (request.body.length > MAX_REQUEST_BODY_BYTES) throw bodyTooLarge();
    // Only RAM's REST routes use other methods (DELETE /deleteresourceshare); its decoder checks them.
    if (request.method !== 'POST' && (protocol === ec2QueryProtocol || protocol === ec2JsonProtocol)) {
      throw new IpamError('InvalidAction', `The HTTP method ${request.method} is not supported; send POST requests`);
    }
    const caller = await verifySignature(request, services.credentials, { now: services.deps.now(), services: SERVICES });
    accountId = caller.accountId;
    const forwarded = await protocol.passThrough?.(services.deps, request, caller.region);
    if (forwarded) {
      services.log?.({ requestId, accountId, status: forwarded.statusCode, forwarded: true });
      return forwarded;
    }
    const decoded = protocol.decode(request);
    action = decoded.action;
    const output = await protocol.run(services.deps, { accountId, region: caller.region, requestId }, decoded.action, decoded.input);
    services.log?.({ requestId, action, accountId, status: 200 });
    return withCommonHeaders(protocol.encode(decoded.action, output, requestId), requestId);
  } catch (thrown) {
    const error = toIpamError(thrown);
    if (!(thrown instanceof IpamError)) console.error(`request ${requestId} failed:`, thrown);
    const response = withCommonHeaders(protocol.encodeError(error, requestId), requestId);
    services.log?.({ requestId, action, accountId, status: response.statusCode, code: error.code });
    return response;
  }
}

/** An error answer outside the pipeline (the local server's body limit, a timeout), in the protocol the request speaks. */
export function errorResponse(
  request: Pick<HttpRequest, 'path' | 'headers'>,
  error: IpamError,
  requestId: string = randomUUID(),
): HttpResponse {
  return withCommonHeaders(protocolOf(request).encodeError(error, requestId), requestId);
}

function withCommonHeaders(response: HttpResponse, requestId: string): HttpResponse {
  return {
    ...response,
    headers: {
      ...response.headers,
      // botocore reads the request id from the body, the JS SDK only from this header.
      'x-amzn-RequestId': requestId,
      // The JS SDK corrects its clock from this header: it must be right.
      Date: new Date().toUTCString(),
    },
  };
}
