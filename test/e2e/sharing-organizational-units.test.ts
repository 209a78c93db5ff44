// An OU as a share's principal, with the real AWS CLI, decided on the organisation as it is now:
// an account moved into the OU after the share was made gains access; one moved out loses it at
// once, and its allocation stays, owned by it. OUs are built with the Organizations API
// (`aws organizations`), called by the management account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { settledIpam, settledPool } from './support/settled.ts';

const SECOND = { accessKeyId: 'AKIATESTSECOND000004', secretAccessKey: 'test-second-secret', accountId: '555566667777' };
const TIMEOUT_MS = 240_000;

const probe = await probeAwsCli();
let service: TestService | undefined;
let management: AwsCli;
let administrator: AwsCli;
let first: AwsCli;
let second: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService({
    extraAccounts: [MEMBER, SECOND],
  });
  [management, administrator, first, second] = await Promise.all([ADMIN, OTHER, MEMBER, SECOND].map((key) => awsCli(service!.url, key)));
}, TIMEOUT_MS);
afterAll(async () => service?.stop());

describe.skipIf(skipUnless(probe.available, 'the OU sharing test with the AWS CLI', probe.reason))('OU principals with the AWS CLI', () => {
  it('covers an account moved into the OU later and drops one moved out', { timeout: TIMEOUT_MS }, async () => {
    const rootId: string = (await management.ok('aws organizations list-roots')).json.Roots[0].Id;
    const ou = (await management.ok(`aws organizations create-organizational-unit --parent-id ${rootId} --name apps`)).json
      .OrganizationalUnit;
    const move = (account: string, from: string, to: string) =>
      management.ok(`aws organizations move-account --account-id ${account} --source-parent-id ${from} --destination-parent-id ${to}`);
    await move(MEMBER.accountId, rootId, ou.Id);
    await management.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
    await management.ok('aws ram enable-sharing-with-aws-organization');

    const ipam = await settledIpam(administrator);
    const pool = await settledPool(administrator, ipam.PrivateDefaultScopeId, '10.0.0.0/16');
    await administrator.ok(`aws ram create-resource-share --name apps --resource-arns ${pool.IpamPoolArn} --principals ${ou.Arn}`);
    const allocate = (as: AwsCli) => as.run(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --netmask-length 24`);

    const mine = (await allocate(first)).json.IpamPoolAllocation;
    expect(mine.ResourceOwner).toBe(MEMBER.accountId);
    expect((await allocate(second)).errorCode).toBe('InvalidIpamPoolId.NotFound');

    // Moved into the OU after the share was made: covered at once.
    await move(SECOND.accountId, rootId, ou.Id);
    expect((await allocate(second)).json.IpamPoolAllocation.ResourceOwner).toBe(SECOND.accountId);

    // Moved out: no access, its allocation stays, owned by it.
    await move(MEMBER.accountId, ou.Id, rootId);
    expect((await allocate(first)).errorCode).toBe('InvalidIpamPoolId.NotFound');
    expect((await first.ok('aws ec2 describe-ipam-pools')).json.IpamPools).toEqual([]);
    const kept = (await administrator.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${pool.IpamPoolId}`)).json.IpamPoolAllocations;
    expect(kept).toContainEqual(expect.objectContaining({ Cidr: mine.Cidr, ResourceOwner: MEMBER.accountId }));
  });
});
