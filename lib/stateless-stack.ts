// Code and wiring, safe to destroy and redeploy: the API and its Lambda, the workflow task Lambda
// and one state machine per statemachines/*.asl.json, the workflow reconciler and the discovery
// on schedules, and the alarms.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Annotations, ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { grantInventoryRead, grantSecretRead, grantTableReadWrite, type TableAccess } from './constructs/grants.ts';
import { IpamAlarms } from './constructs/ipam-alarms.ts';
import { IpamApi } from './constructs/ipam-api.ts';
import { ConsoleFunction } from './constructs/console-function.ts';
import { IpamFunction } from './constructs/ipam-function.ts';
import { findWorkflowDefinitions, Workflows } from './constructs/workflows.ts';
import type { StatefulStack } from './stateful-stack.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

interface StatelessStackProps extends StackProps {
  config: DeploymentConfig;
  stateful: Pick<StatefulStack, 'table' | 'tableIndexNames' | 'key' | 'accessKeysSecret' | 'eventBus'>;
  /** Overrides for tests; the defaults are this repository's folders. */
  sources?: Partial<LambdaSources>;
}

export interface LambdaSources {
  projectRoot: string;
  apiEntry: string;
  workflowTaskEntry: string;
  discoverySweepEntry: string;
  workflowReconcilerEntry: string;
  /** The web console's Lambda (its files are built from web/ at synth). */
  consoleEntry: string;
  /** Folder of *.asl.json files. */
  stateMachinesDir: string;
}

export function defaultSources(projectRoot = PROJECT_ROOT): LambdaSources {
  return {
    projectRoot,
    apiEntry: path.join(projectRoot, 'lambdas/handlers/api-lambda.ts'),
    workflowTaskEntry: path.join(projectRoot, 'lambdas/handlers/workflow-task.ts'),
    discoverySweepEntry: path.join(projectRoot, 'lambdas/handlers/discovery-sweep.ts'),
    workflowReconcilerEntry: path.join(projectRoot, 'lambdas/handlers/workflow-reconciler.ts'),
    consoleEntry: path.join(projectRoot, 'lambdas/handlers/console-lambda.ts'),
    stateMachinesDir: path.join(projectRoot, 'statemachines'),
  };
}

export class StatelessStack extends Stack {
  readonly api: IpamApi;
  readonly webConsole: ConsoleFunction;
  readonly functions: Record<string, IpamFunction> = {};
  readonly stateMachines: Record<string, sfn.StateMachine> = {};

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const sources = { ...defaultSources(), ...props.sources };
    const namespace = config.metricsNamespace;
    const tableAccess: TableAccess = { table: stateful.table, indexNames: stateful.tableIndexNames, key: stateful.key };
    const common = { projectRoot: sources.projectRoot, metricsNamespace: namespace };
    // Every function that runs use cases announces their changes on the bus.
    const withUseCases = (fn: IpamFunction): IpamFunction => {
      grantTableReadWrite(fn.role, tableAccess);
      stateful.eventBus.grantPutEventsTo(fn.role);
      return fn;
    };
    const useCaseEnvironment = {
      IPAM_TABLE_NAME: stateful.table.tableName,
      IPAM_EVENT_BUS_NAME: stateful.eventBus.eventBusName,
      // Where public-space proofs are checked and what "Amazon-provided" space is (lambdas/config.ts publicSpace).
      ...(config.byoipDnsResolver ? { IPAM_BYOIP_DNS_RESOLVER: config.byoipDnsResolver } : {}),
      IPAM_BYOIP_RDAP_URL: config.byoipRdapUrl,
      IPAM_AMAZON_IPV6_SPACE: config.amazonIpv6Space,
      IPAM_AMAZON_IPV4_SPACE: config.amazonIpv4Space,
      // Release cool-downs (the api's releases, the sweep's give-backs) and how long recent events stay listed.
      IPAM_RELEASE_COOLDOWN_S: String(config.releaseCooldownSeconds),
      IPAM_FREE_TIER_RELEASE_COOLDOWN_S: String(config.freeTierReleaseCooldownSeconds),
      IPAM_RECENT_EVENTS_RETENTION_DAYS: String(config.recentEventsRetentionDays),
    };

    // Workflows: the task Lambda and one state machine per ASL file. Without the task handler
    // (it is developed separately) Task states would have nothing to call: then no state machines.
    const definitions = findWorkflowDefinitions(sources.stateMachinesDir);
    if (existsSync(sources.workflowTaskEntry)) {
      const task = withUseCases(
        new IpamFunction(this, 'WorkflowTask', {
          ...common,
          entry: sources.workflowTaskEntry,
          description: 'IPAM workflow task runner (every Task state of statemachines/*.asl.json)',
          serviceName: 'ipam-workflow-task',
          timeout: Duration.minutes(1),
          memorySize: 1024,
          environment: useCaseEnvironment,
        }),
      );
      this.functions['workflow-task'] = task;
      const workflows = new Workflows(this, 'Workflows', { definitions, taskFunction: task.function, namePrefix: config.namePrefix });
      Object.assign(this.stateMachines, workflows.stateMachines);
    } else {
      Annotations.of(this).addWarningV2(
        'ipam:workflowTaskMissing',
        `${path.relative(sources.projectRoot, sources.workflowTaskEntry)} does not exist: no workflow task Lambda and none of the ` +
          `${definitions.length} state machine(s) in ${path.relative(sources.projectRoot, sources.stateMachinesDir)}/ are deployed.`,
      );
    }

