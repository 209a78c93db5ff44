// The cloud organisation item on DynamoDB Local: the default until the first change, one versioned
// item after it, and no change lost when many writers race (each conditional put names the
// version it read).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrganizationItem } from '../../../lambdas/adapters/dynamodb/organization-item.ts';
import { StoredOrganizationDirectory } from '../../../lambdas/adapters/organization-directory.ts';
import { createOrganizationalUnit } from '../../../lambdas/domain/organization-edits.ts';
import { createTestTable, dynamoDbEndpoint, type TestTable } from '../../support/dynamodb.ts';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

const MANAGEMENT = '123456789012';
const MEMBER = '111122223333';

let table: TestTable;

beforeAll(async () => {
  table = await createTestTable();
});

afterAll(() => {
  table.client.destroy();
});

const directory = () =>
  new StoredOrganizationDirectory(new OrganizationItem(table.doc, table.tableName), {
    managementAccount: MANAGEMENT,
    keyedAccounts: async () => [MEMBER],
  });

describe('the organisation item', () => {
  it('is the default organisation until changed, then one versioned item that every writer sees', async () => {
    const [org] = await directory().list();
    expect(org!.MasterAccountId).toBe(MANAGEMENT);
    expect(org!.accounts.map((account) => account.Id)).toEqual([MANAGEMENT, MEMBER]);

    // 24 changes from 8 directories (as from as many Lambda instances) at once.
    const writers = Array.from({ length: 8 }, directory);
    await Promise.all(
      writers.flatMap((writer, w) =>
        [0, 1, 2].map((n) => writer.change(org!.Id, (current) => createOrganizationalUnit(current, current.RootId, `ou-${w}-${n}`).org)),
      ),
    );
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { PK: 'ORGANIZATIONS', SK: 'META' } }));
    expect(Item).toMatchObject({ type: 'organizations', version: 24 });
    expect((await directory().organizationOf(MEMBER))!.organizationalUnits).toHaveLength(24);
  });

  it('is what `npm run org -- --table` edits, as an operator loads a deployment', async () => {
    const org = (cli: string[]) =>
      run(
        process.execPath,
        [path.join(projectRoot, 'bin/org.ts'), ...cli, '--table', table.tableName, '--endpoint-url', dynamoDbEndpoint()],
        {
          env: { PATH: process.env.PATH, IPAM_ACCOUNT_ID: MANAGEMENT },
        },
      );
    await org(['create-ou', '--name', 'Loaded']);
    await org(['create-organization', '--management', '555566667777']);
    const organizations = await directory().list();
    expect(organizations.map((known) => known.MasterAccountId)).toEqual([MANAGEMENT, '555566667777']);
    expect(organizations[0]!.organizationalUnits.map((ou) => ou.Name)).toContain('Loaded');
    const { stdout } = await org(['show']);
    expect(stdout).toContain('Loaded/');
  });
});
