// The permissions our functions need on the stateful resources, spelled out: exactly the
// DynamoDB actions DynamoDbStore sends (no UpdateItem, no Scan), the named GSIs (not
// `index/*`), and the KMS key only when DynamoDB or Secrets Manager uses it on the caller's behalf.
import { Aws, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** What lambdas/adapters/dynamodb/store.ts sends: Get/BatchGet/Query, and TransactWriteItems of Put, Delete, ConditionCheck. */
const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

// CDK's own key actions for read/write access to a table with a customer-managed key
// (Table.grantReadWriteData), restricted to calls DynamoDB makes for the caller.
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

export interface TableAccess {
  table: dynamodb.ITable;
  indexNames: string[];
  key: kms.IKey;
}

export function grantTableReadWrite(role: iam.Role, { table, indexNames, key }: TableAccess): void {
  role.addToPolicy(new iam.PolicyStatement({ actions: TABLE_ITEM_ACTIONS, resources: [table.tableArn] }));
  if (indexNames.length > 0) {
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
    }));
  }
  role.addToPolicy(new iam.PolicyStatement({
    actions: TABLE_KEY_ACTIONS,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
  }));
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason:
        `${action} is CDK's standard grant for a table encrypted with a customer-managed key; it applies to that ` +
        'one key ARN and only through DynamoDB (kms:ViaService).',
    });
  }
}

export function grantSecretRead(role: iam.Role, secret: secretsmanager.ISecret, key: kms.IKey): void {
  role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
  }));
}
