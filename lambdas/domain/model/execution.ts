// What keeps requests and background work exactly-once: client tokens, workflow runs, the sweep lease.
import type { Versioned } from './record.ts';

/** A ClientToken remembered with a hash of the request and the first result. */
export interface ClientTokenRecord extends Versioned {
  accountId: string;
  action: string;
  clientToken: string;
  requestHash: string;
  /** JSON of the first response; absent while the first request is still running. */
  response?: string;
  startedAt: string;
}

/** One workflow per file: statemachines/<name>.asl.json. */
export type WorkflowName =
  | 'resource-creation'
  | 'provision-pool-cidr'
  | 'provision-byoip-cidr'
  | 'provision-byoasn'
  | 'provision-byoip-range'
  | 'import-byoip-cidr'
  | 'deprovision-pool-cidr'
  | 'delete-pool'
  | 'delete-ipam'
  | 'settle-state';

/** The records whose lifecycle states resource-creation and settle-state move (their args' resourceType). */
export type LifecycleResource = 'ipam' | 'scope' | 'pool' | 'resource-discovery' | 'resource-discovery-association';

/** What settle-state finishes (its args' transition): X-in-progress → X-complete, or the record removed. */
export type Transition = 'modify' | 'delete' | 'associate' | 'disassociate';

/**
 * One run of a workflow (statemachines/<workflow>.asl.json), recorded in the same commit as the
 * pending state it will settle, and closed by the workflow's last task. An open record is the
 * promise that something will finish the job: the reconciler (use-cases/kernel/reconcile.ts)
 * starts again the open ones nothing runs.
 */
export interface WorkflowExecution extends Versioned {
  /** Also the Step Functions execution name (a restart's is `<executionId>-r<n>`). */
  executionId: string;
  workflow: WorkflowName;
  args: Record<string, unknown>;
  status: 'open' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** Why it failed: the error the workflow's Catch caught. */
  error?: string;
}

/** "One sweep at a time": a lease item taken with a conditional write. */
export interface SweepLease extends Versioned {
  holder: string;
  /** ISO time after which another sweep may take the lease (a crashed sweep never blocks for long). */
  leaseUntil: string;
}
