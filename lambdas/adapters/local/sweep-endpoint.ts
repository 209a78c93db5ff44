// `POST /local/discovery-sweeps` under `npm start`: one discovery sweep now, for tests and for
// `npm run sweep`. Signed like any API request (SigV4 for service ec2) and for the administrator
// account only: a sweep reads every account and its report counts them all. The answer is JSON:
// `200 { sweepId, ...report }` once the sweep this request started has finished, or at once
// `202 { sweepId, status: "running" }` when a sweep was already running (it is not queued behind
// it); errors in the JSON API's shape.
import { randomUUID } from 'node:crypto';
import { IpamError, toIpamError } from '../../domain/errors.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import { verifySignature } from '../http/sigv4.ts';
import type { HttpRequest, HttpResponse } from '../http/handle-api-request.ts';
import { encodeJsonError } from '../json-api/codec.ts';
import type { TriggeredSweep } from './sweep-scheduler.ts';

export const DISCOVERY_SWEEP_ROUTE = 'POST /local/discovery-sweeps';

interface DiscoverySweepEndpointOptions {
  credentials: CredentialStore;
  /** The account whose keys may start sweeps: the local administrator (IPAM_ACCOUNT_ID). */
  administratorAccount: string;
  /** Starts a sweep, or joins the running one (SweepScheduler.trigger). */
  trigger: () => TriggeredSweep;
}

export function discoverySweepEndpoint(options: DiscoverySweepEndpointOptions) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const requestId = randomUUID();
    const headers = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId };
    try {
      const caller = await verifySignature(request, options.credentials);
      if (caller.accountId !== options.administratorAccount) {
        throw new IpamError(
          'UnauthorizedOperation',
          `Access key ${caller.accessKeyId} may not start discovery sweeps: only the administrator account may`,
        );
      }
      const sweep = options.trigger();
      if (sweep.joined) return { statusCode: 202, headers, body: JSON.stringify({ sweepId: sweep.sweepId, status: 'running' }) };
      return { statusCode: 200, headers, body: JSON.stringify({ sweepId: sweep.sweepId, ...(await sweep.report) }) };
    } catch (thrown) {
      const error = toIpamError(thrown);
      if (error.httpStatus >= 500) console.error(`sweep request ${requestId} failed:`, thrown);
      return { statusCode: error.httpStatus, headers, body: encodeJsonError(error, requestId) };
    }
  };
}
