// Runs one decoded, validated request: DryRun answer, ClientToken idempotency, then the use case.
import { IpamError, messages } from '../../domain/errors.ts';
import { ACTIONS } from './actions.ts';
import type { Dependencies, Input, Output, RequestContext } from './context.ts';
import { runOnce } from './idempotency.ts';

export async function dispatch(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output> {
  const spec = ACTIONS[action];
  if (!spec) throw new IpamError('InvalidAction', messages.invalidAction(action));
  const { DryRun, ClientToken, ...params } = input;
  // Every authenticated caller may call every action (resources are checked per account), so a
  // DryRun that passed validation would have succeeded.
  if (DryRun === true) throw new IpamError('DryRunOperation', messages.dryRun());
  // The codec validated params against this action's model: the input its use case declares.
  const run = (runContext = context) => spec.run(deps, runContext, params as never);
  // A preview changes nothing, so it has nothing to repeat.
  if (!spec.idempotent || typeof ClientToken !== 'string' || params.PreviewNextCidr === true) return run();
  const authorize = spec.authorize && (() => spec.authorize!(deps, context, params as never));
  return runOnce(deps, context, { action, clientToken: ClientToken, params, inCommit: spec.idempotent === 'in-commit', authorize }, run);
}
