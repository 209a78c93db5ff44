// The console's only way to the service: POST {base}/api/{Action} with the action's input as JSON,
// signed with SigV4 for service `ec2` in the browser, exactly as an SDK would (docs/json-api.md).
// No cookies, no server-side session: the key lives in the tab (session.ts).
import { SignatureV4 } from '@smithy/signature-v4';
import { signingSha256 } from './sha256.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** An error answer of the API: its EC2 code and message, as the API wrote them. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/** An error as the console shows it: the API's code and message. */
export const errorText = (error: unknown) => (error instanceof ApiError ? `${error.code}: ${error.message}` : String(error));

// biome-ignore lint/suspicious/noExplicitAny: an action's output is the SDK's output shape; pages read the members they show.
export type ApiOutput = Record<string, any>;

export interface ApiClient {
  readonly credentials: Credentials;
  call(action: string, input?: Record<string, unknown>): Promise<ApiOutput>;
}

/** Reads an error body: the JSON API's `{code, message}`, or the EC2 XML envelope answered before the service (docs/json-api.md). */
async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  const requestId = response.headers.get('x-amzn-RequestId') ?? undefined;
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; requestId?: string };
    if (body.code) return new ApiError(body.code, body.message ?? body.code, response.status, body.requestId ?? requestId);
  } catch {
    // Not JSON: the XML envelope, read below.
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return new ApiError(code ?? `HTTP${response.status}`, message ?? (text.slice(0, 200) || response.statusText), response.status, requestId);
}

/** A client for the service the console was loaded from: `base` is the page's folder (`/` locally, `/prod/` behind API Gateway). */
export function createApiClient(credentials: Credentials, base: URL): ApiClient {
  const signer = new SignatureV4({
    service: 'ec2',
    region: credentials.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: signingSha256(),
  });
  return {
    credentials,
    async call(action, input = {}) {
      const url = new URL(`api/${action}`, base);
      const body = JSON.stringify(input);
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: {},
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      // The browser sends Host itself (the value signed above).
      const { host: _host, ...headers } = signed.headers;
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body, credentials: 'omit', cache: 'no-store' });
      } catch (error) {
        throw new ApiError('NetworkError', `The service did not answer (${(error as Error).message}).`, 0);
      }
      if (!response.ok) throw await errorOf(response);
      return (await response.json()) as ApiOutput;
    },
  };
}

/** Every page of a paginated action, following NextToken. */
export async function callAll(client: ApiClient, action: string, input: Record<string, unknown>, listMember: string): Promise<ApiOutput[]> {
  const items: ApiOutput[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.call(action, { ...input, ...(NextToken ? { NextToken } : {}) });
    items.push(...((page[listMember] as ApiOutput[] | undefined) ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return items;
}
