// The web console's static files, as answered to a browser's plain GET: the page at the base path
// and its script and stylesheet under console/. They are built from web/ (console-bundle.ts) and
// served with a strict CSP: nothing but this origin, no inline code, no framing.
import type { HttpResponse } from './protocol.ts';

export interface ConsoleAsset {
  contentType: string;
  body: string;
}

/** By path below the service's base path: '' for the page, 'console/console.js', … */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

/** The console's files: path below the base path → file name in a built console folder, and type. */
export const CONSOLE_FILES: readonly { path: string; file: string; contentType: string }[] = [
  { path: '', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { path: 'console/console.js', file: 'console.js', contentType: 'text/javascript; charset=utf-8' },
  { path: 'console/console.css', file: 'console.css', contentType: 'text/css; charset=utf-8' },
];

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Small files, rebuilt with the service: always revalidated, never a stale console against a newer API.
  'Cache-Control': 'no-cache',
};

/**
 * The answer to `method path` (path below the base path, without its leading slash) when it names
 * a console file; undefined otherwise, so the request goes on to the API. Only unsigned GET/HEAD
 * without a query string: an SDK's signed `GET /?Action=…` is an EC2 Query call.
 */
export function consoleResponse(
  assets: ConsoleAssets,
  request: { method: string; path: string; query?: string; headers: Record<string, string | undefined> },
): HttpResponse | undefined {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || request.query || request.headers.authorization !== undefined)
    return undefined;
  const asset = assets.get(request.path.replace(/^\//, ''));
  if (!asset) return undefined;
  return {
    statusCode: 200,
    headers: { 'Content-Type': asset.contentType, ...CONSOLE_HEADERS },
    body: request.method === 'HEAD' ? '' : asset.body,
  };
}
