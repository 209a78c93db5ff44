// Shows and edits the organisation document (docs/organizations.md): the local file by default
// (IPAM_ORGANIZATION_FILE, else <IPAM_DATA_DIR>/organization.json), a deployment's table item
// with --table. A running `npm start` sees each change on its next request.
//   npm run org -- show
//   npm run org -- create-ou --name Prod [--parent root|<ou name or id>]
//   npm run org -- add-account --ou Prod [--name web] [--account-id 111122223333]
//   npm run org -- move-account 111122223333 --ou root
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeAwsConfigureHint } from '../lambdas/adapters/access-keys.ts';
import { OrganizationItem } from '../lambdas/adapters/dynamodb/organization-item.ts';
import { addAccessKey, localKeyAccounts } from '../lambdas/adapters/local/credentials-file.ts';
import { OrganizationFile } from '../lambdas/adapters/local/organization-file.ts';
import { type DocumentStorage, StoredOrganizationDirectory } from '../lambdas/adapters/organization-directory.ts';
import { addAccessKeyToSecret, readAccessKeysSecret } from '../lambdas/adapters/secrets-manager/access-keys-secret.ts';
import { loadConfig } from '../lambdas/config.ts';
import type { Organization } from '../lambdas/domain/model/organization.ts';
import { ipamAdministrator } from '../lambdas/domain/organization.ts';
import { type OrganizationDocument, organizationOfAccount, parseOrganizationDocument } from '../lambdas/domain/organization-document.ts';
import {
  addAccount,
  createOrganization,
  createOrganizationalUnit,
  deleteOrganizationalUnit,
  moveAccount,
  OrganizationsError,
  renameOrganizationalUnit,
} from '../lambdas/domain/organization-edits.ts';
import { documentClient, dynamoDbClient } from '../lambdas/hosts/dependencies.ts';
import { defineCommand, parseSubcommandLine, runCommand, UsageError } from './cli.ts';

const command = defineCommand({
  invocation: 'npm run org',
  synopsis:
    'show [--json] | create-ou --name <n> [--parent <ou>] | rename-ou <ou> --name <n> | delete-ou <ou> | ' +
    'add-account [--ou <ou>] [--name <n>] [--email <e>] [--account-id <id>] | move-account <id> --ou <ou> | ' +
    'remove-account <id> | create-organization --management <id> | import --file <document.json>  ' +
    '[--organization <o-id or management account>] [--table <name> [--region <r>] [--endpoint-url <u>] [--secret-id <s>]]',
  summary:
    'Shows or edits the organisations the IPAM serves: OUs, member accounts (with an access key each), a second organisation. ' +
    '<ou> is root, an OU id or an OU name.',
  flags: {
    name: { type: 'string', value: '<name>', description: 'the OU or account name' },
    parent: { type: 'string', value: '<ou>', description: 'create-ou: the parent (default root)' },
    ou: { type: 'string', value: '<ou>', description: 'add-account, move-account: where the account goes (default root)' },
    'account-id': { type: 'string', value: '<12 digits>', description: 'add-account: the account (default: a new random one)' },
    email: { type: 'string', value: '<address>', description: "add-account: the account's e-mail (default <id>@example.com)" },
    management: { type: 'string', value: '<12 digits>', description: 'create-organization: its management account' },
    organization: {
      type: 'string',
      value: '<o-id or account>',
      description: 'the organisation to edit (default: the first one)',
    },
    file: { type: 'string', value: '<path>', description: 'import: a document to replace the stored one' },
    json: { type: 'boolean', description: 'show: print the document as JSON' },
    table: { type: 'string', value: '<name>', description: "edit a deployment's table item instead of the local file" },
    region: { type: 'string', value: '<region>', description: 'with --table: the Region of the deployment (default: AWS_REGION)' },
    'endpoint-url': { type: 'string', value: '<url>', description: 'with --table: a DynamoDB endpoint (DynamoDB Local)' },
    'secret-id': {
      type: 'string',
      value: '<name or ARN>',
      description: 'with --table: the access-key secret (its accounts are members; add-account issues the key there)',
    },
  },
  environment: ['IPAM_DATA_DIR', 'IPAM_ORGANIZATION_FILE', 'IPAM_ACCOUNT_ID', 'IPAM_EXTRA_ACCOUNTS', 'AWS_PROFILE', 'AWS_REGION'],
});

