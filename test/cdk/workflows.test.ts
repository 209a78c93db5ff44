// The synth-time checks on statemachines/*.asl.json — run against the repository's real files,
// so a file CloudFormation would reject fails `npm test` first — and the stack's tolerance of a
// missing workflow task handler.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, expect, test } from 'vitest';
import { checkWorkflowDefinition, findWorkflowDefinitions } from '../../lib/constructs/workflows.ts';
import { loadDeploymentConfig } from '../../lib/config.ts';
import { StatefulStack } from '../../lib/stateful-stack.ts';
import { defaultSources, StatelessStack } from '../../lib/stateless-stack.ts';
import { PROJECT_ROOT, removeTemporaryDirs, temporaryDir, workflowFixture } from './support/synth.ts';

afterAll(removeTemporaryDirs);

test("every ASL file in statemachines/ passes the stack's checks (JSON, name, only ${WorkflowTaskFunctionArn})", () => {
  for (const definition of findWorkflowDefinitions(path.join(PROJECT_ROOT, 'statemachines'))) {
    expect(() => checkWorkflowDefinition(definition), definition.file).not.toThrow();
  }
});

test('definitions are the *.asl.json files of the folder, by name; a missing folder has none', () => {
  const { stateMachinesDir } = workflowFixture();
  expect(findWorkflowDefinitions(stateMachinesDir).map(({ name }) => name)).toEqual(['alpha-flow', 'beta-flow']);
  expect(findWorkflowDefinitions(path.join(stateMachinesDir, 'nope'))).toEqual([]);
});

test.each([
  ['broken.asl.json', '{ "StartAt": ', /broken\.asl\.json is not valid JSON/],
  ['other.asl.json', '{ "Resource": "${OtherArn}" }', /uses \$\{OtherArn\}; the only substitution is \$\{WorkflowTaskFunctionArn\}/],
  ['bad name!.asl.json', '{}', /the name 'bad name!' must be 1-60 letters/],
])('%s is refused at synth time', (file, text, message) => {
  const dir = temporaryDir('ipam-asl-');
  writeFileSync(path.join(dir, file), text);
  const [definition] = findWorkflowDefinitions(dir);
  expect(() => checkWorkflowDefinition(definition)).toThrow(message);
});

test('without lambdas/handlers/workflow-task.ts the stack deploys no workflows and says why', () => {
  const app = new App({ outdir: temporaryDir('ipam-cdk-'), context: { 'aws:cdk:bundling-stacks': [] } });
  const config = loadDeploymentConfig(app.node, {});
  const stateful = new StatefulStack(app, 'Stateful', { config });
  const { stateMachinesDir } = workflowFixture();
  const stack = new StatelessStack(app, 'Stateless', {
    config,
    stateful,
    sources: { stateMachinesDir, workflowTaskEntry: path.join(defaultSources().projectRoot, 'lambdas/handlers/no-such-handler.ts') },
  });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  // The api's and the web console's.
  template.resourceCountIs('AWS::Lambda::Function', 3);
  Annotations.fromStack(stack).hasWarning(
    '/Stateless',
    Match.stringLikeRegexp('no-such-handler\\.ts does not exist: no workflow task Lambda and none of the 2 state machine\\(s\\)'),
  );
  const api = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'ipam-api',
  );
  expect(api?.Properties.Environment.Variables.IPAM_STATE_MACHINE_ARNS).toBe('{}');
});
