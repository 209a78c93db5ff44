// Delegating the IPAM administrator with the real AWS CLI (spec §1.2, scenario S2 step 1, the
// CLI tutorial's step 1), each command signed with its account's own key: the management account
// (the local administrator, IPAM_ACCOUNT_ID) delegates a member; a member's key and the management
// account as delegate are refused; the delegate's IPAM discovers the organisation's members
// (a static inventory file) and may trigger sweeps; Disable returns it to one account.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';
import { rawPost } from './support/signed-fetch.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI delegation tests', probe.reason));

/** A third account with its own key: a member the delegate's IPAM discovers. */
const THIRD = { accessKeyId: 'AKIATESTTHIRD0000003', secretAccessKey: 'test-third-secret', accountId: '444455556666' };
const CLI_TEST_TIMEOUT_MS = 180_000;
const SWEEP = { path: '/local/discovery-sweeps', body: '', contentType: 'application/json' };

let service: TestService;
let management: AwsCli;
let member: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  const inventoryFile = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-inventory-')), 'inventory.json');
  const vpcs = (n: number) => ({ 'us-east-1': { vpcs: [{ VpcId: `vpc-0000000000000000${n}`, Cidrs: [`10.${n}.0.0/16`] }] } });
  await writeFile(
    inventoryFile,
    JSON.stringify({ accounts: { [ADMIN.accountId]: vpcs(1), [OTHER.accountId]: vpcs(2), [THIRD.accountId]: vpcs(3) } }),
  );
  service = await startTestService({
    // The default organisation: IPAM_ACCOUNT_ID manages these members.
    env: { IPAM_INVENTORY_FILE: inventoryFile, IPAM_DISCOVERY_MEMBER_ACCOUNTS: `${OTHER.accountId},${THIRD.accountId}` },
    extraAccounts: [THIRD],
  });
  management = await awsCli(service.url, ADMIN);
  member = await awsCli(service.url, OTHER);
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => service?.stop());

function expectCliError(result: CliResult, code: string, action: string, mention: string): void {
  expect({ status: result.status, code: result.errorCode, action: result.errorAction }).toEqual({ status: 255, code, action });
  expect(result.errorMessage).toContain(mention);
}

const ENABLE = 'aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id';
const DISABLE = 'aws ec2 disable-ipam-organization-admin-account --delegated-admin-account-id';

async function discoveredAccounts(rd: string): Promise<string[]> {
  const { json } = await member.ok(`aws ec2 get-ipam-discovered-accounts --ipam-resource-discovery-id ${rd} --discovery-region us-east-1`);
  return json.IpamDiscoveredAccounts.map((account: { AccountId: string }) => account.AccountId).sort();
}

describeCli('enable-ipam-organization-admin-account / disable-ipam-organization-admin-account, with the AWS CLI', () => {
  it(
    'the management account delegates a member, whose IPAM then discovers the organisation; disable undoes it',
    async () => {
      // Refused: the management account itself, a member's key, a dry run.
      expectCliError(
        await management.run(`${ENABLE} ${ADMIN.accountId}`),
        'InvalidParameterValue',
        'EnableIpamOrganizationAdminAccount',
        'not the management account',
      );
      expectCliError(
        await member.run(`${ENABLE} ${OTHER.accountId}`),
        'UnauthorizedOperation',
        'EnableIpamOrganizationAdminAccount',
        OTHER.accountId,
      );
      expectCliError(
        await management.run(`${ENABLE} ${OTHER.accountId} --dry-run`),
        'DryRunOperation',
        'EnableIpamOrganizationAdminAccount',
        'DryRun',
      );

      // The tutorial's command and answer.
      expect((await management.ok(`${ENABLE} ${OTHER.accountId}`)).json).toEqual({ Success: true });
      expect((await management.ok(`${ENABLE} ${OTHER.accountId}`)).json).toEqual({ Success: true });
      expectCliError(
        await management.run(`${ENABLE} ${THIRD.accountId}`),
        'IpamOrganizationDelegatedAdminLimitExceeded',
        'EnableIpamOrganizationAdminAccount',
        OTHER.accountId,
      );

      // The delegate creates the IPAM; a sweep it triggers itself reads every member account.
      const { json } = await member.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1');
      const ipamId: string = json.Ipam.IpamId;
      const rd: string = json.Ipam.DefaultResourceDiscoveryId;
      await poll(
        async () => (await member.ok(`aws ec2 describe-ipams --ipam-ids ${ipamId}`)).json.Ipams[0].State,
        (state) => state === 'create-complete',
        'the IPAM',
      );
      const triggered = await rawPost(service.url, { ...SWEEP, account: OTHER });
      expect(triggered.status).toBe(200);
      expect(await discoveredAccounts(rd)).toEqual([OTHER.accountId, THIRD.accountId].sort());

      // Only the management account takes it back, and only from the administrator.
      expectCliError(
        await member.run(`${DISABLE} ${OTHER.accountId}`),
        'UnauthorizedOperation',
        'DisableIpamOrganizationAdminAccount',
        OTHER.accountId,
      );
      expectCliError(
        await management.run(`${DISABLE} ${THIRD.accountId}`),
        'IpamOrganizationAccountNotRegistered',
        'DisableIpamOrganizationAdminAccount',
        THIRD.accountId,
      );
      expect((await management.ok(`${DISABLE} ${OTHER.accountId}`)).json).toEqual({ Success: true });
      expectCliError(
        await management.run(`${DISABLE} ${OTHER.accountId}`),
        'IpamOrganizationAccountNotRegistered',
        'DisableIpamOrganizationAdminAccount',
        OTHER.accountId,
      );

      // No longer an administrator: its sweep trigger is refused, and the next sweep reads its account alone.
      expect((await rawPost(service.url, { ...SWEEP, account: OTHER })).status).toBe(403);
      await service.sweep();
      expect(await discoveredAccounts(rd)).toEqual([OTHER.accountId]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
