// `POST /local/discovery-sweeps` under `npm start`: one discovery sweep now, for tests and for
// `npm run sweep`. Signed like any API request (SigV4 for service ec2, any configured key); the
// answer is the sweep's report as JSON once it has finished, errors in the JSON API's shape.
import { randomUUID } from 'node:crypto';
import { toIpamError } from '../../domain/errors.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import type { SweepReport } from '../../use-cases/discovery-sweep.ts';
import { verifySignature } from '../ec2-query/sigv4.ts';
import type { HttpRequest, HttpResponse } from '../http/handle-api-request.ts';
import { encodeJsonError } from '../json-api/codec.ts';

export const DISCOVERY_SWEEP_ROUTE = 'POST /local/discovery-sweeps';

export function discoverySweepEndpoint(options: { credentials: CredentialStore; sweep: () => Promise<SweepReport> }) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const requestId = randomUUID();
    const headers = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId };
    try {
      await verifySignature(request, options.credentials);
      return { statusCode: 200, headers, body: JSON.stringify(await options.sweep()) };
    } catch (thrown) {
      const error = toIpamError(thrown);
      if (error.httpStatus >= 500) console.error(`sweep request ${requestId} failed:`, thrown);
      return { statusCode: error.httpStatus, headers, body: encodeJsonError(error, requestId) };
    }
  };
}
