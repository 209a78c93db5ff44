// `POST /local/discovery-sweeps` under `npm start`: one discovery sweep now, for tests and for
// `npm run sweep`. Signed like any API request (SigV4 for service ec2) and for administrators
// only — the administrator account, or its organisation's delegated IPAM administrator: a sweep
// reads every account and its report counts them all. The answer is JSON:
// `200 { sweepId, ...report }` once the sweep this request started has finished, or at once
// `202 { sweepId, status: "running" }` when a sweep was already running (it is not queued behind
// it); errors in the JSON API's shape.
import { randomUUID } from 'node:crypto';
import { IpamError, toIpamError } from '../../domain/errors.ts';
import { ipamAdministrator } from '../../domain/organization.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import type { OrganizationDirectory } from '../../ports/organization.ts';
import { verifySignature } from '../http/sigv4.ts';
import type { HttpRequest, HttpResponse } from '../http/handle-api-request.ts';
import { encodeJsonError } from '../json-api/codec.ts';
import type { TriggeredSweep } from './sweep-scheduler.ts';

export const DISCOVERY_SWEEP_ROUTE = 'POST /local/discovery-sweeps';

interface DiscoverySweepEndpointOptions {
  credentials: CredentialStore;
  /** The account whose keys may start sweeps: the local administrator (IPAM_ACCOUNT_ID). */
  administratorAccount: string;
  /** Where the delegated IPAM administrator is found: its keys may start sweeps too. */
  organization: OrganizationDirectory;
  /** Starts a sweep, or joins the running one (SweepScheduler.trigger). */
  trigger: () => TriggeredSweep;
}

export function discoverySweepEndpoint(options: DiscoverySweepEndpointOptions) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const requestId = randomUUID();
    const headers = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId };
    try {
      const caller = await verifySignature(request, options.credentials);
      if (!(await mayStartSweeps(options, caller.accountId))) {
        throw new IpamError(
          'UnauthorizedOperation',
          `Access key ${caller.accessKeyId} may not start discovery sweeps: only the administrator account or the delegated IPAM administrator may`,
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

async function mayStartSweeps(options: DiscoverySweepEndpointOptions, accountId: string): Promise<boolean> {
  if (accountId === options.administratorAccount) return true;
  const org = await options.organization.organizationOf(accountId);
  return org !== undefined && ipamAdministrator(org) === accountId;
}
