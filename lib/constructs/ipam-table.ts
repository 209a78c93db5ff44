// The single DynamoDB table, built from the same definition DynamoDB Local and the tests use
// (lambdas/adapters/dynamodb/table.ts): keys, GSIs and the TTL attribute are not restated here.
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { TIME_TO_LIVE_ATTRIBUTE, tableDefinition } from '../../lambdas/adapters/dynamodb/table.ts';

export interface IpamTableProps {
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
    const definition = tableDefinition(props.tableName);
    if (definition.BillingMode !== 'PAY_PER_REQUEST') throw new Error('The table definition must be on-demand (PAY_PER_REQUEST).');
    const attribute = attributeResolver(definition.AttributeDefinitions ?? []);
    const keys = (schema: KeySchemaElement[] | undefined) => ({
      partitionKey: attribute(schema?.find((key) => key.KeyType === 'HASH')?.AttributeName),
      sortKey: schema?.some((key) => key.KeyType === 'RANGE') ? attribute(schema.find((key) => key.KeyType === 'RANGE')?.AttributeName) : undefined,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      ...keys(definition.KeySchema),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: TIME_TO_LIVE_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
    });
    this.indexNames = [];
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      if (!index.IndexName) throw new Error('Every GSI in the table definition needs a name.');
      if (index.Projection?.ProjectionType !== 'ALL') throw new Error(`GSI ${index.IndexName}: only ALL projections are supported here.`);
      this.table.addGlobalSecondaryIndex({ indexName: index.IndexName, ...keys(index.KeySchema), projectionType: dynamodb.ProjectionType.ALL });
      this.indexNames.push(index.IndexName);
    }
  }
}

function attributeResolver(definitions: AttributeDefinition[]): (name: string | undefined) => dynamodb.Attribute {
  const types: Record<string, dynamodb.AttributeType> = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY };
  return (name) => {
    const type = definitions.find((definition) => definition.AttributeName === name)?.AttributeType;
    if (!name || !type) throw new Error(`The table definition has no attribute definition for key '${name}'.`);
    return { name, type: types[type] };
  };
}
