// A stand-in for AWS JSON-protocol endpoints (Secrets Manager, Step Functions) on 127.0.0.1, for
// code that builds its own SDK clients in another process: point AWS_ENDPOINT_URL_SECRETS_MANAGER
// / AWS_ENDPOINT_URL_SFN at it. Each call is recorded with its operation and input.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeCall {
  /** The X-Amz-Target header, e.g. secretsmanager.GetSecretValue. */
  target: string;
  input: Record<string, unknown>;
}

export interface FakeAwsEndpoint {
  url: string;
  calls: FakeCall[];
  close(): Promise<void>;
}

/** The output of the call; one with `__type` is answered as that error. */
export type FakeReply = (call: FakeCall) => Record<string, unknown> | undefined;

export function startFakeAwsEndpoint(reply: FakeReply): Promise<FakeAwsEndpoint> {
  const calls: FakeCall[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const call = { target: String(request.headers['x-amz-target']), input: JSON.parse(Buffer.concat(chunks).toString() || '{}') };
      calls.push(call);
      const output = reply(call);
      // A reply with a __type is an error of that type, as the JSON protocols send one.
      response
        .writeHead(output && !('__type' in output) ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(output ?? { __type: 'UnknownOperationException', message: `no fake for ${call.target}` }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        calls,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}
