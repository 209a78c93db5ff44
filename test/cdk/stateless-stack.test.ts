// The stateless stack as synthesised by the real app (bundling off), with two throwaway ASL
// files and a stub task handler: API and gateway errors, Lambdas, state machines built from the
// files, least-privilege IAM, schedule and alarms.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GSI1 } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { ERROR_STATUS } from '../../lambdas/domain/errors.ts';
import { removeTemporaryDirs, type Synthesised, synthesise, type WorkflowFixture, workflowFixture } from './support/synth.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let synth: Synthesised;
let template: Template;
let workflows: WorkflowFixture;

beforeAll(() => {
  workflows = workflowFixture();
  synth = synthesise({
    context: {
      stageName: 'prod',
      allowedSourceCidrs: '203.0.113.0/24, 2001:db8::/32',
      discoveryMemberAccounts: ['111122223333', '444455556666'],
    },
    sources: { stateMachinesDir: workflows.stateMachinesDir, workflowTaskEntry: workflows.workflowTaskEntry },
  });
  template = synth.statelessTemplate;
});

afterAll(removeTemporaryDirs);

const logicalId = (type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0];
};
const functionId = (name: string) => logicalId('AWS::Lambda::Function', `${name}Function`);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Every statement of the policies attached to a role. */
function statementsOf(rolePrefix: string): Statement[] {
  const roleId = logicalId('AWS::IAM::Role', rolePrefix);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (statement: Statement) => [statement.Action].flat();
const variablesOf = (name: string): Record<string, unknown> =>
  template.findResources('AWS::Lambda::Function')[functionId(name)].Properties.Environment.Variables;
const stackOutput = (pattern: RegExp) => ({
  'Fn::GetStackOutput': expect.objectContaining({ StackName: 'ipam-stateful', OutputName: expect.stringMatching(pattern) }),
});
const statementWith = (statements: Statement[], action: string) => statements.filter((statement) => actionsOf(statement).includes(action));

describe('Lambda functions', () => {
  test('api, workflow task, discovery sweep and workflow reconciler run on Node 24, arm64, with X-Ray tracing', () => {
    for (const name of ['ApiHandler', 'WorkflowTask', 'DiscoverySweep', 'WorkflowReconciler']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        Role: arnOf(logicalId('AWS::IAM::Role', `${name}Role`)),
        LoggingConfig: { LogGroup: { Ref: logicalId('AWS::Logs::LogGroup', `${name}Logs`) } },
      });
      expect(functionId(name)).toBeTruthy();
    }
    // And the web console's (test/cdk/console.test.ts).
    template.resourceCountIs('AWS::Lambda::Function', 5);
  });

  test('the api Lambda learns the table, the secret and every state machine ARN by workflow name', () => {
    const variables = variablesOf('ApiHandler') as Record<string, any>;
    // The reconciler starts the same state machines.
    expect(variablesOf('WorkflowReconciler').IPAM_STATE_MACHINE_ARNS).toEqual(variables.IPAM_STATE_MACHINE_ARNS);
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe('ipam-api');
    expect(variables.IPAM_TABLE_NAME).toEqual(stackOutput(/^PublishOutputRefItemsTable/));
    expect(variables.IPAM_ACCESS_KEYS_SECRET_ID).toEqual(stackOutput(/^PublishOutputRefAccessKeys/));
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    // {"alpha-flow":"<Ref>","beta-flow":"<Ref>"} as a Fn::Join of literal JSON and Refs.
    const parts: unknown[] = variables.IPAM_STATE_MACHINE_ARNS['Fn::Join'][1];
    const asText = parts.map((part) => (typeof part === 'string' ? part : `@${(part as { Ref: string }).Ref}`)).join('');
    const arns = JSON.parse(asText) as Record<string, string>;
    expect(Object.keys(arns)).toEqual(Object.keys(workflows.definitions));
    for (const [name, ref] of Object.entries(arns)) {
      expect(machines).toContain(ref.slice(1));
      expect(ref).toMatch(new RegExp(`^@Workflows${name.replace(/-/g, '')}`));
    }
  });

  test('every Lambda that runs use cases learns the table and the event bus', () => {
    for (const name of ['ApiHandler', 'WorkflowTask', 'DiscoverySweep', 'WorkflowReconciler']) {
      expect(variablesOf(name)).toMatchObject({
        IPAM_TABLE_NAME: stackOutput(/^PublishOutputRefItemsTable/),
        IPAM_EVENT_BUS_NAME: stackOutput(/^PublishOutputRefEvents/),
        IPAM_BYOIP_RDAP_URL: 'https://rdap.org',
        IPAM_AMAZON_IPV6_SPACE: '2001:db8::/32',
        IPAM_AMAZON_IPV4_SPACE: '198.51.100.0/24',
      });
      // No resolver configured: the Lambda's own.
      expect(variablesOf(name)).not.toHaveProperty('IPAM_BYOIP_DNS_RESOLVER');
    }
  });

  test('the discovery sweep: 5 minutes to run, the discovery settings of the deployment config, metrics in its namespace', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: arnOf(logicalId('AWS::IAM::Role', 'DiscoverySweepRole')),
      Timeout: 300,
    });
    expect(variablesOf('DiscoverySweep')).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'ipam-discovery',
      IPAM_METRICS_NAMESPACE: 'ipam',
      POWERTOOLS_METRICS_NAMESPACE: 'ipam',
      IPAM_DISCOVERY_MEMBER_ACCOUNTS: '111122223333,444455556666',
      IPAM_DISCOVERY_ROLE_NAME: 'IpamDiscoveryRole',
      IPAM_UTILIZATION_THRESHOLDS: '80,90',
    });
    // The lease in the table serialises sweeps; a reservation could not deploy in a 10-concurrency account.
    expect(
      template.findResources('AWS::Lambda::Function')[functionId('DiscoverySweep')].Properties.ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  test('the workflow reconciler: its metrics in the namespace, the default grace period', () => {
    expect(variablesOf('WorkflowReconciler')).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'ipam-workflow-reconciler',
      IPAM_METRICS_NAMESPACE: 'ipam',
      IPAM_RECONCILE_GRACE_S: '60',
    });
  });

  test('the api and the sweep hold released space and keep recent events as configured (defaults: at once, 7 days)', () => {
    for (const name of ['ApiHandler', 'DiscoverySweep']) {
      expect(variablesOf(name)).toMatchObject({
        IPAM_RELEASE_COOLDOWN_S: '0',
        IPAM_FREE_TIER_RELEASE_COOLDOWN_S: '0',
        IPAM_RECENT_EVENTS_RETENTION_DAYS: '7',
      });
    }
  });
});

