// cdk-nag's AWS Solutions pack over the whole app. The app registers it itself (lib/ipam-app.ts),
// so `cdk synth` fails on any finding too. A canary stack with a known finding proves the pack
// really ran in this synthesis; everything outside the canary must be clean.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createIpamApp, type IpamApp } from '../../lib/ipam-app.ts';
import { removeTemporaryDirs, synthesiseContext, workflowFixture } from './support/synth.ts';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: Array<{ constructPath: string }>;
}
interface Report {
  pluginReports: Array<{ pluginName: string; violations: Violation[] }>;
}

let ipamApp: IpamApp;
let report: Report;

beforeAll(() => {
  const { stateMachinesDir, workflowTaskEntry } = workflowFixture();
  const { outdir, context } = synthesiseContext();
  ipamApp = createIpamApp({ outdir, env: {}, context, sources: { stateMachinesDir, workflowTaskEntry } });
  new sqs.Queue(new Stack(ipamApp.app, 'Canary'), 'QueueWithoutDeadLetterQueue', { enforceSSL: true });
  expect(() => ipamApp.app.synth()).toThrow(/AwsSolutions-SQS3/);
  report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
});

afterAll(removeTemporaryDirs);

const findings = (inCanary: boolean) =>
  report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs
        .filter((construct) => construct.constructPath.startsWith('Canary/') === inCanary)
        .map((construct) => `${plugin.pluginName} ${violation.severity} ${violation.ruleName} at ${construct.constructPath}`),
    ),
  );

test('the AWS Solutions checks ran (they flag the canary)', () => {
  expect(findings(true)).toContain('AwsSolutions error AwsSolutions-SQS3 at Canary/QueueWithoutDeadLetterQueue/Resource');
});

test('both IPAM stacks have no unacknowledged finding: no error, no warning, no CDK annotation', () => {
  expect(findings(false)).toEqual([]);
});

test('every acknowledgment carries a written reason', () => {
  const acknowledgments = ipamApp.app.node
    .findAll()
    .filter((construct: IConstruct) => !construct.node.path.startsWith('Canary'))
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
        ),
    );
  expect(acknowledgments.length).toBeGreaterThan(0);
  for (const { path: at, id, reason } of acknowledgments) expect(reason.length, `${id} at ${at}`).toBeGreaterThan(40);
  // The list docs/deploy-and-operations.md (Operating it) explains; a new acknowledgment must be added there too.
  expect([...new Set(acknowledgments.map(({ id }) => id.replace(/^(Annotation|AwsSolutions)::/, '')))].sort()).toEqual([
    'AwsSolutions-APIG2',
    'AwsSolutions-APIG3',
    'AwsSolutions-APIG4',
    'AwsSolutions-COG4',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    'AwsSolutions-IAM5[Resource::*]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/IpamDiscoveryRole]',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:ipam-*]',
    'AwsSolutions-SMG4',
  ]);
});
