// The web console in the cloud: a small Lambda (lambdas/handlers/console-lambda.ts) whose asset
// holds its bundle and, beside it, the console's files built at synth from web/. API Gateway
// routes `GET /` and `GET /console/{file}` to it (ipam-api.ts); every other route still goes to
// the api Lambda, which the console calls through the JSON API like any client.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Duration, Names, RemovalPolicy, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { writeConsoleFiles } from '../../lambdas/adapters/local/console-bundle.ts';
import { lambdaEsbuildOptions } from '../lambda-bundling.ts';

interface ConsoleFunctionProps {
  projectRoot: string;
  /** The handler module: lambdas/handlers/console-lambda.ts. */
  entry: string;
}

export class ConsoleFunction extends Construct {
  readonly function: lambda.Function;
  /** The folder deployed as the function's code: index.mjs and console/. */
  readonly assetDir: string;

  constructor(scope: Construct, id: string, props: ConsoleFunctionProps) {
    super(scope, id);
    // Built here rather than by NodejsFunction: its asset must hold the console's files too. Into
    // the cloud assembly's folder, which the synth staged the asset from anyway.
    const assetDir = path.join(Stage.of(this)!.outdir, `console-build-${Names.uniqueId(this)}`);
    this.assetDir = assetDir;
    rmSync(assetDir, { recursive: true, force: true });
    buildSync(lambdaEsbuildOptions(props.projectRoot, props.entry, assetDir));
    writeConsoleFiles(path.join(assetDir, 'console'));

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'IPAM web console: static files (execution role)',
    });
    logGroup.grantWrite(role);
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(assetDir),
      handler: 'index.handler',
      description: 'IPAM web console: static files for GET / and GET /console/{file}',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(5),
      role,
      logGroup,
    });
  }
}
