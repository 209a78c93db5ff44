// What the one endpoint speaks: an HTTP request in, an HTTP response out, and the AWS protocols
// between them. The SigV4 credential scope's service picks the protocol (design: "one endpoint,
// several AWS protocols"): `ec2` (EC2 Query, and the JSON API at /api/{Action}), `ram`
// (REST-JSON), `sts` (Query), `organizations` (JSON 1.1). Each protocol decodes its own requests,
// runs them against its own action table and answers in its own shapes, errors included.
import type { IpamError } from '../../domain/errors.ts';
import type { Dependencies, Input, Output, RequestContext } from '../../use-cases/kernel/context.ts';

export interface HttpRequest {
  method: string;
  /** The path exactly as the client sent it, without the query string: SigV4 signs it. */
  path: string;
  /** The query string as sent, without the `?` (REST protocols such as RAM's DELETE carry parameters in it); empty when none. */
  query?: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
  /**
   * API Gateway's id for the request: it sends it as `x-amzn-RequestId` whatever we say, so the
   * body must carry the same one (botocore reads the body, the JS SDK the header).
   */
  requestId?: string;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The signing names of the AWS services this endpoint answers. */
export type SigningService = 'ec2' | 'ram' | 'sts' | 'organizations';

/** One AWS wire protocol with its action table. */
export interface WireProtocol {
  /** The request's action and its decoded, validated input; throws IpamError (an unknown action → the service's own "unknown operation" error). */
  decode(request: HttpRequest): { action: string; input: Input };
  /** Runs a decoded request for the verified caller. */
  run(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output>;
  /** The success answer (status, content type and body; the router adds the request-id and Date headers). */
  encode(action: string, output: Output, requestId: string): HttpResponse;
  /** Any error, in this protocol's own error shape and code. */
  encodeError(error: IpamError, requestId: string): HttpResponse;
  /**
   * Forwarding mode (EC2 Query only): the upstream's unchanged answer to an authenticated request
   * this service does not serve itself, or undefined to serve it here.
   */
  passThrough?(deps: Dependencies, request: HttpRequest, region: string): Promise<HttpResponse | undefined>;
}
