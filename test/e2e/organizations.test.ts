// The Organizations API at the service's one endpoint, through real clients: the AWS CLI builds
// OUs and moves accounts as the management account, members are refused changes, `npm run org`
// edits the file while the service runs, and boto3 reads the same answers with its own
// serializer, paginator and error parser.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { awsCli, probeAwsCli } from './support/aws-cli.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const BOTO3_SCRIPT = fileURLToPath(new URL('./support/boto3_organizations.py', import.meta.url));
const run = promisify(execFile);

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ extraAccounts: [MEMBER] });
});
afterAll(async () => service?.stop());

const cli = await probeAwsCli();
describe.skipIf(skipUnless(cli.available, 'the AWS CLI Organizations tests', cli.reason))('aws organizations', () => {
  it('shows the default organisation: the administrator manages every account that has keys', async () => {
    const aws = await awsCli(service.url, ADMIN);
    const { Organization } = (await aws.ok('aws organizations describe-organization')).json;
    expect(Organization).toMatchObject({ MasterAccountId: ADMIN.accountId, FeatureSet: 'ALL' });
    const { Accounts } = (await aws.ok('aws organizations list-accounts --page-size 1')).json;
    expect(Accounts.map((account: { Id: string }) => account.Id).sort()).toEqual([ADMIN, OTHER, MEMBER].map((a) => a.accountId).sort());

    const member = await awsCli(service.url, MEMBER);
    expect((await member.ok('aws organizations describe-organization')).json.Organization.Id).toBe(Organization.Id);
    expect(await member.run('aws organizations list-accounts')).toMatchObject({ errorCode: 'AccessDeniedException' });
  });

  it('builds OUs and moves accounts as the management account, and keeps them in the organisation file', async () => {
    const aws = await awsCli(service.url, ADMIN);
    const root = (await aws.ok('aws organizations list-roots')).json.Roots[0].Id;
    const { OrganizationalUnit: apps } = (await aws.ok(`aws organizations create-organizational-unit --parent-id ${root} --name Apps`))
      .json;
    expect(apps.Id).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8}$`));

    await aws.ok(
      `aws organizations move-account --account-id ${MEMBER.accountId} --source-parent-id ${root} --destination-parent-id ${apps.Id}`,
    );
    expect((await aws.ok(`aws organizations list-parents --child-id ${MEMBER.accountId}`)).json.Parents).toEqual([
      { Id: apps.Id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    const inApps = (await aws.ok(`aws organizations list-accounts-for-parent --parent-id ${apps.Id}`)).json.Accounts;
    expect(inApps.map((account: { Id: string }) => account.Id)).toEqual([MEMBER.accountId]);
    expect((await aws.ok(`aws organizations list-children --parent-id ${root} --child-type ORGANIZATIONAL_UNIT`)).json.Children).toEqual([
      { Id: apps.Id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect(await aws.run(`aws organizations delete-organizational-unit --organizational-unit-id ${apps.Id}`)).toMatchObject({
      errorCode: 'OrganizationalUnitNotEmptyException',
    });
    expect(
      await aws.run(
        `aws organizations move-account --account-id ${MEMBER.accountId} --source-parent-id ${root} --destination-parent-id ${apps.Id}`,
      ),
    ).toMatchObject({ errorCode: 'AccountNotFoundException' });

    const file = JSON.parse(await readFile(path.join(service.dataDir, 'organization.json'), 'utf8'));
    expect(file.organizations[0].organizationalUnits).toEqual([expect.objectContaining({ Id: apps.Id, Name: 'Apps' })]);
    expect(file.organizations[0].accounts).toContainEqual(expect.objectContaining({ Id: MEMBER.accountId, ParentId: apps.Id }));

    // A member may not change the organisation.
    const member = await awsCli(service.url, OTHER);
    expect(await member.run(`aws organizations create-organizational-unit --parent-id ${root} --name Mine`)).toMatchObject({
      errorCode: 'AccessDeniedException',
    });
  });

  it('answers an unknown key and an unserved operation in the JSON services’ words', async () => {
    const stranger = await awsCli(service.url, { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' });
    expect(await stranger.run('aws organizations describe-organization')).toMatchObject({ errorCode: 'UnrecognizedClientException' });
    const aws = await awsCli(service.url, ADMIN);
    expect(await aws.run('aws organizations list-policies --filter SERVICE_CONTROL_POLICY')).toMatchObject({
      errorCode: 'UnknownOperationException',
    });
  });

  it('sees what `npm run org` adds while the service runs, and the new account’s key works at once', async () => {
    // Into the OU 'Apps' the test above created.
    const { stdout } = await run(
      process.execPath,
      [path.join(projectRoot, 'bin/org.ts'), 'add-account', '--ou', 'Apps', '--name', 'late', '--account-id', '777788889999'],
      { cwd: projectRoot, env: { PATH: process.env.PATH, IPAM_DATA_DIR: service.dataDir, IPAM_ACCOUNT_ID: ADMIN.accountId } },
    );
    const key = {
      accessKeyId: /aws_access_key_id (\S+)/.exec(stdout)![1]!,
      secretAccessKey: /aws_secret_access_key (\S+)/.exec(stdout)![1]!,
    };
    const aws = await awsCli(service.url, ADMIN);
    const described = (await aws.ok('aws organizations describe-account --account-id 777788889999')).json.Account;
    expect(described).toMatchObject({ Id: '777788889999', Name: 'late', Status: 'ACTIVE' });
    const late = await awsCli(service.url, key);
    expect((await late.ok('aws organizations describe-organization')).json.Organization.MasterAccountId).toBe(ADMIN.accountId);
  });
});

async function boto3Probe(): Promise<{ available: boolean; reason?: string }> {
  try {
    await run('python3', ['-c', 'import boto3']);
    return { available: true };
  } catch (error) {
    return {
      available: false,
      reason: `python3 cannot import boto3 (pip install boto3): ${String((error as Error).message).split('\n')[0]}`,
    };
  }
}

const boto3 = await boto3Probe();
describe.skipIf(skipUnless(boto3.available, 'the boto3 Organizations test', boto3.reason))('boto3 organizations', () => {
  it('reads, pages, changes and refuses as AWS Organizations does', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/i.test(name)));
    const { stdout } = await run(
      'python3',
      [BOTO3_SCRIPT, service.url, ADMIN.accessKeyId, ADMIN.secretAccessKey, OTHER.accessKeyId, OTHER.secretAccessKey],
      {
        env: { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
        timeout: 60_000,
      },
    );
    const summary = JSON.parse(stdout);
    expect(summary.organization).toMatchObject({ MasterAccountId: ADMIN.accountId, FeatureSet: 'ALL' });
    expect(summary.ou.Name).toBe('Boto3');
    expect(summary.ou.Path).toBe(`${summary.organization.Id}/${summary.ou.Path.split('/')[1]}/${summary.ou.Id}/`);
    expect(summary.accounts).toEqual(expect.arrayContaining([ADMIN.accountId, OTHER.accountId, MEMBER.accountId]));
    expect(summary.account_pages).toBe(summary.accounts.length);
    expect(summary.joined_is_datetime).toBe(true);
    expect(summary.member_create).toEqual({ code: 'AccessDeniedException', status: 400, request_id: true });
    expect(summary.missing_ou).toBe('OrganizationalUnitNotFoundException');
    expect(summary.deleted_ou_listed).toBe(false);
    expect(summary.bad_signature).toBe('InvalidSignatureException');
  });
});
