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
    query: queryString(event.multiValueQueryStringParameters),
    headers,
    body: event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    requestId: event.requestContext?.requestId,
  };
}

export function toApiGatewayResult(response: HttpResponse): APIGatewayProxyResult {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}

/** The query string again, from the decoded parameters API Gateway passes (SigV4 canonicalises it: order and encoding do not matter). */
function queryString(parameters: APIGatewayProxyEvent['multiValueQueryStringParameters']): string {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(parameters ?? {})) for (const value of values ?? []) query.append(name, value);
  return query.toString();
}
