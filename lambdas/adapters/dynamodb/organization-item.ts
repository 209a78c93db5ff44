// The organisation document in the cloud: one item of the table (keys.ts: ORGANIZATIONS / META),
// versioned, replaced by a conditional put. `npm run org -- --table <name>` edits it the same way
// the Organizations API does (docs/organizations.md).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type OrganizationDocument, parseOrganizationDocument } from '../../domain/organization-document.ts';
import type { DocumentStorage, StoredDocument } from '../organization-directory.ts';
import { organizationDocumentKey } from './keys.ts';

export class OrganizationItem implements DocumentStorage {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(doc: DynamoDBDocumentClient, tableName: string) {
    this.#doc = doc;
    this.#tableName = tableName;
  }

  async read(): Promise<StoredDocument> {
    const { Item } = await this.#doc.send(
      new GetCommand({ TableName: this.#tableName, Key: organizationDocumentKey, ConsistentRead: true }),
    );
    if (!Item) return { document: undefined, version: 0 };
    return { document: parseOrganizationDocument(Item.document), version: Item.version as number };
  }

  async write(document: OrganizationDocument, version: number): Promise<boolean> {
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...organizationDocumentKey, type: 'organizations', version: version + 1, document },
          // Invariant: the document changes only from the version the writer read (none stored: version 0).
          ConditionExpression: version === 0 ? 'attribute_not_exists(PK)' : 'version = :read',
          ExpressionAttributeValues: version === 0 ? undefined : { ':read': version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
