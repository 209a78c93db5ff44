// ClientToken idempotency: the first request with a token runs; a retry with the same token and
// the same parameters gets the first result again; other parameters get IdempotentParameterMismatch.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IpamError } from '../domain/errors.ts';
import type { ClientTokenRecord } from '../domain/model.ts';
import { StoreConflict } from '../ports/store.ts';
import type { Dependencies, Input, Output, RequestContext } from './context.ts';

/** A claim older than this belongs to a request that died; a retry may take it over. */
const ABANDONED_AFTER_MS = 60_000;
const WAIT_FOR_FIRST_MS = 100;
const MAX_ROUNDS = 600;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function runOnce(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  clientToken: string,
  params: Input,
  run: () => Promise<Output>,
): Promise<Output> {
  const requestHash = createHash('sha256').update(canonicalJson(params)).digest('hex');
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const existing = await deps.store.getClientToken(context.accountId, action, clientToken);
    if (existing && existing.requestHash !== requestHash) {
      throw new IpamError('IdempotentParameterMismatch', `The client token '${clientToken}' was already used with different parameters`);
    }
    if (existing?.response) return JSON.parse(existing.response) as Output;
    if (existing && deps.now().getTime() - Date.parse(existing.startedAt) < ABANDONED_AFTER_MS) {
      await sleep(WAIT_FOR_FIRST_MS); // the first request is still running
      continue;
    }
    const claim: ClientTokenRecord = {
      accountId: context.accountId,
      action,
      clientToken,
      requestHash,
      startedAt: deps.now().toISOString(),
      version: existing ? existing.version : 1,
    };
    try {
      // Invariant: exactly one request holds the token's claim at a time.
      await deps.store.commit([existing ? { op: 'update', entity: { type: 'client-token', value: claim } } : { op: 'create', entity: { type: 'client-token', value: claim } }]);
    } catch (error) {
      if (error instanceof StoreConflict) continue;
      throw error;
    }
    const claimed = { ...claim, version: existing ? existing.version + 1 : 1 };
    let output: Output;
    try {
      output = await run();
    } catch (error) {
      // Errors are not remembered: a retry with the same token runs again.
      await deps.store.commit([{ op: 'delete', entity: { type: 'client-token', value: claimed } }]).catch(() => undefined);
      throw error;
    }
    await deps.store.commit([{ op: 'update', entity: { type: 'client-token', value: { ...claimed, response: JSON.stringify(output) } } }]);
    return output;
  }
  throw new IpamError('RequestLimitExceeded', `The request with client token '${clientToken}' is still in progress; try again`);
}
