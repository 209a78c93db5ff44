// Fixtures and real-SDK harnesses for the codec tests: the captured wire samples (test/fixtures), the JS SDK's
// own query serializer (to get the exact bytes it sends) and its own XML parser (via a stub
// HTTP server it talks to).
import * as ec2 from '@aws-sdk/client-ec2';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const samplesDir = fileURLToPath(new URL('../../fixtures/wire-samples/', import.meta.url));

export interface CapturedRequest {
  file: string;
  action: string;
  variant: string | null;
  body: string;
}

/** Every `requests/*.txt`: the body is everything after the first empty line (files use LF). */
export function capturedRequests(): CapturedRequest[] {
  const index = JSON.parse(readFileSync(`${samplesDir}requests/index.json`, 'utf8')) as { requests: CapturedRequest[] };
  const byFile = new Map(index.requests.map((request) => [request.file, request]));
  return readdirSync(`${samplesDir}requests`)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const raw = readFileSync(`${samplesDir}requests/${file}`, 'utf8');
      const described = byFile.get(file);
      if (!described) throw new Error(`${file} is not in requests/index.json`);
      return { file, action: described.action, variant: described.variant, body: raw.slice(raw.indexOf('\n\n') + 2) };
    });
}

export function capturedBody(file: string): string {
  const request = capturedRequests().find((candidate) => candidate.file === file);
  if (!request) throw new Error(`no captured request ${file}`);
  return request.body;
}

export function responseSamples(): { file: string; action: string; xml: string }[] {
  return readdirSync(`${samplesDir}responses`)
    .filter((file) => file.endsWith('.xml'))
    .sort()
    .map((file) => ({
      file,
      action: file.replace(/\.xml$/, '').split('-')[0],
      xml: readFileSync(`${samplesDir}responses/${file}`, 'utf8'),
    }));
}

const sdkExports = ec2 as unknown as Record<string, unknown>;
type AnyCommand = new (input: unknown) => Parameters<ec2.EC2Client['send']>[0];

function command(action: string, input: unknown) {
  const Command = sdkExports[`${action}Command`] as AnyCommand | undefined;
  if (!Command) throw new Error(`the JS SDK has no ${action}Command`);
  return new Command(input);
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

class BodyCaptured extends Error {
  body: string;
  constructor(body: string) {
    super('body captured');
    this.body = body;
  }
}

let captureClient: ec2.EC2Client | undefined;

/** The form body the JS SDK itself sends for `input`; the request is stopped before any I/O. */
export async function sdkQueryBody(action: string, input: unknown): Promise<string> {
  if (!captureClient) {
    captureClient = new ec2.EC2Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials, maxAttempts: 1 });
    captureClient.middlewareStack.add(
      () => async (args) => {
        throw new BodyCaptured(String((args.request as { body: unknown }).body));
      },
      { step: 'build', name: 'captureBody' },
    );
  }
  try {
    await captureClient.send(command(action, input));
  } catch (error) {
    if (error instanceof BodyCaptured) return error.body;
    throw error;
  }
  throw new Error('the SDK sent the request');
}

export interface StubEc2 {
  /** Answers the next request with this status and XML body (and the request id header). */
  send(action: string, reply: { status?: number; xml: string; requestId?: string }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A node:http server that answers with canned XML, and an EC2Client pointed at it. */
export async function startStubEc2(): Promise<StubEc2> {
  let reply = { status: 200, xml: '', requestId: '' };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(reply.status, { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': reply.requestId });
      response.end(reply.xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new ec2.EC2Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials, maxAttempts: 1 });
  return {
    async send(action, { status = 200, xml, requestId = 'req-stub' }) {
      reply = { status, xml, requestId };
      const { $metadata: _metadata, ...output } = (await client.send(command(action, {}))) as unknown as Record<string, unknown>;
      return output;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
