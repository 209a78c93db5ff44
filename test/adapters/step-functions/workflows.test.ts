// Starting a workflow in the cloud: one StartExecution on the workflow's state machine, named by
// the execution id, with the input every state machine expects; a repeated start is harmless.
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflows } from '../../../lambdas/adapters/step-functions/workflows.ts';

const sfn = mockClient(SFNClient);
const ARNS = {
  'provision-pool-cidr': 'arn:aws:states:eu-west-1:123456789012:stateMachine:provision-pool-cidr',
  'delete-ipam': 'arn:aws:states:eu-west-1:123456789012:stateMachine:delete-ipam',
};
const workflows = () => new StepFunctionsWorkflows({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArns: ARNS });

beforeEach(() => sfn.reset());

describe('StepFunctionsWorkflows', () => {
  it('starts the execution on the state machine of the workflow, named by the execution id', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:provision-pool-cidr:e-1', startDate: new Date() });
    await workflows().start({
      workflow: 'provision-pool-cidr',
      executionId: 'e-1',
      args: { poolId: 'ipam-pool-1', poolCidrId: 'ipam-pool-cidr-1' },
    });

    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      stateMachineArn: ARNS['provision-pool-cidr'],
      name: 'e-1',
      input: expect.any(String),
    });
    expect(JSON.parse(calls[0].args[0].input.input!)).toEqual({
      executionId: 'e-1',
      args: { poolId: 'ipam-pool-1', poolCidrId: 'ipam-pool-cidr-1' },
    });
  });

  it('counts an execution that already exists as started', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists: e-1', $metadata: {} }));
    await expect(workflows().start({ workflow: 'delete-ipam', executionId: 'e-1', args: {} })).resolves.toBeUndefined();
  });

  it('passes any other failure on', async () => {
    sfn.on(StartExecutionCommand).rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    await expect(workflows().start({ workflow: 'delete-ipam', executionId: 'e-2', args: {} })).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
  });

  it('refuses a workflow without a configured state machine, naming the setting', async () => {
    await expect(workflows().start({ workflow: 'delete-pool', executionId: 'e-3', args: {} })).rejects.toThrow(
      /delete-pool.*IPAM_STATE_MACHINE_ARNS/,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