describe('state machines', () => {
  test('one per ASL file, named <prefix>-<basename>, logged at ALL and traced', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', Object.keys(workflows.definitions).length);
    for (const name of Object.keys(workflows.definitions)) {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `ipam-${name}`,
        StateMachineType: 'STANDARD',
        LoggingConfiguration: { Level: 'ALL' },
        TracingConfiguration: { Enabled: true },
      });
    }
  });

  test("each definition is its file's text, with the task Lambda's ARN substituted for ${WorkflowTaskFunctionArn}", () => {
    const taskArn = arnOf(functionId('WorkflowTask'));
    const assets = JSON.parse(readFileSync(path.join(synth.outdir, `${synth.stateless.artifactId}.assets.json`), 'utf8')).files as Record<
      string,
      { source: { path: string }; destinations: Record<string, { objectKey: string }> }
    >;
    for (const [name, text] of Object.entries(workflows.definitions)) {
      const machine = template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: `ipam-${name}` } });
      const { DefinitionS3Location, DefinitionSubstitutions } = Object.values(machine)[0].Properties;
      expect(DefinitionSubstitutions).toEqual({ WorkflowTaskFunctionArn: taskArn });
      const asset = Object.values(assets).find((file) =>
        Object.values(file.destinations).some((to) => to.objectKey === DefinitionS3Location.Key),
      );
      const deployed = readFileSync(path.resolve(synth.outdir, asset!.source.path), 'utf8');
      expect(deployed).toBe(text);
      // What CloudFormation hands Step Functions: the file with the substitution applied.
      const resolved = JSON.parse(deployed.replaceAll('${WorkflowTaskFunctionArn}', 'arn:aws:lambda:eu-west-1:111122223333:function:task'));
      expect(resolved.States.Work.Resource).toBe('arn:aws:lambda:eu-west-1:111122223333:function:task');
    }
  });
});

