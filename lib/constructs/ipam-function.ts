// One Lambda function of the IPAM, the same way for all of them: bundled from its TypeScript
// entry by the local esbuild (never Docker), Node 24 on arm64, ESM, X-Ray tracing, Powertools
// settings, its own log group, and a role that starts with nothing but writing to that group.
import path from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../lambda-bundling.ts';

interface IpamFunctionProps {
  /** The handler module, e.g. lambdas/handlers/api-lambda.ts. */
  entry: string;
  /** Folder holding package.json and package-lock.json; esbuild runs there. */
  projectRoot: string;
  description: string;
  /** Powertools service name (log field `service`, metric dimension). */
  serviceName: string;
  metricsNamespace: string;
  timeout: Duration;
  memorySize: number;
  environment?: Record<string, string>;
}

export class IpamFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: IpamFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        ...LAMBDA_BUNDLING,
        format: nodejs.OutputFormat.ESM,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        esbuildArgs: { '--alias': [...LAMBDA_BUNDLING.esbuildArgs['--alias']] },
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) supports no resource-level permissions; CDK adds this statement for Tracing.ACTIVE.',
    });
  }
}
