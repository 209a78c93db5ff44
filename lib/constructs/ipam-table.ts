// The single DynamoDB table, built from the same schema DynamoDB Local and the tests use
// (lambdas/adapters/dynamodb/table-schema.ts): keys, GSIs and the TTL attribute are not restated here.
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, PARTITION_KEY, SORT_KEY, TIME_TO_LIVE_ATTRIBUTE } from '../../lambdas/adapters/dynamodb/table-schema.ts';

interface IpamTableProps {
  tableName: string;
  encryptionKey: kms.IKey;
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

export class IpamTable extends Construct {
  readonly table: dynamodb.Table;
  /** Names of the table's global secondary indexes, for IAM statements on exactly those. */
  readonly indexNames: string[];

  constructor(scope: Construct, id: string, props: IpamTableProps) {
    super(scope, id);
    // Every key attribute of the schema is a string.
    const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: stringKey(PARTITION_KEY),
      sortKey: stringKey(SORT_KEY),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: TIME_TO_LIVE_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
    });
    this.indexNames = [];
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
      this.indexNames.push(index.indexName);
    }
  }
}
