// One Step Functions state machine per statemachines/<name>.asl.json, found at synth time. The ASL
// files stay the reviewable source (the local engine runs the same files); CDK only supplies the
// task Lambda's ARN through the one substitution every Task state uses.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

const TASK_FUNCTION_SUBSTITUTION = 'WorkflowTaskFunctionArn';
const ASL_SUFFIX = '.asl.json';
const WORKFLOW_NAME = /^[A-Za-z0-9_-]{1,60}$/;

interface WorkflowDefinition {
  /** The file's basename without `.asl.json`: the workflow's name everywhere. */
  name: string;
  file: string;
}

/** The ASL files of a folder, sorted by name; a missing folder has none. */
export function findWorkflowDefinitions(directory: string): WorkflowDefinition[] {
  let files: string[];
  try {
    files = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return files
    .filter((file) => file.endsWith(ASL_SUFFIX))
    .sort()
    .map((file) => ({ name: file.slice(0, -ASL_SUFFIX.length), file: path.join(directory, file) }));
}

/** Fails synthesis, naming the file, on what CloudFormation would only reject at deploy time. */
export function checkWorkflowDefinition(definition: WorkflowDefinition): void {
  if (!WORKFLOW_NAME.test(definition.name)) {
    throw new Error(`${definition.file}: the name '${definition.name}' must be 1-60 letters, digits, - or _.`);
  }
  const text = readFileSync(definition.file, 'utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`${definition.file} is not valid JSON: ${(error as Error).message}`);
  }
  const unknown = [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]).filter((name) => name !== TASK_FUNCTION_SUBSTITUTION);
  if (unknown.length > 0) {
    throw new Error(`${definition.file} uses \${${unknown[0]}}; the only substitution is \${${TASK_FUNCTION_SUBSTITUTION}}.`);
  }
}

interface WorkflowsProps {
  definitions: WorkflowDefinition[];
  taskFunction: lambda.IFunction;
  namePrefix: string;
}

export class Workflows extends Construct {
  /** By workflow name. */
  readonly stateMachines: Record<string, sfn.StateMachine> = {};

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    for (const definition of props.definitions) {
      checkWorkflowDefinition(definition);
      const stateMachineName = `${props.namePrefix}-${definition.name}`;
      const stateMachine = new sfn.StateMachine(this, definition.name, {
        stateMachineName,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromFile(definition.file),
        definitionSubstitutions: { [TASK_FUNCTION_SUBSTITUTION]: props.taskFunction.functionArn },
        tracingEnabled: true,
        logs: {
          destination: new logs.LogGroup(this, `${definition.name}Logs`, {
            // The vendedlogs prefix keeps CloudWatch Logs' resource policy small (AWS advice).
            logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
            retention: logs.RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
          level: sfn.LogLevel.ALL,
          includeExecutionData: true,
        },
      });
      // Task states name the function directly ("Resource": "${WorkflowTaskFunctionArn}"), so the
      // unqualified ARN is all they invoke.
      stateMachine.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.taskFunction.functionArn] }),
      );
      Validations.of(stateMachine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments and friends) ' +
          'support no resource-level permissions; CDK adds these statements for logging and tracing.',
      });
      this.stateMachines[definition.name] = stateMachine;
    }
  }
}
