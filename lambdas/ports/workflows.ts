// Long operations run as workflows: Amazon States Language files in statemachines/, executed by
// Step Functions in the cloud and by a local engine under `npm start`. A use case commits the
// pending state together with an execution record (so nothing is lost if the start fails), then
// starts the workflow; every Task state calls one task runner with a task name.
import type { WorkflowName } from '../domain/model/execution.ts';

export interface WorkflowStart {
  workflow: WorkflowName;
  /** Also the Step Functions execution name, so a repeated start is harmless. */
  executionId: string;
  args: Record<string, unknown>;
}

/** The state input every execution starts with. */
export interface WorkflowInput {
  executionId: string;
  args: Record<string, unknown>;
}

/** What a Task state sends to the task runner (its Parameters). */
export interface TaskEvent {
  task: string;
  executionId: string;
  args: Record<string, unknown>;
  /** Set on the failure branch: the error a Catch caught. */
  error?: { Error?: string; Cause?: string };
}

/** Runs one Task state: the workflow-task Lambda in the cloud, the local engine in-process. */
export type TaskRunner = (event: TaskEvent) => Promise<Record<string, unknown>>;

export interface Workflows {
  start(start: WorkflowStart): Promise<void>;
  /**
   * For the reconciler (use-cases/kernel/reconcile.ts): starts the execution again unless a run of
   * it is still going. `started` when this call started one; `running` when one was running already.
   */
  resume(start: WorkflowStart): Promise<'running' | 'started'>;
}
