// The state machine files are the contract between the workflows and the task runner: valid ASL
// for Step Functions (asl-validator) and for the local engine, JSONPath only, every Task a call of
// the workflow-task Lambda naming its task, retried and caught the same way, every path closing
// the execution record.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { LOCAL_TASK_FUNCTION_ARN } from '../../lambdas/adapters/local/workflow-engine.ts';
import type { WorkflowName } from '../../lambdas/domain/model/execution.ts';

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const DIR = path.resolve(import.meta.dirname, '../../statemachines');
const PLACEHOLDER = '${WorkflowTaskFunctionArn}';
const RETRIED_ERRORS = [
  'StoreConflict',
  'StoreUnavailable',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Tasks that ask DNS or RDAP also retry the registry's outage, with a longer backoff, before they fail. */
const REGISTRY_RETRY = { ErrorEquals: ['RegistryUnavailable'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 5 };
const ASKS_A_REGISTRY = new Set(['verifyByoipCidr', 'verifyByoasn', 'verifyByoipRange']);

/** Each workflow's business states in order, their task names, and where failures go. */
const EXPECTED: Record<WorkflowName, { steps: [state: string, task: string][]; failure: [state: string, task: string] }> = {
  'resource-creation': { steps: [['CompleteCreation', 'completeCreation']], failure: ['MarkCreateFailed', 'markCreateFailed'] },
  'provision-pool-cidr': { steps: [['ProvisionCidr', 'provisionPoolCidr']], failure: ['FailProvision', 'failPoolCidr'] },
  'provision-byoip-cidr': {
    steps: [
      ['VerifyCidr', 'verifyByoipCidr'],
      ['ProvisionCidr', 'provisionPoolCidr'],
    ],
    failure: ['FailProvision', 'failPoolCidr'],
  },
  'provision-byoasn': { steps: [['VerifyAsn', 'verifyByoasn']], failure: ['FailAsn', 'failByoasn'] },
  'provision-byoip-range': { steps: [['VerifyRange', 'verifyByoipRange']], failure: ['FailRange', 'failByoipRange'] },
  'import-byoip-cidr': { steps: [['ImportCidr', 'importByoipCidr']], failure: ['FailImport', 'failByoipImport'] },
  'deprovision-pool-cidr': { steps: [['DeprovisionCidr', 'deprovisionPoolCidr']], failure: ['FailDeprovision', 'failPoolCidr'] },
  'delete-pool': { steps: [['DeletePoolTree', 'deletePoolTree']], failure: ['MarkDeleteFailed', 'markDeleteFailed'] },
  'delete-ipam': {
    steps: [
      ['DeleteIpamPools', 'deleteIpamPools'],
      ['DeleteIpamRecord', 'deleteIpamRecord'],
    ],
    failure: ['MarkDeleteFailed', 'markDeleteFailed'],
  },
  'settle-state': { steps: [['SettleState', 'settleState']], failure: ['MarkSettleFailed', 'markSettleFailed'] },
};

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ResultPath?: string | null;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; BackoffRate?: number; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Next?: string;
  End?: boolean;
}
interface Definition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: string;
}

const files = readdirSync(DIR).filter((file) => file.endsWith('.asl.json'));
const read = (file: string) => readFileSync(path.join(DIR, file), 'utf8');
const parse = (file: string) => JSON.parse(read(file)) as Definition;
/** What CDK deploys: the file with its definitionSubstitutions applied. */
const substituted = (file: string) =>
  JSON.parse(read(file).replaceAll(PLACEHOLDER, 'arn:aws:lambda:eu-west-1:123456789012:function:ipam-workflow-task')) as Definition;

/** Every string anywhere in a JSON value, with the key it sits under. */
function* entries(value: unknown, key = ''): Generator<[string, unknown]> {
  yield [key, value];
  if (Array.isArray(value)) for (const item of value) yield* entries(item, key);
  else if (value && typeof value === 'object') for (const [name, inner] of Object.entries(value)) yield* entries(inner, name);
}

