// Everything that holds data and must outlive a redeploy of the code: the table, the KMS key that
// encrypts it and the access-key secret, and the event bus. The stateless stack receives these.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { IpamTable } from './constructs/ipam-table.ts';

interface StatefulStackProps extends StackProps {
  config: DeploymentConfig;
}

export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly tableIndexNames: string[];
  readonly eventBus: events.EventBus;
  readonly accessKeysSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { namePrefix, removalPolicy } = props.config;
    const retain = removalPolicy === 'retain';
    const removal = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'DataKey', {
      description: `Encrypts the ${namePrefix} IPAM table and access-key secret`,
      enableKeyRotation: true,
      removalPolicy: removal,
      pendingWindow: Duration.days(7),
    });

    const ipamTable = new IpamTable(this, 'Items', {
      tableName: `${namePrefix}-table`,
      encryptionKey: this.key,
      removalPolicy: removal,
      deletionProtection: retain,
    });
    this.table = ipamTable.table;
    this.tableIndexNames = ipamTable.indexNames;

    this.eventBus = new events.EventBus(this, 'Events', { eventBusName: `${namePrefix}-events` });

    // The keys the IPAM issues, and the pagination secret, in one secret (format in
    // lambdas/adapters/secrets-manager/access-keys-secret.ts). CloudFormation generates the
    // pagination secret once, at creation; later deploys never touch the value.
    this.accessKeysSecret = new secretsmanager.Secret(this, 'AccessKeys', {
      secretName: `${namePrefix}-access-keys`,
      description: 'Access keys issued by the IPAM ({accessKeyId, secretAccessKey, accountId}) and its pagination secret',
      encryptionKey: this.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accessKeys: [] }),
        generateStringKey: 'paginationSecret',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: removal,
    });
    Validations.of(this.accessKeysSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is a list of independent access keys, not one credential: keys are rotated by adding a new one ' +
        '(bin/create-access-key.ts) and removing the old one, which no rotation Lambda can do for the key holders.',
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'AccessKeysSecretName', {
      value: `${namePrefix}-access-keys`,
      description: 'npm run create-access-key -- --secret-id <this> --account <12 digits> --region <region>',
    });
  }
}
