// Workflows in the cloud: one Step Functions state machine per statemachines/<name>.asl.json,
// deployed by the stateless stack, whose ARNs reach the api Lambda as IPAM_STATE_MACHINE_ARNS.
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowInput, WorkflowStart, Workflows } from '../../ports/workflows.ts';

interface StepFunctionsWorkflowsOptions {
  client: SFNClient;
  /** State machine ARN by workflow name (the file's basename). */
  stateMachineArns: Record<string, string>;
}

export class StepFunctionsWorkflows implements Workflows {
  private readonly client: SFNClient;
  private readonly stateMachineArns: Record<string, string>;

  constructor(options: StepFunctionsWorkflowsOptions) {
    this.client = options.client;
    this.stateMachineArns = options.stateMachineArns;
  }

  async start({ workflow, executionId, args }: WorkflowStart): Promise<void> {
    const stateMachineArn = this.stateMachineArns[workflow];
    if (!stateMachineArn) throw new Error(`No state machine ARN for workflow '${workflow}' in IPAM_STATE_MACHINE_ARNS`);
    const input: WorkflowInput = { executionId, args };
    try {
      // The execution name is the execution id: starting the same execution twice starts it once.
      await this.client.send(new StartExecutionCommand({ stateMachineArn, name: executionId, input: JSON.stringify(input) }));
    } catch (error) {
      // Running with the same input is not even an error; already closed (or a different input) is.
      // Either way the execution exists, which is all a start promises.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