describe('statemachines/', () => {
  it('holds exactly one file per workflow name', () => {
    expect(files.map((file) => file.replace('.asl.json', '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(files)('%s', (file) => {
    const name = file.replace('.asl.json', '') as WorkflowName;
    const definition = parse(file);
    const states = Object.entries(definition.States);
    const tasks = states.filter(([, state]) => state.Type === 'Task');

    it('is valid ASL for asl-validator once CDK has substituted the function ARN', () => {
      const deployed = aslValidator(substituted(file));
      expect(deployed.isValid, deployed.errorsText('\n')).toBe(true);
      // And the validator does reject a broken transition, so the passes above mean something.
      const broken = substituted(file);
      broken.States[broken.StartAt].Next = 'NoSuchState';
      expect(aslValidator(broken).isValid).toBe(false);
    });

    it("passes aws-local-stepfunctions' own validation with the local ARN", () => {
      const local = JSON.parse(read(file).replaceAll(PLACEHOLDER, LOCAL_TASK_FUNCTION_ARN));
      expect(() => new StateMachine(local)).not.toThrow();
    });

    it('uses JSONPath only, and substitutes nothing but the task function ARN', () => {
      for (const [key, value] of entries(definition)) {
        // JSONata's fields, and Assign (variables), which the local engine lacks.
        expect(['Arguments', 'Output', 'Assign']).not.toContain(key);
        if (key === 'QueryLanguage') expect(value).toBe('JSONPath');
        if (typeof value === 'string') expect(value).not.toMatch(/\{%/);
        if (key.endsWith('.$')) expect(value).toMatch(/^\$/);
      }
      expect(
        read(file)
          .match(/\$\{[^}]*\}/g)
          ?.every((placeholder) => placeholder === PLACEHOLDER),
      ).toBe(true);
      expect(definition.Comment).toBeTruthy();
    });

    it('makes every Task a call of the workflow-task function naming its task, input kept, retried', () => {
      expect(tasks.length).toBe(states.length);
      for (const [, state] of tasks) {
        expect(state.Resource).toBe(PLACEHOLDER);
        expect(state.Parameters).toMatchObject({ task: expect.any(String), 'executionId.$': '$.executionId', 'args.$': '$.args' });
        expect(state.ResultPath).toBeNull();
        expect(state.Retry).toEqual([
          { ErrorEquals: RETRIED_ERRORS, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 6 },
          ...(ASKS_A_REGISTRY.has(state.Parameters!.task as string) ? [REGISTRY_RETRY] : []),
        ]);
      }
    });

    it('runs the business tasks in order, catching every error into the failure task, then Finish', () => {
      const { steps, failure } = EXPECTED[name];
      expect(definition.StartAt).toBe(steps[0][0]);
      steps.forEach(([stateName, task], index) => {
        const state = definition.States[stateName];
        expect(state.Parameters!.task).toBe(task);
        expect(state.Parameters).not.toHaveProperty('error.$');
        expect(state.Next).toBe(index + 1 < steps.length ? steps[index + 1][0] : 'FinishSucceeded');
        expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failure[0] }]);
      });
      const failureState = definition.States[failure[0]];
      expect(failureState.Parameters).toEqual({
        task: failure[1],
        'executionId.$': '$.executionId',
        'args.$': '$.args',
        'error.$': '$.error',
      });
      expect(failureState.Next).toBe('FinishFailed');
      expect(failureState.Catch).toBeUndefined();
    });

    it('ends every path in finishExecution: FinishSucceeded without the error, FinishFailed with it', () => {
      const ends = states.filter(([, state]) => state.End).map(([stateName]) => stateName);
      expect(ends.sort()).toEqual(['FinishFailed', 'FinishSucceeded']);
      expect(definition.States.FinishSucceeded.Parameters).toEqual({
        task: 'finishExecution',
        'executionId.$': '$.executionId',
        'args.$': '$.args',
      });
      expect(definition.States.FinishFailed.Parameters).toEqual({
        task: 'finishExecution',
        'executionId.$': '$.executionId',
        'args.$': '$.args',
        'error.$': '$.error',
      });
      for (const finish of ['FinishSucceeded', 'FinishFailed']) expect(definition.States[finish].Catch).toBeUndefined();
      // Every state is on a path: from StartAt by Next or Catch.
      const reached = new Set<string>();
      const visit = (stateName: string) => {
        if (reached.has(stateName)) return;
        reached.add(stateName);
        const state = definition.States[stateName];
        if (state.Next) visit(state.Next);
        for (const catcher of state.Catch ?? []) visit(catcher.Next);
      };
      visit(definition.StartAt);
      expect([...reached].sort()).toEqual(states.map(([stateName]) => stateName).sort());
    });
  });
});