    const stateMachineArns = this.toJsonString(
      Object.fromEntries(Object.entries(this.stateMachines).map(([name, stateMachine]) => [name, stateMachine.stateMachineArn])),
    );
    const api = withUseCases(
      new IpamFunction(this, 'ApiHandler', {
        ...common,
        entry: sources.apiEntry,
        description: 'IPAM API: EC2 Query and JSON requests from API Gateway',
        serviceName: 'ipam-api',
        // Under API Gateway's 29 s integration timeout, so a slow request ends as our own error.
        timeout: Duration.seconds(25),
        memorySize: 1024,
        environment: {
          ...useCaseEnvironment,
          IPAM_ACCESS_KEYS_SECRET_ID: stateful.accessKeysSecret.secretArn,
          IPAM_STATE_MACHINE_ARNS: stateMachineArns,
        },
      }),
    );
    grantSecretRead(api.role, stateful.accessKeysSecret, stateful.key);
    for (const stateMachine of Object.values(this.stateMachines)) stateMachine.grantStartExecution(api.role);
    this.functions.api = api;

    // The reconciler starts again the open executions nothing runs (a start lost after its commit,
    // a run that ended without closing its record), delivers the events the outbox still holds
    // (PutEvents: withUseCases grants it) and publishes the oldest of each's age for the alarms.
    const reconciling = Object.keys(this.stateMachines).length > 0;
    if (reconciling) {
      const reconciler = withUseCases(
        new IpamFunction(this, 'WorkflowReconciler', {
          ...common,
          entry: sources.workflowReconcilerEntry,
          description:
            'IPAM workflow reconciler: starts again the open workflow executions nothing runs, delivers events left in the outbox',
          serviceName: 'ipam-workflow-reconciler',
          // A handful of Step Functions calls per open execution; normally none is open.
          timeout: Duration.minutes(2),
          memorySize: 512,
          environment: {
            ...useCaseEnvironment,
            IPAM_METRICS_NAMESPACE: namespace,
            IPAM_STATE_MACHINE_ARNS: stateMachineArns,
            IPAM_RECONCILE_GRACE_S: String(config.reconcileGraceSeconds),
          },
        }),
      );
      for (const stateMachine of Object.values(this.stateMachines)) stateMachine.grantStartExecution(reconciler.role);
      // Executions exist only at run time: the executions of the state machines named <prefix>-*, i.e. ours.
      const executions = `${config.namePrefix}-*`;
      reconciler.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution'],
          resources: [
            this.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: executions,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
      Validations.of(reconciler.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${executions}]`,
        reason:
          'DescribeExecution can only name executions, which exist only at run time: this covers the executions of the state machines named <prefix>-*, which are ours.',
      });
      new events.Rule(this, 'ReconcileSchedule', {
        description: `Runs the IPAM workflow reconciler every ${config.reconcileRateMinutes} minute(s)`,
        schedule: events.Schedule.rate(Duration.minutes(config.reconcileRateMinutes)),
        targets: [new targets.LambdaFunction(reconciler.function, { retryAttempts: 0 })],
      });
      this.functions['workflow-reconciler'] = reconciler;
    }

    // No reserved concurrency: the sweep's lease in the table already keeps sweeps from
    // overlapping, and reserving even 1 fails to deploy in accounts whose concurrency limit is 10.
    const sweep = withUseCases(
      new IpamFunction(this, 'DiscoverySweep', {
        ...common,
        entry: sources.discoverySweepEntry,
        description: 'IPAM discovery sweep: reads EC2 in every account and Region the resource discoveries cover',
        serviceName: 'ipam-discovery',
        // Many accounts × Regions of EC2 reads; well under the sweep lease (15 minutes).
        timeout: Duration.minutes(5),
        memorySize: 1024,
        environment: {
          ...useCaseEnvironment,
          IPAM_METRICS_NAMESPACE: config.metricsNamespace,
          IPAM_DISCOVERY_MEMBER_ACCOUNTS: config.discoveryMemberAccounts.join(','),
          IPAM_DISCOVERY_ROLE_NAME: config.discoveryRoleName,
          IPAM_UTILIZATION_THRESHOLDS: config.utilizationThresholds.join(','),
        },
      }),
    );
    grantInventoryRead(sweep.role, config.discoveryRoleName);
    new events.Rule(this, 'DiscoverySchedule', {
      description: `Runs the IPAM discovery sweep every ${config.discoveryRateMinutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(config.discoveryRateMinutes)),
      targets: [new targets.LambdaFunction(sweep.function, { retryAttempts: 0 })],
    });
    this.functions['discovery-sweep'] = sweep;

    this.webConsole = new ConsoleFunction(this, 'Console', {
      projectRoot: sources.projectRoot,
      entry: sources.consoleEntry,
    });
    this.api = new IpamApi(this, 'Api', {
      handler: api.function,
      consoleHandler: this.webConsole.function,
      restApiName: `${config.namePrefix}-api`,
      stageName: config.stageName,
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      allowedSourceCidrs: config.allowedSourceCidrs,
      metricsNamespace: namespace,
    });

    new IpamAlarms(this, 'Alarms', {
      namePrefix: config.namePrefix,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, fn]): [string, lambda.IFunction] => [name, fn.function])),
      api: this.api.api,
      throttledRequests: this.api.throttledRequests,
      stateMachines: this.stateMachines,
      poolUtilization: { namespace, alarmPercent: config.utilizationAlarmPercent, sweepRateMinutes: config.discoveryRateMinutes },
      openExecutions: reconciling
        ? { namespace, alarmMinutes: config.openExecutionAlarmMinutes, reconcileRateMinutes: config.reconcileRateMinutes }
        : undefined,
    });

    new CfnOutput(this, 'EndpointUrl', {
      value: this.api.api.url,
      description: 'aws ec2 … --endpoint-url <this>; Terraform: provider "aws" { endpoints { ec2 = "<this>" } }',
    });
  }
}
