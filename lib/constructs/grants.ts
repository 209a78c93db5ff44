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
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
      }),
    );
  }
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: TABLE_KEY_ACTIONS,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
    }),
  );
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
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}

/** What lambdas/adapters/ec2-inventory reads in each account and Region. */
const INVENTORY_READ_ACTIONS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeAddresses',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribePublicIpv4Pools',
];

/**
 * The discovery sweep's reads: EC2's Describe calls in this account, and the role it assumes in
 * every other one (member accounts, and accounts that own resource discoveries). Which accounts
 * those are is data, not deployment, so the account is a wildcard; the role name is not.
 * sts:GetCallerIdentity needs no permission.
 */
export function grantInventoryRead(role: iam.Role, discoveryRoleName: string): void {
  role.addToPolicy(new iam.PolicyStatement({ actions: INVENTORY_READ_ACTIONS, resources: ['*'] }));
  const memberRoles = `arn:${Aws.PARTITION}:iam::*:role/${discoveryRoleName}`;
  role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [memberRoles] }));
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'EC2 Describe actions (DescribeVpcs, DescribeSubnets, DescribeAddresses, DescribeNetworkInterfaces, ' +
        'DescribePublicIpv4Pools) support no resource-level permissions; the statement lists exactly those five read-only actions.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${discoveryRoleName}]`,
      reason:
        `Discovery reads every account that owns a resource discovery or is a configured member account through the role ` +
        `${discoveryRoleName}; those accounts are data that changes at run time, so only the role name is fixed. Each member ` +
        'account decides who may assume its role in the role’s trust policy.',
    },
  );
}
