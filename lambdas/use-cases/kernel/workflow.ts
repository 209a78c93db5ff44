// Starting a workflow the durable way: the execution record is committed in the same transaction
// as the pending state it will settle, then the workflow is started. If the start is lost (a
// crash, an unreachable engine), the open record is resumed later, so nothing stays pending.
import { randomUUID } from 'node:crypto';
import type { LifecycleResource, Transition, WorkflowExecution, WorkflowName } from '../../domain/model/execution.ts';
import type { Write } from '../../ports/store.ts';
import type { Dependencies } from './context.ts';
import { type Announcement, outboxFor } from './outbox.ts';

/** `announcements` are the events of the pending state: committed with it, delivered before the workflow starts (so before its own). */
export async function commitAndStart(
  deps: Dependencies,
  writes: Write[],
  workflow: WorkflowName,
  args: Record<string, unknown>,
  announcements: readonly Announcement[] = [],
): Promise<void> {
  const execution: WorkflowExecution = {
    executionId: randomUUID(),
    workflow,
    args,
    status: 'open',
    startedAt: deps.now().toISOString(),
    version: 1,
  };
  const outbox = outboxFor(deps, announcements);
  await deps.store.commit([...writes, { op: 'create', entity: { type: 'execution', value: execution } }, ...outbox.writes]);
  await outbox.deliver();
  try {
    await deps.workflows.start({ workflow, executionId: execution.executionId, args });
  } catch (error) {
    // The state change is committed and its open execution record will be resumed; the caller
    // must not see a failure for work that will still happen.
    deps.log.error('workflow did not start; it stays open to be resumed', { workflow, executionId: execution.executionId, error });
  }
}

/** Commits `writes`, which leave the record `${transition}-in-progress`, and starts settle-state to finish it. */
export const commitAndSettle = (
  deps: Dependencies,
  writes: Write[],
  resourceType: LifecycleResource,
  id: string,
  transition: Transition,
): Promise<void> => commitAndStart(deps, writes, 'settle-state', { resourceType, id, transition });
