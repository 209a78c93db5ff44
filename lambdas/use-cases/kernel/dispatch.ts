// Runs one decoded, validated request: DryRun answer, ClientToken idempotency, then the use case;
// then tells discovery what the action changed, or first waits for discovery to catch up (spec.discovery).
import { IpamError, messages } from '../../domain/errors.ts';
import { ACTIONS, serviceActionOf } from './actions.ts';
import type { ActionSpec } from './actions.ts';
import { type Dependencies, type Input, type Output, type RequestContext, type UseCase, upstreamOf } from './context.ts';
import { runOnce } from './idempotency.ts';
import { StoreConflict } from '../../ports/store.ts';

export async function dispatch(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output> {
  const spec = ACTIONS[action];
  if (!spec || (spec.ec2Companion && deps.ec2Companions === 'off')) throw new IpamError('InvalidAction', messages.invalidAction(action));
  const { DryRun, ClientToken, ...params } = input;
  // The codec validated params against this action's model: the input its use case declares.
  const authorize = spec.authorize && (() => spec.authorize!(deps, context, params as never));
  // A DryRun that passed validation and the action's authorisation (who may call it: the pool's
  // owner or a principal, the management account) would have succeeded.
  if (DryRun === true) {
    await authorize?.();
    throw new IpamError('DryRunOperation', messages.dryRun());
  }
  if (spec.discovery === 'reads') await deps.discoveryChanges?.settled();
  const run = (runContext = context) => runOf(deps, action, spec)(deps, runContext, params as never).catch(lostRaceIsRetriable);
  // A preview changes nothing, so it has nothing to repeat.
  const output =
    !spec.idempotent || typeof ClientToken !== 'string' || params.PreviewNextCidr === true
      ? await run()
      : await runOnce(
          deps,
          context,
          { action, clientToken: ClientToken, params, inCommit: spec.idempotent === 'in-commit', authorize },
          run,
        );
  // After the answer is decided, off its path: the refresh runs in the background.
  if (spec.discovery === 'changes') deps.discoveryChanges?.changed(context.accountId, context.region);
  return output;
}

/** The JSON API's dispatch: this service's own actions (SERVICE_ACTIONS), then EC2's. */
export async function dispatchJson(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output> {
  const service = serviceActionOf(action);
  if (!service) return dispatch(deps, context, action, input);
  return service.run(deps, context, input as never).catch(lostRaceIsRetriable);
}

/**
 * A lost race that reached the caller (a commit no retry loop covers, such as a DynamoDB
 * TransactionConflict): nothing was written, so it is EC2's retriable 503, not InternalError.
 */
function lostRaceIsRetriable(error: unknown): never {
  if (error instanceof StoreConflict) {
    throw new IpamError('RequestLimitExceeded', 'A concurrent change to the same resource won; try again');
  }
  throw error;
}

/**
 * The use case of an action on this host. In forwarding mode an action runs its `forward` (a
 * companion's IPAM part here, the resource upstream), or a companion without one is the upstream's
 * own action — the EC2 Query protocol passes those through before decoding; the JSON API reaches
 * them here.
 */
function runOf(deps: Dependencies, action: string, spec: ActionSpec): UseCase {
  if (deps.ec2Companions !== 'forwarding') return spec.run;
  if (spec.forward) return spec.forward;
  if (!spec.ec2Companion) return spec.run;
  const upstream = upstreamOf(deps);
  return (_deps, context, input: Input) => upstream.call(context.region, action, input);
}
