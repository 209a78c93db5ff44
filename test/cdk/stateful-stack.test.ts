// The stateful stack as synthesised by the real app: the one table exactly as
// lambdas/adapters/dynamodb/table.ts defines it, protected and encrypted with our key; the key;
// the bus; the access-key secret.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tableDefinition } from '../../lambdas/adapters/dynamodb/table.ts';
import { GSI1, TIME_TO_LIVE_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-schema.ts';
import { loadDeploymentConfig } from '../../lib/config.ts';
import { StatefulStack } from '../../lib/stateful-stack.ts';
import { removeTemporaryDirs, synthesise, temporaryDir, workflowFixture } from './support/synth.ts';

let template: Template;
let stack: StatefulStack;

beforeAll(() => {
  const { stateMachinesDir, workflowTaskEntry } = workflowFixture();
  const synth = synthesise({ sources: { stateMachinesDir, workflowTaskEntry } });
  template = synth.statefulTemplate;
  stack = synth.stateful;
});

afterAll(removeTemporaryDirs);

const keyRef = () => ({ 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] });

describe('the table', () => {
  test('has the keys, GSIs and attribute types of the store’s own table definition', () => {
    const definition = tableDefinition('ipam-table');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'ipam-table',
      KeySchema: definition.KeySchema,
      AttributeDefinitions: Match.arrayWith(definition.AttributeDefinitions!.map((attribute) => Match.objectEquals(attribute))),
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes!.map((index) => Match.objectLike(index)),
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: GSI1.indexName,
          KeySchema: [
            { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
            { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  test('is on-demand, with point-in-time recovery, deletion protection, TTL on expiresAt and our KMS key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: TIME_TO_LIVE_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef() },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(TIME_TO_LIVE_ATTRIBUTE).toBe('expiresAt');
  });
});

test('the stack is ipam-stateful, with termination protection', () => {
  expect(stack.stackName).toBe('ipam-stateful');
  expect(stack.terminationProtection).toBe(true);
});

test('the customer-managed key rotates and is kept when the stack goes', () => {
  template.resourceCountIs('AWS::KMS::Key', 1);
  template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
});

test('the event bus for IPAM events exists under the configured prefix', () => {
  template.hasResourceProperties('AWS::Events::EventBus', { Name: 'ipam-events' });
});

test('the access-key secret is KMS-encrypted and created as an empty key list with a generated pagination secret', () => {
  template.hasResource('AWS::SecretsManager::Secret', {
    Properties: {
      Name: 'ipam-access-keys',
      KmsKeyId: keyRef(),
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ accessKeys: [] }),
        GenerateStringKey: 'paginationSecret',
        PasswordLength: 64,
        ExcludePunctuation: true,
      },
    },
    DeletionPolicy: 'Retain',
  });
  // No secret value is ever written into the template.
  expect(JSON.stringify(template.toJSON())).not.toMatch(/"SecretString"/);
});

test('outputs name what docs/deploy-and-operations.md tells operators to use', () => {
  template.hasOutput('AccessKeysSecretName', { Value: 'ipam-access-keys' });
  template.hasOutput('TableName', {});
});

test('removalPolicy=destroy (sandboxes) lifts deletion protection and deletes table, key and secret', () => {
  // The stateful stack alone: no second synthesis of the whole app.
  const app = new App({ outdir: temporaryDir('ipam-cdk-'), context: { removalPolicy: 'destroy', namePrefix: 'sandbox' } });
  const config = loadDeploymentConfig(app.node, {});
  const sandbox = Template.fromStack(new StatefulStack(app, 'Sandbox', { config }));
  sandbox.hasResource('AWS::DynamoDB::Table', {
    Properties: {
      TableName: 'sandbox-table',
      DeletionProtectionEnabled: false,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
    DeletionPolicy: 'Delete',
  });
  sandbox.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  sandbox.hasResource('AWS::SecretsManager::Secret', { Properties: { Name: 'sandbox-access-keys' }, DeletionPolicy: 'Delete' });
});
