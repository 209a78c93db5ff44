// EC2's two encodings as wire protocols: EC2 Query (form body at any path, XML answers) and this
// service's JSON API (POST /api/{Action}, JSON both ways). One action table and one dispatch.
import { isImplementedAction, passesThroughUpstream, serviceActionOf } from '../../use-cases/kernel/actions.ts';
import { dispatch, dispatchJson } from '../../use-cases/kernel/dispatch.ts';
import type { HttpResponse, WireProtocol } from '../http/protocol.ts';
import { decodeJsonRequest, decodeServiceJsonRequest, encodeJsonError, encodeJsonResponse } from '../json-api/codec.ts';
import { decodeQueryRequest, encodeQueryError, encodeQueryResponse, validateInput } from './codec.ts';

const xml = (statusCode: number, body: string): HttpResponse => ({
  statusCode,
  headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
  body,
});
const json = (statusCode: number, body: string): HttpResponse => ({ statusCode, headers: { 'Content-Type': 'application/json' }, body });

/** The JSON API's path: /api/{Action}, behind an optional stage prefix. */
export const JSON_API_PATH = /^(?:\/[^/]+)?\/api\/([A-Za-z0-9]+)\/?$/;

export const ec2QueryProtocol: WireProtocol = {
  decode(request) {
    const decoded = decodeQueryRequest(new TextDecoder().decode(request.body), isImplementedAction);
    validateInput(decoded.action, decoded.input);
    return decoded;
  },
  run: dispatch,
  encode: (action, output, requestId) => xml(200, encodeQueryResponse(action, output, requestId)),
  encodeError: (error, requestId) => xml(error.httpStatus, encodeQueryError(error, requestId)),
  async passThrough(deps, request, region) {
    if (deps.ec2Companions !== 'forwarding' || !deps.ec2Upstream) return undefined;
    const action = new URLSearchParams(new TextDecoder().decode(request.body)).get('Action') ?? '';
    if (!passesThroughUpstream(action)) return undefined;
    return deps.ec2Upstream.forward({ method: request.method, path: request.path, headers: request.headers, body: request.body, region });
  },
};

export const ec2JsonProtocol: WireProtocol = {
  decode(request) {
    const action = JSON_API_PATH.exec(request.path)?.[1] ?? '';
    const body = new TextDecoder().decode(request.body);
    const service = serviceActionOf(action);
    return service ? decodeServiceJsonRequest(action, body, service.input) : decodeJsonRequest(action, body, isImplementedAction);
  },
  run: dispatchJson,
  encode: (_action, output) => json(200, encodeJsonResponse(output)),
  encodeError: (error, requestId) => json(error.httpStatus, encodeJsonError(error, requestId)),
};
