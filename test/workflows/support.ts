// Scripted task runners for workflow tests: they record every task call and close the execution
// record on finishExecution the way the real task runner does.
import type { WorkflowExecution, WorkflowName } from '../../lambdas/domain/model/execution.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import type { TaskEvent } from '../../lambdas/ports/workflows.ts';

/** What a scripted task does on its nth call (1-based); throwing fails the task. */
export type ScriptedTask = (event: TaskEvent, call: number) => unknown;

export function named(name: string, message = `${name} happened`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export function scriptedRunner(store: Store, script: Record<string, ScriptedTask> = {}) {
  const calls: TaskEvent[] = [];
  const counts = new Map<string, number>();
  const runTask = async (event: TaskEvent): Promise<Record<string, unknown>> => {
    calls.push(structuredClone(event));
    const call = (counts.get(event.task) ?? 0) + 1;
    counts.set(event.task, call);
    await script[event.task]?.(event, call);
    if (event.task === 'finishExecution') await closeExecution(store, event);
    return { done: event.task };
  };
  return { runTask, calls, tasks: () => calls.map((event) => event.task) };
}

async function closeExecution(store: Store, event: TaskEvent): Promise<void> {
  const execution = await store.getExecution(event.executionId);
  if (execution?.status !== 'open') return;
  const closed: WorkflowExecution = {
    ...execution,
    status: event.error ? 'failed' : 'succeeded',
    finishedAt: new Date().toISOString(),
    error: event.error ? `${event.error.Error}: ${event.error.Cause}` : undefined,
  };
  await store.commit([{ op: 'update', entity: { type: 'execution', value: closed } }]);
}

let sequence = 0;

export async function seedExecution(
  store: Store,
  workflow: WorkflowName,
  overrides: Partial<WorkflowExecution> = {},
): Promise<WorkflowExecution> {
  sequence++;
  const execution: WorkflowExecution = {
    executionId: `exec-${process.pid}-${Date.now()}-${sequence}`,
    workflow,
    args: { poolId: `ipam-pool-${sequence}`, poolCidrId: `ipam-pool-cidr-${sequence}` },
    status: 'open',
    startedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)).toISOString(),
    version: 1,
    ...overrides,
  };
  await store.commit([{ op: 'create', entity: { type: 'execution', value: execution } }]);
  return execution;
}

/** A promise with its resolver, for tasks that wait on the test. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves to 'pending' if `promise` has not settled after `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then(() => 'settled' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
