// What a caller sees when DynamoDB fails. The SDK retries what is worth retrying (throttling,
// server errors, timeouts, dropped connections: its standard mode and attempts) inside each call;
// an error of those kinds that outlasts them reaches the use cases as StoreUnavailable — EC2's
// 503 `Unavailable`, which AWS clients retry — never as a 500 InternalError. The SDK's own
// classification decides, so both agree on what "retriable" means.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { IpamError } from '../../domain/errors.ts';
import { StoreUnavailable } from '../../ports/store.ts';

/**
 * A transaction sent again with its ClientRequestToken while the first is still being applied:
 * whether it landed is not known yet, and a retry will tell.
 */
const IN_PROGRESS = 'TransactionInProgressException';

export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || error instanceof IpamError) return false;
  // The classifiers read the SDK's error shape (name, $metadata, code) and take any object.
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError) || sdkError.name === IN_PROGRESS;
}

/** Turns a retriable error that survived the SDK's retries into StoreUnavailable, for every command of this client. */
export function answerUnavailableWhenRetriesRunOut(doc: DynamoDBDocumentClient): void {
  doc.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isRetriable(error)) throw error;
        const { name, message } = error as Error;
        throw new StoreUnavailable(`The IPAM store did not answer after retries (${name}: ${message}); retry the request`);
      }
    },
    // Outside the SDK's retry middleware (finalizeRequest): it sees only what retries left. Adding it
    // again (another store on the same client) replaces it.
    { step: 'initialize', name: 'answerUnavailableWhenRetriesRunOut', override: true },
  );
}
