// ClientToken idempotency: the first request with a token runs; a retry with the same token and
// the same parameters gets the first result again; other parameters get IdempotentParameterMismatch.
//
// Two ways to remember the result. Most actions claim the token first, run, then store the
// result (the claim makes a concurrent twin wait). Actions marked 'in-commit' — the hot path,
// AllocateIpamPoolCidr, which every SDK sends with a token — write the token with the result in
// their own commit instead, and run without reading the token first: a retry or a twin runs
// too, its commit fails whole on the token, and only then is the token read for the first
// answer (or IdempotentParameterMismatch). The usual request costs no extra round trip.
//
// A token is honoured for a day (domain/expiry.ts). An expired token still in the table (DynamoDB's
// TTL deletes late, DynamoDB Local never) reads as absent, and the next request with it replaces it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpamError } from '../../domain/errors.ts';
import { isExpiredClientToken } from '../../domain/expiry.ts';
import type { ClientTokenRecord } from '../../domain/model/execution.ts';
import { StoreConflict, StoreUnavailable, type Write } from '../../ports/store.ts';
import type { Dependencies, Input, Output, RequestContext, TokenInCommit } from './context.ts';

/** A claim older than this belongs to a request that died; a retry may take it over. */
const ABANDONED_AFTER_MS = 60_000;
const WAIT_FOR_FIRST_MS = 100;
const MAX_ROUNDS = 600;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface TokenRequest {
  action: string;
  clientToken: string;
  params: Input;
  /** The action records the token in its own commit (ActionSpec idempotent: 'in-commit'). */
  inCommit: boolean;
  /**
   * Throws when the caller may no longer do what the token's first request did (a principal whose
   * share was revoked): run before a remembered answer is returned, so a retry cannot outlive access.
   */
  authorize?: () => Promise<unknown>;
}

/** Whether the request that claimed the token died: it is too old, or older than the only process serving the store. */
function abandoned(deps: Dependencies, claim: ClientTokenRecord): boolean {
  const startedAt = Date.parse(claim.startedAt);
  return deps.now().getTime() - startedAt >= ABANDONED_AFTER_MS || startedAt < (deps.soleServerSince?.getTime() ?? 0);
}

/** A request with the same token committed while this one ran; this one's commit was undone. */
export class TokenTaken extends Error {
  constructor() {
    super('The client token was taken by a concurrent request');
    this.name = 'TokenTaken';
  }
}

export async function runOnce(
  deps: Dependencies,
  context: RequestContext,
  { action, clientToken, params, inCommit, authorize = async () => undefined }: TokenRequest,
  run: (context: RequestContext) => Promise<Output>,
): Promise<Output> {
  const requestHash = createHash('sha256').update(canonicalJson(params)).digest('hex');
  if (inCommit) return runWithTokenInCommit(deps, context, action, clientToken, requestHash, run, authorize);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stored = await deps.store.getClientToken(context.accountId, action, clientToken);
    const existing = unexpired(deps, stored);
    if (existing && existing.requestHash !== requestHash) throw parameterMismatch(clientToken);
    if (existing?.response) {
      await authorize();
      return JSON.parse(existing.response) as Output;
    }
    if (existing && !abandoned(deps, existing)) {
      await sleep(WAIT_FOR_FIRST_MS); // the first request is still running
      continue;
    }
    const claim: ClientTokenRecord = {
      accountId: context.accountId,
      action,
      clientToken,
      requestHash,
      startedAt: deps.now().toISOString(),
      version: stored ? stored.version : 1,
    };
    try {
      // Invariant: exactly one request holds the token's claim at a time. Taking over an abandoned
      // claim or an expired token updates the one read, so of two requests taking it over one wins.
      await deps.store.commit([
        stored
          ? { op: 'update', entity: { type: 'client-token', value: claim } }
          : { op: 'create', entity: { type: 'client-token', value: claim } },
      ]);
    } catch (error) {
      if (error instanceof StoreConflict) continue;
      throw error;
    }
    const claimed = { ...claim, version: stored ? stored.version + 1 : 1 };
    let output: Output;
    try {
      output = await run(context);
    } catch (error) {
      // Errors are not remembered: a retry with the same token runs again.
      await settleClaim(deps, claimed, { op: 'delete', entity: { type: 'client-token', value: claimed } });
      throw error;
    }
    await settleClaim(deps, claimed, {
      op: 'update',
      entity: { type: 'client-token', value: { ...claimed, response: JSON.stringify(output) } },
    });
    return output;
  }
  throw new IpamError('RequestLimitExceeded', `The request with client token '${clientToken}' is still in progress; try again`);
}

