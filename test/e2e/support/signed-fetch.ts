// Raw HTTP requests to the service, SigV4-signed like an SDK would (or deliberately not), for what
// no SDK sends: unknown actions, unsigned requests, the JSON API.
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawAccount {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RawRequest {
  /** Path on the service, `/` for EC2 Query, `/api/<Action>` for the JSON API. */
  path?: string;
  body: string;
  contentType: string;
  /** Omit to send the request unsigned. */
  account?: RawAccount;
  region?: string;
  service?: string;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export async function rawPost(endpoint: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.path ?? '/', endpoint);
  let headers: Record<string, string> = { 'content-type': request.contentType };
  if (request.account) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: request.account.accessKeyId, secretAccessKey: request.account.secretAccessKey },
      region: request.region ?? 'us-east-1',
      service: request.service ?? 'ec2',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host, ...headers },
      body: request.body,
    });
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...rest } = signed.headers as Record<string, string>;
    headers = rest;
  }
  const response = await fetch(url, { method: 'POST', headers, body: request.body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** `<Code>` and `<Message>` of an EC2 error body, and its `<RequestID>`. */
export function parseEc2Error(xml: string): { code?: string; message?: string; requestId?: string } {
  const unescapeXml = (text: string | undefined) =>
    text
      ?.replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  return {
    code: unescapeXml(/<Code>([^<]*)<\/Code>/.exec(xml)?.[1]),
    message: unescapeXml(/<Message>([^<]*)<\/Message>/.exec(xml)?.[1]),
    requestId: unescapeXml(/<RequestID>([^<]*)<\/RequestID>/.exec(xml)?.[1]),
  };
}
