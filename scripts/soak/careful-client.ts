// How a careful SDK caller talks to a service that may be killed under it: every mutating call
// carries a ClientToken (set by the caller, so that a retry repeats it), and a connection error,
// a 5xx or a throttle is retried with backoff until the service is back. What matters to the
// soak is whether an answer was *acknowledged* (a 200) and, for a failure, whether the request
// may have been applied anyway (an earlier attempt was cut off).
import { setTimeout as sleep } from 'node:timers/promises';
import { EC2Client } from '@aws-sdk/client-ec2';

export type Outcome<T> =
  | { ok: true; output: T; interrupted: boolean }
  /** `interrupted`: an attempt was cut off, so the request may have been applied although this answer is an error. */
  | { ok: false; code: string; message: string; interrupted: boolean };

const RETRY_FOR_MS = 180_000;
/**
 * Longer than the service's wait for a ClientToken claimed by a request that died (60 s,
 * use-cases/kernel/idempotency.ts; under `npm start` a claim older than the process is taken over
 * at once), so a retry never gives up on a claim that is about to be abandoned.
 */
const REQUEST_TIMEOUT_MS = 90_000;
const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'Unavailable', 'ServiceUnavailable']);

export function soakClient(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    endpoint: url,
    credentials,
    // Retries are ours (below), so that they span a restart and keep the ClientToken.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
}

function isRetriable(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = failure.$metadata?.httpStatusCode;
  // No status: the request never got an answer (refused, reset, timed out).
  return status === undefined || status >= 500 || status === 429 || THROTTLE_CODES.has(failure.name ?? '');
}

export class CarefulCaller {
  /** Calls that hit a connection error, 5xx or throttle at least once. */
  interrupted = 0;

  private readonly client: EC2Client;

  constructor(client: EC2Client) {
    this.client = client;
  }

  // biome-ignore lint/suspicious/noExplicitAny: any SDK command
  async send<T>(command: any): Promise<Outcome<T>> {
    const deadline = Date.now() + RETRY_FOR_MS;
    let interrupted = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const output = (await this.client.send(command)) as T;
        return { ok: true, output, interrupted };
      } catch (error) {
        if (!isRetriable(error))
          return { ok: false, code: (error as Error).name ?? 'Error', message: (error as Error).message, interrupted };
        if (!interrupted) this.interrupted++;
        interrupted = true;
        if (Date.now() > deadline)
          return { ok: false, code: `GaveUp(${(error as Error).name})`, message: (error as Error).message, interrupted };
        await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2));
      }
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
