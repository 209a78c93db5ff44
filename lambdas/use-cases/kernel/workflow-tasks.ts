// The task runner behind every Task state of statemachines/*.asl.json: the Step Functions task
// Lambda and the local engine both call runWorkflowTask. Tasks are idempotent — each re-reads
// what it changes and does nothing when the work is already done — so a retried or resumed
// execution finishes the job without doing it twice.
import type { LifecycleResource, Transition } from '../../domain/model/execution.ts';
import type { TaskEvent } from '../../ports/workflows.ts';
import type { Dependencies } from './context.ts';
import { failByoasnProvision, verifyByoasnProvision } from '../byoasn.ts';
import { verifyByoipCidr } from '../byoip-provisioning.ts';
import { failByoipRange, verifyByoipRange } from '../byoip-ranges.ts';
import { failByoipImport, importByoipCidr } from '../byoip-transfer.ts';
import { retryOnConflict } from '../free-space.ts';
import { deleteIpamPools, deleteIpamRecord } from '../ipams.ts';
import { failSettling, moveState, settleState } from '../lifecycle.ts';
import { completeDeprovision, completeProvision, failPoolCidr } from '../pool-cidrs.ts';
import { deletePoolTree } from '../pools.ts';

type TaskArgs = Record<string, unknown>;
type Task = (deps: Dependencies, args: TaskArgs, event: TaskEvent) => Promise<void>;

const text = (args: TaskArgs, name: string): string => {
  const value = args[name];
  if (typeof value !== 'string') throw new TypeError(`task argument ${name} must be a string`);
  return value;
};

/**
 * What the Catch caught, in one line for a StateMessage or FailureReason. Lambda (and the local
 * engine) put the thrown error's message in Cause as JSON `{ errorType, errorMessage }`.
 */
function reasonOf(event: TaskEvent): string {
  const cause = event.error?.Cause;
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a plain cause
  }
  return cause || event.error?.Error || 'unknown error';
}

/** The resource a delete workflow is about. */
const deleted = (args: TaskArgs): { type: LifecycleResource; id: string } =>
  typeof args.poolId === 'string' ? { type: 'pool', id: args.poolId } : { type: 'ipam', id: text(args, 'ipamId') };

/** The import-byoip-cidr workflow's args: the range (owner, Region, CIDR) and the pool CIDR it becomes. */
const importArgs = (args: TaskArgs) => ({
  ownerId: text(args, 'ownerId'),
  region: text(args, 'region'),
  cidr: text(args, 'cidr'),
  poolId: text(args, 'poolId'),
  poolCidrId: text(args, 'poolCidrId'),
});

const TASKS: Readonly<Record<string, Task>> = {
  completeCreation: (deps, args) =>
    moveState(deps, text(args, 'resourceType') as LifecycleResource, text(args, 'id'), 'create-in-progress', 'create-complete'),
  markCreateFailed: (deps, args, event) =>
    moveState(
      deps,
      text(args, 'resourceType') as LifecycleResource,
      text(args, 'id'),
      'create-in-progress',
      'create-failed',
      reasonOf(event),
    ),
  provisionPoolCidr: (deps, args) => completeProvision(deps, text(args, 'poolId'), text(args, 'poolCidrId')),
  verifyByoipCidr: (deps, args) => verifyByoipCidr(deps, text(args, 'poolId'), text(args, 'poolCidrId')),
  verifyByoasn: (deps, args) =>
    verifyByoasnProvision(deps, text(args, 'ownerId'), text(args, 'asn'), text(args, 'message'), text(args, 'signature')),
  failByoasn: (deps, args, event) => failByoasnProvision(deps, text(args, 'ownerId'), text(args, 'asn'), reasonOf(event)),
  verifyByoipRange: (deps, args) => verifyByoipRange(deps, text(args, 'ownerId'), text(args, 'region'), text(args, 'cidr')),
  failByoipRange: (deps, args, event) =>
    failByoipRange(deps, text(args, 'ownerId'), text(args, 'region'), text(args, 'cidr'), reasonOf(event)),
  importByoipCidr: (deps, args) => importByoipCidr(deps, importArgs(args)),
  failByoipImport: (deps, args, event) => failByoipImport(deps, importArgs(args), reasonOf(event)),
  deprovisionPoolCidr: (deps, args) => completeDeprovision(deps, text(args, 'poolId'), text(args, 'poolCidrId')),
  failPoolCidr: (deps, args, event) => failPoolCidr(deps, text(args, 'poolId'), text(args, 'poolCidrId'), reasonOf(event)),
  deletePoolTree: (deps, args) => deletePoolTree(deps, text(args, 'poolId'), args.cascade === true),
  deleteIpamPools: (deps, args) => deleteIpamPools(deps, text(args, 'ipamId'), args.cascade === true),
  deleteIpamRecord: (deps, args) => deleteIpamRecord(deps, text(args, 'ipamId'), args.cascade === true),
  markDeleteFailed: (deps, args, event) => {
    const { type, id } = deleted(args);
    return moveState(deps, type, id, 'delete-in-progress', 'delete-failed', reasonOf(event));
  },
  settleState: (deps, args) =>
    settleState(deps, text(args, 'resourceType') as LifecycleResource, text(args, 'id'), text(args, 'transition') as Transition),
  markSettleFailed: (deps, args, event) =>
    failSettling(
      deps,
      text(args, 'resourceType') as LifecycleResource,
      text(args, 'id'),
      text(args, 'transition') as Transition,
      reasonOf(event),
    ),
  finishExecution: (deps, _args, event) => finishExecution(deps, event),
};

export async function runWorkflowTask(deps: Dependencies, event: TaskEvent): Promise<Record<string, unknown>> {
  const task = TASKS[event.task];
  if (!task) throw new Error(`Unknown workflow task '${event.task}'`);
  await task(deps, event.args ?? {}, event);
  return {};
}

/** Closes the execution record: it leaves the open index, so it is never resumed again. */
async function finishExecution(deps: Dependencies, event: TaskEvent): Promise<void> {
  await retryOnConflict(async () => {
    const execution = await deps.store.getExecution(event.executionId);
    if (execution?.status !== 'open') return;
    await deps.store.commit([
      {
        op: 'update',
        entity: {
          type: 'execution',
          value: {
            ...execution,
            status: event.error ? 'failed' : 'succeeded',
            finishedAt: deps.now().toISOString(),
            ...(event.error ? { error: reasonOf(event) } : {}),
          },
        },
      },
    ]);
  });
}