/**
 * Gives the claim its answer, or gives it up after an error. Neither may fail the request (after a
 * change, its retry would make it twice): a transaction that touched the token meanwhile is retried
 * while the claim is still ours, and a store that stays unavailable leaves the claim as it is (a
 * retry with the token then waits for it to be abandoned) rather than answering 503.
 */
async function settleClaim(deps: Dependencies, claimed: ClientTokenRecord, write: Write): Promise<void> {
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        // Invariant: the claim is still the one this request took, so only its holder settles it.
        await deps.store.commit([write]);
        return;
      } catch (error) {
        if (!(error instanceof StoreConflict)) throw error;
      }
      const stored = await deps.store.getClientToken(claimed.accountId, claimed.action, claimed.clientToken);
      // Gone, or taken over after it was thought abandoned: the request that took it answers for itself.
      if (stored?.version !== claimed.version || stored.response) return;
    }
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    deps.log.warn('client token claim left unsettled: the store was unavailable', { action: claimed.action, error });
  }
}

/** The token as readers see it: gone once it expired, whether or not TTL deleted it yet. */
const unexpired = (deps: Dependencies, token: ClientTokenRecord | undefined) =>
  token && !isExpiredClientToken(token, deps.now()) ? token : undefined;

const parameterMismatch = (clientToken: string) =>
  new IpamError('IdempotentParameterMismatch', `The client token '${clientToken}' was already used with different parameters`);

async function runWithTokenInCommit(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  clientToken: string,
  requestHash: string,
  run: (context: RequestContext) => Promise<Output>,
  authorize: () => Promise<unknown>,
): Promise<Output> {
  const token = tokenInCommit(deps, context, action, clientToken, requestHash);
  try {
    return await run({ ...context, clientToken: token });
  } catch (error) {
    // A token with an answer decides, whatever this run ran into: a retry of an allocation gets
    // its first answer even once the pool is full.
    const existing = unexpired(deps, await deps.store.getClientToken(context.accountId, action, clientToken));
    if (existing && existing.requestHash !== requestHash) throw parameterMismatch(clientToken);
    if (existing?.response) {
      await authorize();
      return JSON.parse(existing.response) as Output;
    }
    throw error;
  }
}

function tokenInCommit(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  clientToken: string,
  requestHash: string,
): TokenInCommit {
  /** An expired token the last recheck found still stored: the next commit replaces it. */
  let expired: ClientTokenRecord | undefined;
  return {
    key: JSON.stringify([context.accountId, action, clientToken]),
    record: (output) => {
      const value = {
        accountId: context.accountId,
        action,
        clientToken,
        requestHash,
        startedAt: deps.now().toISOString(),
        response: JSON.stringify(output),
      };
      return expired
        ? // Invariant: the expired token is still the one read; a request that replaced it meanwhile makes this commit fail whole.
          { op: 'update', entity: { type: 'client-token', value: { ...value, version: expired.version } } }
        : // Invariant (create): one result per token — of two requests with it, the second commit fails whole.
          { op: 'create', entity: { type: 'client-token', value: { ...value, version: 1 } } };
    },
    async recheck() {
      const stored = await deps.store.getClientToken(context.accountId, action, clientToken);
      if (unexpired(deps, stored)) throw new TokenTaken();
      expired = stored;
    },
  };
}