const { values, positionals } = parseSubcommandLine(command);
const [subcommand = 'show', operand, ...excess] = positionals;

await runCommand(command, async () => {
  if (excess.length > 0) throw new UsageError(`Unexpected '${excess.join(' ')}' after '${operand}'.`);
  const config = loadConfig();
  const cloud = values.table !== undefined;
  const secrets = values['secret-id'] ? new SecretsManagerClient(values.region ? { region: values.region } : {}) : undefined;
  const storage: DocumentStorage = cloud
    ? new OrganizationItem(cloudDocumentClient(), values.table!)
    : new OrganizationFile(config.local.organizationFile);
  const directory = new StoredOrganizationDirectory(storage, {
    managementAccount: config.accountId,
    keyedAccounts: async () =>
      cloud
        ? secrets
          ? (await readAccessKeysSecret(secrets, values['secret-id']!)).accessKeys.map((key) => key.accountId)
          : []
        : [...(await localKeyAccounts(config)), ...config.discovery.memberAccounts],
  });
  const where = cloud ? `the organisation item of table ${values.table}` : config.local.organizationFile;
  const change = async (edit: (document: OrganizationDocument) => OrganizationDocument) => {
    const document = await directory.changeDocument(edit);
    console.log(`Saved ${where}.`);
    return document;
  };
  /** Edits the chosen organisation (--organization, else the first). */
  const changeOrganization = (edit: (org: Organization) => Organization) =>
    change((document) => {
      const org = chooseOrganization(document);
      return { ...document, organizations: document.organizations.map((known) => (known.Id === org.Id ? edit(known) : known)) };
    });

  switch (subcommand) {
    case 'show': {
      const document = await directory.document();
      console.log(values.json ? JSON.stringify(document, null, 2) : describeDocument(document));
      return;
    }
    case 'create-ou': {
      const name = required(values.name, '--name');
      let created = '';
      await changeOrganization((org) => {
        const result = createOrganizationalUnit(org, parentId(org, values.parent ?? 'root'), name);
        created = result.ou.Id;
        return result.org;
      });
      console.log(`Created OU ${created} '${name}'.`);
      return;
    }
    case 'rename-ou': {
      const name = required(values.name, '--name');
      await changeOrganization((org) => renameOrganizationalUnit(org, parentId(org, required(operand, 'the OU')), name).org);
      return;
    }
    case 'delete-ou':
      await changeOrganization((org) => deleteOrganizationalUnit(org, parentId(org, required(operand, 'the OU'))));
      return;
    case 'move-account': {
      const accountId = required(operand, 'the account id');
      await changeOrganization((org) => {
        const account = org.accounts.find((known) => known.Id === accountId);
        if (!account) throw new UsageError(`The account ${accountId} is not in ${org.Id}.`);
        return moveAccount(org, accountId, account.ParentId, parentId(org, required(values.ou, '--ou')));
      });
      return;
    }
    case 'add-account': {
      const accountId = values['account-id'] ?? String(randomInt(100_000_000_000, 1_000_000_000_000)).padStart(12, '0');
      const document = await change((current) => {
        const org = chooseOrganization(current);
        return addAccount(current, org.Id, {
          accountId,
          name: values.name,
          email: values.email,
          parentId: parentId(org, values.ou ?? 'root'),
          joined: new Date(),
        });
      });
      console.log(`Account ${accountId} is in ${organizationOfAccount(document, accountId)!.Id}.`);
      await issueKey(accountId);
      return;
    }
    case 'remove-account': {
      const accountId = required(operand, 'the account id');
      await change((document) => {
        const org = organizationOfAccount(document, accountId);
        if (!org) throw new UsageError(`The account ${accountId} is in no organisation.`);
        if (org.MasterAccountId === accountId) throw new UsageError(`The account ${accountId} manages ${org.Id} and cannot leave it.`);
        if (ipamAdministrator(org) === accountId) {
          throw new UsageError(`The account ${accountId} is the delegated IPAM administrator of ${org.Id}; disable the delegation first.`);
        }
        return {
          standaloneAccounts: [...document.standaloneAccounts, accountId],
          organizations: document.organizations.map((known) => ({
            ...known,
            accounts: known.accounts.filter((account) => account.Id !== accountId),
            delegatedAdministrators: known.delegatedAdministrators.filter((admin) => admin.AccountId !== accountId),
          })),
        };
      });
      console.log(`Account ${accountId} now stands alone.`);
      return;
    }
    case 'create-organization': {
      const management = required(values.management, '--management');
      let created = '';
      await change((document) => {
        const result = createOrganization(document, management, new Date());
        created = result.org.Id;
        return result.document;
      });
      console.log(`Created organisation ${created}, managed by ${management}.`);
      return;
    }
    case 'import': {
      const text = await readFile(required(values.file, '--file'), 'utf8');
      const imported = parseOrganizationDocument(JSON.parse(text));
      await change(() => imported);
      return;
    }
    default:
      throw new UsageError(`Unknown subcommand '${subcommand}'.`);
  }

  function chooseOrganization(document: OrganizationDocument): Organization {
    const wanted = values.organization;
    const org =
      wanted === undefined
        ? document.organizations[0]
        : document.organizations.find((known) => known.Id === wanted || known.MasterAccountId === wanted);
    if (!org) throw new UsageError(wanted === undefined ? 'There is no organisation yet.' : `There is no organisation ${wanted}.`);
    return org;
  }

  async function issueKey(accountId: string): Promise<void> {
    if (cloud && !secrets) {
      console.log(`No --secret-id: issue its key with npm run create-access-key -- --account ${accountId}.`);
      return;
    }
    const key = secrets
      ? await addAccessKeyToSecret(secrets, values['secret-id']!, accountId)
      : await addAccessKey(config.local.dataDir, accountId);
    // Printing the secret is the point: it is shown once, to the operator.
    const endpointUrl = cloud ? '<EndpointUrl output of the stateless stack>' : `http://${config.local.host}:${config.local.port}`;
    console.log(describeAwsConfigureHint(key, { endpointUrl, profile: `ipam-${accountId}`, region: values.region }));
  }
});

