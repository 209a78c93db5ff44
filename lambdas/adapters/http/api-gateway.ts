// API Gateway (REST, proxy integration) events to our HttpRequest and back. The local server
// builds the same events, so Lambda and `npm start` run one code path.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './handle-api-request.ts';

export function fromApiGatewayEvent(event: APIGatewayProxyEvent): HttpRequest {
  const body = event.body ?? '';
  const headers: Record<string, string | undefined> = { ...event.headers };
  return {
    method: event.httpMethod,
    // The path the client used, stage prefix included: it is part of the signature.
    path: event.requestContext?.path ?? event.path,
    headers,
    body: event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    requestId: event.requestContext?.requestId,
  };
}

export function toApiGatewayResult(response: HttpResponse): APIGatewayProxyResult {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}
