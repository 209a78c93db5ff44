// The README's multi-account walkthrough, command for command, with the AWS CLI: the management
// account builds an OU, delegates IPAM administration and turns on sharing; the delegated
// administrator creates an IPAM and a pool and shares the pool with the OU; a member account in
// the OU allocates from it with its own key; the share is deleted and the member's access ends,
// while its allocation stays, owned by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { settledIpam, settledPool } from './support/settled.ts';

const probe = await probeAwsCli();

let service: TestService;
let management: AwsCli;
let administrator: AwsCli;
let member: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService({ extraAccounts: [MEMBER] });
  [management, administrator, member] = await Promise.all([ADMIN, OTHER, MEMBER].map((key) => awsCli(service.url, key)));
});
afterAll(async () => service?.stop());

describe.skipIf(skipUnless(probe.available, 'the organisation walkthrough with the AWS CLI', probe.reason))(
  'the organisation walkthrough (README) with the AWS CLI',
  () => {
    it('delegates, shares a pool with an OU, lets a member allocate, and ends its access when the share goes', {
      timeout: 240_000,
    }, async () => {
      // Management account: an OU for the application teams, the member moved into it.
      const rootId: string = (await management.ok('aws organizations list-roots')).json.Roots[0].Id;
      const ou = (await management.ok(`aws organizations create-organizational-unit --parent-id ${rootId} --name apps`)).json
        .OrganizationalUnit;
      await management.ok(
        `aws organizations move-account --account-id ${MEMBER.accountId} --source-parent-id ${rootId} --destination-parent-id ${ou.Id}`,
      );
      expect((await management.ok(`aws organizations list-accounts-for-parent --parent-id ${ou.Id}`)).json.Accounts).toEqual([
        expect.objectContaining({ Id: MEMBER.accountId }),
      ]);
      // … delegates IPAM administration, and turns on sharing within the organisation.
      expect(
        (await management.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`)).json,
      ).toEqual({ Success: true });
      expect((await management.ok('aws ram enable-sharing-with-aws-organization')).json).toEqual({ returnValue: true });

      // Delegated administrator: an IPAM, a pool with space, shared with the OU.
      const ipam = await settledIpam(administrator);
      const pool = await settledPool(administrator, ipam.PrivateDefaultScopeId, '10.0.0.0/16', 'apps');
      const share = (
        await administrator.ok(`aws ram create-resource-share --name apps-pool --resource-arns ${pool.IpamPoolArn} --principals ${ou.Arn}`)
      ).json.resourceShare;
      expect(share).toMatchObject({ name: 'apps-pool', owningAccountId: OTHER.accountId, status: 'ACTIVE' });

      // Member account, with its own key: sees the pool (without its Name tag) and allocates from it.
      const seen = (await member.ok('aws ec2 describe-ipam-pools')).json.IpamPools;
      expect(seen).toEqual([expect.objectContaining({ IpamPoolId: pool.IpamPoolId, OwnerId: OTHER.accountId })]);
      expect(seen[0].Tags ?? []).not.toContainEqual(expect.objectContaining({ Key: 'Name' }));
      const allocation = (await member.ok(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --netmask-length 24`)).json
        .IpamPoolAllocation;
      expect(allocation).toMatchObject({ Cidr: '10.0.0.0/24', ResourceOwner: MEMBER.accountId });

      // The share goes: the member's access ends at once; its allocation stays, owned by it.
      await administrator.ok(`aws ram delete-resource-share --resource-share-arn ${share.resourceShareArn}`);
      const refused = await member.run(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --netmask-length 24`);
      expect(refused.errorCode).toBe('InvalidIpamPoolId.NotFound');
      expect((await member.ok('aws ec2 describe-ipam-pools')).json.IpamPools).toEqual([]);
      const kept = (await administrator.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${pool.IpamPoolId}`)).json.IpamPoolAllocations;
      expect(kept).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceOwner: MEMBER.accountId })]);
    });
  },
);
