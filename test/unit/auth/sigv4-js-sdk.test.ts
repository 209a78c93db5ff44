// Requests signed right now by the real JS SDK EC2Client, received by a local HTTP server the
// way the service will receive them, verify against the current clock.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeIpamsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature, type SignedRequest } from '../../../lambdas/adapters/http/sigv4.ts';
import { EXAMPLE_KEY, staticCredentialStore } from './wire-samples.ts';

const EMPTY_DESCRIBE_IPAMS =
  '<DescribeIpamsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><ipamSet/></DescribeIpamsResponse>';

const received: SignedRequest[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    received.push(await toSignedRequest(request));
    response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(EMPTY_DESCRIBE_IPAMS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function toSignedRequest(request: IncomingMessage): Promise<SignedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: request.method!, path: request.url!, headers, body: new Uint8Array(Buffer.concat(chunks)) };
}

async function sendDescribeIpams(options: { endpointPath?: string; region?: string; sessionToken?: string }) {
  const client = new EC2Client({
    endpoint: endpoint + (options.endpointPath ?? ''),
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: EXAMPLE_KEY.accessKeyId, secretAccessKey: EXAMPLE_KEY.secretAccessKey, sessionToken: options.sessionToken },
  });
  try {
    await client.send(new DescribeIpamsCommand({ MaxResults: 5 }));
  } finally {
    client.destroy();
  }
  return received.at(-1)!;
}

describe('SigV4 verification of requests signed now by the JS SDK', () => {
  const store = staticCredentialStore(EXAMPLE_KEY);

  it('accepts a DescribeIpams call with the current clock', async () => {
    const request = await sendDescribeIpams({});
    expect(await verifySignature(request, store)).toEqual({
      accountId: EXAMPLE_KEY.accountId,
      accessKeyId: 'AKIDEXAMPLE',
      region: 'us-east-1',
      service: 'ec2',
    });
  });

  it('accepts a session token, another region and an endpoint base path', async () => {
    const request = await sendDescribeIpams({ endpointPath: '/prod', region: 'ap-southeast-2', sessionToken: 'token-not-validated' });
    expect(request.path).toBe('/prod/');
    expect(request.headers['x-amz-security-token']).toBe('token-not-validated');
    await expect(verifySignature(request, store)).resolves.toMatchObject({ region: 'ap-southeast-2' });
  });
});

describe('SigV4 verification of headers signers usually leave out', () => {
  it('verifies a signed user-agent, which the signer would drop unless told to keep it', async () => {
    const signer = new SignatureV4({
      service: 'ec2',
      region: 'us-east-1',
      credentials: EXAMPLE_KEY,
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum: false,
    });
    const body = new TextEncoder().encode('Action=DescribeIpams&Version=2016-11-15');
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: 'localhost',
        path: '/',
        query: {},
        body,
        headers: { host: 'localhost:4510', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'other-sdk/1.0' },
      },
      { signableHeaders: new Set(['user-agent']) },
    );
    expect(signed.headers.authorization).toContain('SignedHeaders=content-type;host;user-agent;x-amz-date');

    const request = { method: 'POST', path: '/', headers: signed.headers, body };
    await expect(verifySignature(request, staticCredentialStore(EXAMPLE_KEY))).resolves.toMatchObject({ region: 'us-east-1' });
  });
});

describe('SigV4 verification across the services the endpoint answers', () => {
  const store = staticCredentialStore(EXAMPLE_KEY);
  async function signedRamDelete(query: Record<string, string>): Promise<SignedRequest> {
    const signer = new SignatureV4({ service: 'ram', region: 'us-east-1', credentials: EXAMPLE_KEY, sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign({
      method: 'DELETE',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/deleteresourceshare',
      query,
      body: new Uint8Array(),
      headers: { host: 'localhost:4510' },
    });
    return {
      method: 'DELETE',
      path: '/deleteresourceshare',
      query: new URLSearchParams(query).toString(),
      headers: signed.headers,
      body: new Uint8Array(),
    };
  }
  const arn = 'arn:aws:ram:us-east-1:111122223333:resource-share/7ab63972-b505-7e2a-420d-6f5d3EXAMPLE';

  it('verifies a signed query string (RAM sends its DELETE parameters there) and names the service', async () => {
    const request = await signedRamDelete({ resourceShareArn: arn, clientToken: 'a b+c' });
    await expect(verifySignature(request, store, { services: ['ec2', 'ram'] })).resolves.toMatchObject({ service: 'ram' });
  });

  it('refuses a query string changed after signing', async () => {
    const request = await signedRamDelete({ resourceShareArn: arn });
    await expect(
      verifySignature({ ...request, query: `resourceShareArn=${encodeURIComponent(arn.replace('7ab', '8ab'))}` }, store, {
        services: ['ram'],
      }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('refuses a service the endpoint does not answer', async () => {
    const request = await signedRamDelete({ resourceShareArn: arn });
    await expect(verifySignature(request, store)).rejects.toMatchObject({ code: 'AuthFailure' });
  });
});
