// Workflows in the cloud: one Step Functions state machine per statemachines/<name>.asl.json,
// deployed by the stateless stack, whose ARNs reach the api Lambda (and the reconciler) as
// IPAM_STATE_MACHINE_ARNS.
//
// Execution names: the first run is named by the execution id, so a repeated start is harmless
// (StartExecution with the same name and input on an open execution succeeds without a second
// run). A closed execution's name cannot be used again for 90 days, so the reconciler's restarts
// are named `<executionId>-r1`, `-r2`, …: the first unused one, so two reconcilers racing start
// the same name, hence once.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { WorkflowInput, WorkflowStart, Workflows } from '../../ports/workflows.ts';

interface StepFunctionsWorkflowsOptions {
  client: SFNClient;
  /** State machine ARN by workflow name (the file's basename). */
  stateMachineArns: Record<string, string>;
}

/**
 * Restarts of one execution before the reconciler gives up on it: a workflow that ended ten times
 * without closing its record needs a human (the open-executions alarm says so), not an eleventh run.
 */
export const MAX_RESTARTS = 10;

/** Not closed: running, or a redrive about to run it. */
const OPEN_STATUSES: ReadonlySet<ExecutionStatus | undefined> = new Set(['RUNNING', 'PENDING_REDRIVE']);

export const restartName = (executionId: string, restart: number): string => (restart === 0 ? executionId : `${executionId}-r${restart}`);

export class StepFunctionsWorkflows implements Workflows {
  private readonly client: SFNClient;
  private readonly stateMachineArns: Record<string, string>;

  constructor(options: StepFunctionsWorkflowsOptions) {
    this.client = options.client;
    this.stateMachineArns = options.stateMachineArns;
  }

  async start(start: WorkflowStart): Promise<void> {
    await this.startNamed(this.stateMachineArn(start), start.executionId, start);
  }

  async resume(start: WorkflowStart): Promise<'running' | 'started'> {
    const stateMachineArn = this.stateMachineArn(start);
    for (let restart = 0; restart <= MAX_RESTARTS; restart++) {
      const name = restartName(start.executionId, restart);
      const status = await this.status(stateMachineArn, name);
      if (status === 'absent') {
        await this.startNamed(stateMachineArn, name, start);
        return 'started';
      }
      if (OPEN_STATUSES.has(status)) return 'running';
    }
    throw new Error(
      `Execution ${start.executionId} (${start.workflow}) ended ${MAX_RESTARTS + 1} times without closing its record; not restarted again`,
    );
  }

  private stateMachineArn({ workflow }: WorkflowStart): string {
    const stateMachineArn = this.stateMachineArns[workflow];
    if (!stateMachineArn) throw new Error(`No state machine ARN for workflow '${workflow}' in IPAM_STATE_MACHINE_ARNS`);
    return stateMachineArn;
  }

  private async startNamed(stateMachineArn: string, name: string, { executionId, args }: WorkflowStart): Promise<void> {
    const input: WorkflowInput = { executionId, args };
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      // Running with the same input is not even an error; already closed (or a different input) is.
      // Either way the execution exists, which is all a start promises.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }

  private async status(stateMachineArn: string, name: string): Promise<ExecutionStatus | 'absent'> {
    // arn:aws:states:<region>:<account>:stateMachine:<machine> → …:execution:<machine>:<name>
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      const { status } = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return status as ExecutionStatus; // always present on a described execution
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return 'absent';
      throw error;
    }
  }
}
