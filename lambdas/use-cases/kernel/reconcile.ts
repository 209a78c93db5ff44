// The reconciler: nothing stays pending for ever, nothing committed goes unannounced. Every async
// change commits an open execution record with its pending state (workflow.ts); if the start is
// lost, or a run ends without closing the record, the record stays open. This finds the open
// records past a grace period (a younger one may still be starting) that no run is working on and
// starts them again: every task is idempotent, so a run from the first state finishes the job once.
// It runs on a schedule (an EventBridge rule in the cloud, a timer under `npm start`) and publishes
// how many executions are open and how old the oldest is, which the open-executions alarm watches.
// Each run also offers again the events the outbox still holds (outbox.ts redeliverEvents), past
// the same grace period.
import type { WorkflowExecution } from '../../domain/model/execution.ts';
import { RECONCILER_METRICS } from '../../domain/monitoring.ts';
import type { MetricDatum } from '../../ports/metrics.ts';
import type { SweepDependencies } from './context.ts';
import { type RedeliveryReport, redeliverEvents } from './outbox.ts';

export type ReconcileDependencies = Pick<SweepDependencies, 'store' | 'workflows' | 'log' | 'metrics' | 'now'>;

export interface ReconcileOptions {
  /** Open executions younger than this are left alone: the request that committed them may still be starting them. */
  graceSeconds: number;
}

export interface ReconcileReport {
  /** Open execution records, including those within the grace period. */
  open: number;
  /** Age of the oldest open record (0 when none is open). */
  oldestAgeSeconds: number;
  /** Past the grace period and still being run. */
  running: number;
  /** Started again by this run. */
  restarted: string[];
  /** Could not be started again (logged; they stay open for the next run). */
  failed: string[];
}

export async function reconcileWorkflows(deps: ReconcileDependencies, options: ReconcileOptions): Promise<ReconcileReport> {
  const now = deps.now().getTime();
  const ageSeconds = (execution: WorkflowExecution) => Math.max(0, Math.floor((now - Date.parse(execution.startedAt)) / 1000));
  const open = await deps.store.listOpenExecutions();
  const report: ReconcileReport = {
    open: open.length,
    oldestAgeSeconds: Math.max(0, ...open.map(ageSeconds)),
    running: 0,
    restarted: [],
    failed: [],
  };
  for (const execution of open) {
    if (ageSeconds(execution) < options.graceSeconds) continue;
    const { executionId, workflow, args, startedAt } = execution;
    try {
      if ((await deps.workflows.resume({ workflow, executionId, args })) === 'running') {
        report.running++;
        continue;
      }
      deps.log.warn('open workflow execution restarted', { executionId, workflow, startedAt });
      report.restarted.push(executionId);
    } catch (error) {
      // One execution that cannot be started must not keep the others waiting.
      deps.log.error('open workflow execution could not be restarted', { executionId, workflow, startedAt, error });
      report.failed.push(executionId);
    }
  }
  const dimensions = { ...RECONCILER_METRICS.dimensions };
  const metrics: MetricDatum[] = [
    { name: RECONCILER_METRICS.open, unit: 'Count', value: report.open, dimensions },
    { name: RECONCILER_METRICS.oldestAge, unit: 'Seconds', value: report.oldestAgeSeconds, dimensions },
  ];
  await deps.metrics.publish(metrics);
  return report;
}

/** One run of the reconciler: open executions, then undelivered events (the report's `events`). */
export async function reconcile(
  deps: ReconcileDependencies & Pick<SweepDependencies, 'events' | 'outboxForgetter'>,
  options: ReconcileOptions,
): Promise<ReconcileReport & { events: RedeliveryReport }> {
  const workflows = await reconcileWorkflows(deps, options);
  return { ...workflows, events: await redeliverEvents(deps, options) };
}
