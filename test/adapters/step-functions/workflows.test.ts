// Starting a workflow in the cloud: one StartExecution on the workflow's state machine, named by
// the execution id, with the input every state machine expects; a repeated start is harmless.
// Resuming one (the reconciler): DescribeExecution says whether a run is going; a closed name
// cannot be started again (StartExecution API reference: "When the original execution is closed,
// the ExecutionAlreadyExists message is returned regardless of input"), so restarts take the
// names <executionId>-r1, -r2, ….
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_RESTARTS, StepFunctionsWorkflows } from '../../../lambdas/adapters/step-functions/workflows.ts';

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

describe('StepFunctionsWorkflows.resume', () => {
  const START = {
    workflow: 'provision-pool-cidr' as const,
    executionId: 'e-9',
    args: { poolId: 'ipam-pool-9', poolCidrId: 'ipam-pool-cidr-9' },
  };
  const executionArn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:provision-pool-cidr:${name}`;
  /** Step Functions with these executions of the state machine (by name); any other name does not exist. */
  const withExecutions = (statuses: Record<string, ExecutionStatus>) => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    for (const [name, status] of Object.entries(statuses)) {
      sfn.on(DescribeExecutionCommand, { executionArn: executionArn(name) }).resolves({ executionArn: executionArn(name), status });
    }
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'started', startDate: new Date() });
  };
  const started = () =>
    sfn
      .commandCalls(StartExecutionCommand)
      .map((call) => ({ name: call.args[0].input.name, input: JSON.parse(call.args[0].input.input!) }));
  const input = { executionId: 'e-9', args: START.args };

  it('starts an execution whose start was lost under its own name', async () => {
    withExecutions({});
    expect(await workflows().resume(START)).toBe('started');
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({ executionArn: executionArn('e-9') });
    expect(started()).toEqual([{ name: 'e-9', input }]);
  });

  it('starts nothing while the execution runs', async () => {
    withExecutions({ 'e-9': 'RUNNING' });
    expect(await workflows().resume(START)).toBe('running');
    expect(started()).toEqual([]);
  });

  it('restarts a closed execution under the next unused name, with the same input', async () => {
    withExecutions({ 'e-9': 'FAILED' });
    expect(await workflows().resume(START)).toBe('started');
    expect(started()).toEqual([{ name: 'e-9-r1', input }]);

    sfn.reset();
    withExecutions({ 'e-9': 'FAILED', 'e-9-r1': 'TIMED_OUT', 'e-9-r2': 'ABORTED' });
    expect(await workflows().resume(START)).toBe('started');
    expect(started()).toEqual([{ name: 'e-9-r3', input }]);
  });

  it('starts nothing while a restart runs', async () => {
    withExecutions({ 'e-9': 'SUCCEEDED', 'e-9-r1': 'RUNNING' });
    expect(await workflows().resume(START)).toBe('running');
    expect(started()).toEqual([]);
  });

  it(`gives up after ${MAX_RESTARTS} restarts that all closed`, async () => {
    const closed = Object.fromEntries(
      Array.from({ length: MAX_RESTARTS + 1 }, (_, restart) => [restart === 0 ? 'e-9' : `e-9-r${restart}`, 'FAILED' as const]),
    );
    withExecutions(closed);
    await expect(workflows().resume(START)).rejects.toThrow(/e-9 .*ended 11 times/);
    expect(started()).toEqual([]);
  });
});