describe('API Gateway', () => {
  test('a regional REST API with POST on / and /{proxy+}, GET on /{proxy+} (the OpenAPI document) and DELETE on /{proxy+} (RAM), all Lambda proxy integrations to the api Lambda; GET / and GET /console/{file} to the console Lambda; nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'ipam-api', EndpointConfiguration: { Types: ['REGIONAL'] } });
    const resources = template.findResources('AWS::ApiGateway::Resource');
    expect(
      Object.values(resources)
        .map((resource) => resource.Properties.PathPart)
        .sort(),
    ).toEqual(['console', '{file}', '{proxy+}']);
    const proxyId = Object.keys(resources).find((id) => resources[id].Properties.PathPart === '{proxy+}');
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((method) => method.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'GET', 'GET', 'POST', 'POST']);
    const consoleFunctionId = logicalId('AWS::Lambda::Function', 'ConsoleFunction');
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      const toConsole =
        method.Properties.HttpMethod === 'GET' && JSON.stringify(method.Properties.ResourceId) !== JSON.stringify({ Ref: proxyId });
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(toConsole ? consoleFunctionId : functionId('ApiHandler'));
    }
  });

  test('the stage throttles at the configured rate and burst, writes JSON access logs and traces', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ],
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"responseType":"\\$context.error.responseType"'),
      },
    });
    const format = JSON.parse(Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', sourceIp: '$context.identity.sourceIp' });
  });

  test('allowedSourceCidrs become a resource policy that denies every other source', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'execute-api:Invoke',
            Resource: 'execute-api:/*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
          },
        ],
      },
    });
  });

  describe('gateway responses', () => {
    const responses = () =>
      Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((resource) => resource.Properties);
    const parser = new XMLParser();
    const errorOf = (body: string) =>
      parser.parse(body).Response as { Errors: { Error: { Code: string; Message: string } }; RequestID: string };

    test('every response type API Gateway has is replaced', () => {
      const allTypes = Object.values(apigateway.ResponseType)
        .filter((value) => value instanceof apigateway.ResponseType)
        .map((type) => type.responseType);
      expect(allTypes.length).toBeGreaterThanOrEqual(21);
      expect(
        responses()
          .map((response) => response.ResponseType)
          .sort(),
      ).toEqual([...allTypes].sort());
    });

    test('each is the EC2 error envelope with the code’s status, the API Gateway request id and an XML content type', () => {
      for (const response of responses()) {
        expect(Object.keys(response.ResponseTemplates).sort()).toEqual(['application/json', 'application/xml', 'text/xml']);
        const body: string = response.ResponseTemplates['application/json'];
        expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response>/);
        const error = errorOf(body);
        expect(error.RequestID).toBe('$context.requestId');
        expect(response.StatusCode).toBe(String(ERROR_STATUS[error.Errors.Error.Code as keyof typeof ERROR_STATUS]));
        expect(response.ResponseParameters).toEqual({ 'gatewayresponse.header.Content-Type': "'text/xml;charset=UTF-8'" });
      }
    });

    test.each([
      ['THROTTLED', '503', 'RequestLimitExceeded'],
      ['QUOTA_EXCEEDED', '503', 'RequestLimitExceeded'],
      ['INTEGRATION_TIMEOUT', '503', 'Unavailable'],
      ['INTEGRATION_FAILURE', '500', 'InternalError'],
      ['DEFAULT_5XX', '500', 'InternalError'],
      ['ACCESS_DENIED', '403', 'UnauthorizedOperation'],
      ['UNAUTHORIZED', '401', 'AuthFailure'],
      ['MISSING_AUTHENTICATION_TOKEN', '400', 'InvalidAction'],
      ['DEFAULT_4XX', '400', 'InvalidParameterValue'],
    ])('%s → %s %s', (type, status, code) => {
      const response = responses().find((candidate) => candidate.ResponseType === type)!;
      expect(response.StatusCode).toBe(status);
      expect(errorOf(response.ResponseTemplates['application/json']).Errors.Error.Code).toBe(code);
    });
  });
});

