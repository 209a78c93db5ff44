// The whole deployment as one CDK app: the stateful stack, the stateless stack that uses it, and
// the cdk-nag AWS Solutions checks. bin/app.ts runs it for `cdk synth`/`deploy`; the tests build
// the same app with their own context.
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadDeploymentConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { type LambdaSources, StatelessStack } from './stateless-stack.ts';

interface IpamAppOptions extends AppProps {
  /** Environment read for settings not given as context (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Test overrides of the Lambda entries and the ASL folder. */
  sources?: Partial<LambdaSources>;
}

export interface IpamApp {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export function createIpamApp(options: IpamAppOptions = {}): IpamApp {
  const { env: processEnv = process.env, sources, ...appProps } = options;
  const app = new App(appProps);
  const config = loadDeploymentConfig(app.node, processEnv);
  // Account and region come from the CLI's profile when it has one; without, the stacks are
  // environment-agnostic, which is all synthesis needs (no lookups are made).
  const env = { account: processEnv.CDK_DEFAULT_ACCOUNT, region: processEnv.CDK_DEFAULT_REGION };
  const stateful = new StatefulStack(app, 'IpamStateful', {
    stackName: `${config.namePrefix}-stateful`,
    description: 'Self-hosted IPAM: table, KMS key, access-key secret, event bus',
    env,
    terminationProtection: config.removalPolicy === 'retain',
    config,
  });
  const stateless = new StatelessStack(app, 'IpamStateless', {
    stackName: `${config.namePrefix}-stateless`,
    description: 'Self-hosted IPAM: API, Lambdas, state machines, schedule, alarms',
    env,
    config,
    stateful,
    sources,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}