function cloudDocumentClient() {
  const endpoint = values['endpoint-url'];
  // An endpoint is DynamoDB Local (dependencies.ts's set-up); without one, your AWS credentials and Region.
  return documentClient(endpoint ? dynamoDbClient(endpoint) : new DynamoDBClient(values.region ? { region: values.region } : {}));
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`${subcommand} needs ${what}.`);
  return value;
}

/** `root`, the root's id, an OU's id, or an OU's name (which must then be unique in the organisation). */
function parentId(org: Organization, reference: string): string {
  if (reference.toLowerCase() === 'root' || reference === org.RootId) return org.RootId;
  if (org.organizationalUnits.some((ou) => ou.Id === reference)) return reference;
  const named = org.organizationalUnits.filter((ou) => ou.Name === reference);
  if (named.length === 1) return named[0]!.Id;
  if (named.length > 1) throw new UsageError(`Several OUs are named '${reference}' in ${org.Id}; give its id.`);
  throw new OrganizationsError('OrganizationalUnitNotFoundException', `There is no OU '${reference}' in ${org.Id}.`);
}

/** The organisations as indented trees, then the standalone accounts. */
function describeDocument(document: OrganizationDocument): string {
  const lines: string[] = [];
  for (const org of document.organizations) {
    lines.push(`${org.Id}  managed by ${org.MasterAccountId}`);
    const admins = org.delegatedAdministrators.map((admin) => `${admin.AccountId} (${admin.ServicePrincipal})`);
    if (admins.length > 0) lines.push(`  delegated administrators: ${admins.join(', ')}`);
    const walk = (parent: string, depth: number) => {
      const indent = '  '.repeat(depth);
      for (const account of org.accounts.filter((known) => known.ParentId === parent))
        lines.push(`${indent}${account.Id}  ${account.Name}`);
      for (const ou of org.organizationalUnits.filter((known) => known.ParentId === parent)) {
        lines.push(`${indent}${ou.Id}  ${ou.Name}/`);
        walk(ou.Id, depth + 1);
      }
    };
    lines.push(`  ${org.RootId}  Root/`);
    walk(org.RootId, 2);
  }
  if (document.standaloneAccounts.length > 0) lines.push(`standalone: ${document.standaloneAccounts.join(', ')}`);
  return lines.join('\n');
}