describe('least-privilege IAM', () => {
  const memberRoles = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/IpamDiscoveryRole']] };
  const ourExecutions = {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:ipam-*'],
    ],
  };

  test('no statement has a wildcard resource except X-Ray, log delivery and EC2 Describe, which have no resource-level permissions, and the discovery role of any account', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const wildcard = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => JSON.stringify(statement.Resource).includes('*'));
    for (const statement of wildcard) {
      if (actionsOf(statement).includes('states:DescribeExecution')) {
        expect(statement).toEqual({ Effect: 'Allow', Action: 'states:DescribeExecution', Resource: ourExecutions });
        continue;
      }
      if (actionsOf(statement).includes('sts:AssumeRole')) {
        expect(statement).toEqual({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: memberRoles });
        continue;
      }
      expect(statement.Resource).toBe('*');
      for (const action of actionsOf(statement)) expect(action).toMatch(/^(xray:|logs:|ec2:Describe)/);
    }
    const logDelivery = wildcard.flatMap(actionsOf).filter((action) => action.startsWith('logs:'));
    expect(logDelivery.every((action) => /Log(Delivery|Deliveries)|DescribeLogGroups|ResourcePolic/.test(action))).toBe(true);
  });

  test('the api Lambda: exactly the store’s DynamoDB actions on the table and its named GSI, the secret, and StartExecution on our state machines', () => {
    const statements = statementsOf('ApiHandlerRole');
    const dynamo = statementWith(statements, 'dynamodb:PutItem');
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0]).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(dynamo[0].Resource).toEqual(
      expect.objectContaining({ 'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringMatching(/ItemsTable.*Arn/) }) }),
    );
    const index = statements.find((statement) => JSON.stringify(statement.Resource).includes('/index/'))!;
    expect(index.Action).toBe('dynamodb:Query');
    expect(JSON.stringify(index.Resource)).toContain(`/index/${GSI1.indexName}"`);
    expect(statementWith(statements, 'secretsmanager:GetSecretValue')).toHaveLength(1);
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'))).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    const kms = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kms.map((statement) => JSON.stringify(statement.Condition)).sort()).toEqual([
      expect.stringContaining('"dynamodb."'),
      expect.stringContaining('"secretsmanager."'),
    ]);
    const start = statementWith(statements, 'states:StartExecution');
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).sort();
    expect(
      start
        .flatMap((statement) => [statement.Resource].flat())
        .map((resource) => (resource as { Ref: string }).Ref)
        .sort(),
    ).toEqual(machines);
    expect(new Set(statements.flatMap(actionsOf).filter((action) => action.startsWith('states:')))).toEqual(
      new Set(['states:StartExecution']),
    );
  });

  test('the workflow task Lambda gets the table but neither the secret nor Step Functions', () => {
    const actions = statementsOf('WorkflowTaskRole').flatMap(actionsOf);
    expect(actions).toContain('dynamodb:PutItem');
    expect(actions.some((action) => action.startsWith('secretsmanager:') || action.startsWith('states:'))).toBe(false);
  });

  test('api, workflow task and discovery sweep may put events on our bus, and only there', () => {
    for (const role of ['ApiHandlerRole', 'WorkflowTaskRole', 'DiscoverySweepRole']) {
      expect(statementWith(statementsOf(role), 'events:PutEvents')).toEqual([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: {
            'Fn::GetStackOutput': expect.objectContaining({ OutputName: expect.stringMatching(/^PublishOutputFnGetAttEvents.*Arn/) }),
          },
        },
      ]);
    }
  });

  test('the discovery sweep: the table, the five EC2 reads, the discovery role in other accounts, and nothing else', () => {
    const statements = statementsOf('DiscoverySweepRole');
    const actions = statements.flatMap(actionsOf);
    // CDK merges the EC2 reads into X-Ray's statement: both can only name `*`.
    expect(statementWith(statements, 'ec2:DescribeVpcs').map((statement) => statement.Resource)).toEqual(['*']);
    expect(actions.filter((action) => action.startsWith('ec2:')).sort()).toEqual([
      'ec2:DescribeAddresses',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribePublicIpv4Pools',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
    ]);
    expect(statementWith(statements, 'sts:AssumeRole')).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: memberRoles }]);
    expect(actions).toContain('dynamodb:ConditionCheckItem');
    expect(new Set(actions.map((action) => action.split(':')[0]))).toEqual(
      new Set(['logs', 'xray', 'dynamodb', 'kms', 'events', 'ec2', 'sts']),
    );
    expect(actions.some((action) => action.startsWith('secretsmanager:') || action.startsWith('states:'))).toBe(false);
  });

  test('the workflow reconciler: StartExecution on our state machines, DescribeExecution on their executions, no secret', () => {
    const statements = statementsOf('WorkflowReconcilerRole');
    const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).sort();
    expect(
      statementWith(statements, 'states:StartExecution')
        .flatMap((statement) => [statement.Resource].flat())
        .map((resource) => (resource as { Ref: string }).Ref)
        .sort(),
    ).toEqual(machines);
    expect(statementWith(statements, 'states:DescribeExecution')).toEqual([
      { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: ourExecutions },
    ]);
    const actions = statements.flatMap(actionsOf);
    expect(new Set(actions.filter((action) => action.startsWith('states:')))).toEqual(
      new Set(['states:StartExecution', 'states:DescribeExecution']),
    );
    expect(actions).toContain('dynamodb:Query');
    expect(actions.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
  });

  test('state machines may invoke the task Lambda — its unqualified ARN only', () => {
    for (const name of Object.keys(workflows.definitions)) {
      const invoke = statementWith(statementsOf(`Workflows${name.replace(/-/g, '')}Role`), 'lambda:InvokeFunction');
      expect(invoke).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(functionId('WorkflowTask')) }]);
    }
  });
});

