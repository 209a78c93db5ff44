// The `console` Lambda (lib/constructs/console-function.ts): API Gateway's `GET /` and
// `GET /console/{file}` answered with the web console's files, which the deployment ships in the
// folder `console/` beside this bundle. The same answers as `npm start` gives (console-assets.ts).
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CONSOLE_FILES, type ConsoleAssets, consoleResponse } from '../adapters/http/console-assets.ts';

const folder = new URL('./console/', import.meta.url);
const assets: ConsoleAssets = new Map(
  CONSOLE_FILES.map(({ path, file, contentType }) => [path, { contentType, body: readFileSync(new URL(file, folder), 'utf8') }]),
);

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  // The stage's root without its slash (`/prod`): the page's relative links need `/prod/`.
  const stagePath = event.requestContext?.path ?? event.path;
  if (event.path === '/' && !stagePath.endsWith('/')) return { statusCode: 301, headers: { Location: `${stagePath}/` }, body: '' };
  const query = Object.entries(event.queryStringParameters ?? {})
    .map(([name, value]) => `${name}=${value ?? ''}`)
    .join('&');
  const answer = consoleResponse(assets, { method: event.httpMethod, path: event.path, query, headers });
  return answer ?? { statusCode: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found\n' };
}