test('an EventBridge schedule runs the discovery sweep every 5 minutes', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
    Targets: [Match.objectLike({ Arn: arnOf(functionId('DiscoverySweep')) })],
  });
});

test('an EventBridge schedule runs the workflow reconciler every 5 minutes', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
    Targets: [Match.objectLike({ Arn: arnOf(functionId('WorkflowReconciler')) })],
  });
});

test('alarms: every Lambda’s errors and throttles, API 5xx, API throttling, every failed state machine execution', () => {
  const names = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((alarm) => alarm.Properties.AlarmName)
    .sort();
  expect(names).toEqual(
    [
      'ipam-api-errors',
      'ipam-api-throttles',
      'ipam-workflow-task-errors',
      'ipam-workflow-task-throttles',
      'ipam-discovery-sweep-errors',
      'ipam-discovery-sweep-throttles',
      'ipam-workflow-reconciler-errors',
      'ipam-workflow-reconciler-throttles',
      'ipam-workflow-open-too-long',
      'ipam-events-undelivered',
      'ipam-api-5xx',
      'ipam-api-throttled',
      'ipam-pool-utilization',
      ...Object.keys(workflows.definitions).map((name) => `ipam-${name}-failed`),
    ].sort(),
  );
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-api-5xx',
    MetricName: '5XXError',
    Namespace: 'AWS/ApiGateway',
    Threshold: 1,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-api-throttled',
    MetricName: 'ThrottledRequests',
    Namespace: 'ipam',
  });
  template.hasResourceProperties('AWS::Logs::MetricFilter', {
    FilterPattern: '{ $.responseType = "THROTTLED" }',
    MetricTransformations: [Match.objectLike({ MetricName: 'ThrottledRequests' })],
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-alpha-flow-failed',
    Metrics: Match.arrayWith([
      Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsFailed' }) }) }),
    ]),
  });
});

test('open executions: the oldest open execution’s age, as the reconciler publishes it, alarms at 15 minutes', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-workflow-open-too-long',
    Namespace: 'ipam',
    MetricName: 'OldestOpenWorkflowExecutionAge',
    Dimensions: [{ Name: 'Service', Value: 'ipam-workflows' }],
    Statistic: 'Maximum',
    Period: 300,
    Threshold: 900,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'ignore',
  });
});

test('undelivered events: the oldest outbox entry’s age, as the reconciler publishes it, alarms at the same 15 minutes', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-events-undelivered',
    Namespace: 'ipam',
    MetricName: 'OldestUndeliveredEventAge',
    Dimensions: [{ Name: 'Service', Value: 'ipam-events' }],
    Statistic: 'Maximum',
    Period: 300,
    Threshold: 900,
  });
});

test('pool utilization: a Metrics Insights query over every pool’s PercentAvailable alarms at 90% used', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'ipam-pool-utilization',
    // The pool metrics' exact dimension set (lambdas/domain/monitoring.ts), in the metrics namespace.
    Metrics: [
      Match.objectLike({
        Expression: 'SELECT MIN(PercentAvailable) FROM SCHEMA("ipam", AddressFamily, Locale, PoolID, ScopeID)',
        Period: 300,
        ReturnData: true,
      }),
    ],
    ComparisonOperator: 'LessThanOrEqualToThreshold',
    Threshold: 10,
    EvaluationPeriods: 1,
    TreatMissingData: 'ignore',
  });
});

test('the endpoint URL is an output', () => {
  template.hasOutput('EndpointUrl', {});
});
