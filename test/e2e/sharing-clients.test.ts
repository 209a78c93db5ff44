import { fileURLToPath } from 'node:url';
import { AllocateIpamPoolCidrCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from '../../lambdas/domain/cidr.ts';
import { defaultOrganizationId, organizationArn } from '../../lambdas/domain/organization.ts';
import { isolatedEnv, python } from './support/python.ts';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { settledIpam, settledPool } from './support/settled.ts';
import { rawPost } from './support/signed-fetch.ts';

const SECOND = { accessKeyId: 'AKIATESTSECOND000004', secretAccessKey: 'test-second-secret', accountId: '555566667777' };
const THIRD = { accessKeyId: 'AKIATESTTHIRD0000005', secretAccessKey: 'test-third-secret', accountId: '666677778888' };
const FOURTH = { accessKeyId: 'AKIATESTFOURTH000006', secretAccessKey: 'test-fourth-secret', accountId: '777788889999' };
const MEMBERS = [MEMBER, SECOND, THIRD, FOURTH];
const TIMEOUT_MS = 240_000;
const BOTO3_SCRIPT = fileURLToPath(new URL('./support/boto3_sharing.py', import.meta.url));

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the sharing tests with the AWS CLI', probe.reason));

let service: TestService;
let management: AwsCli;
let administrator: AwsCli;
let cli: Map<string, AwsCli>;
let poolId: string;
let poolArn: string;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService({
    extraAccounts: MEMBERS,
  });
  [management, administrator] = await Promise.all([awsCli(service.url, ADMIN), awsCli(service.url, OTHER)]);
  cli = new Map(await Promise.all(MEMBERS.map(async (account) => [account.accountId, await awsCli(service.url, account)] as const)));
  await management.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
  await management.ok('aws ram enable-sharing-with-aws-organization');
  const ipam = await settledIpam(administrator);
  const pool = await settledPool(administrator, ipam.PrivateDefaultScopeId, '10.0.0.0/16', 'shared');
  poolId = pool.IpamPoolId;
  poolArn = pool.IpamPoolArn;
}, TIMEOUT_MS);
afterAll(async () => service?.stop());

const member = (account: { accountId: string }) => cli.get(account.accountId)!;

describeCli('sharing a pool with aws ram and aws ec2', () => {
  it('refuses to share a pool of a single-account IPAM; only the management account enables sharing with the organisation', {
    timeout: TIMEOUT_MS,
  }, async () => {
    // The management account is not the delegated administrator: its IPAM is single-account.
    const ipam = await settledIpam(management);
    const single = await settledPool(management, ipam.PrivateDefaultScopeId, '10.1.0.0/16');
    const refused = await management.run(
      `aws ram create-resource-share --name single --resource-arns ${single.IpamPoolArn} --principals ${MEMBER.accountId}`,
    );
    expect({ status: refused.status, code: refused.errorCode }).toEqual({ status: 255, code: 'OperationNotPermittedException' });
    expect(refused.errorMessage).toContain('single-account IPAM');

    const byMember = await member(MEMBER).run('aws ram enable-sharing-with-aws-organization');
    expect(byMember.errorCode).toBe('OperationNotPermittedException');
  });

  it('a principal allocates as itself; a non-principal sees NotFound; a revoked principal cannot replay its ClientToken', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const share = (
      await administrator.ok(
        `aws ram create-resource-share --name apps --resource-arns ${poolArn} --principals ${MEMBER.accountId} ${SECOND.accountId} --client-token create-apps`,
      )
    ).json.resourceShare;
    expect(share).toMatchObject({ name: 'apps', owningAccountId: OTHER.accountId, status: 'ACTIVE', featureSet: 'STANDARD' });
    const principals = (
      await administrator.ok(`aws ram list-principals --resource-owner SELF --resource-share-arns ${share.resourceShareArn}`)
    ).json.principals;
    expect(principals.map((p: { id: string }) => p.id).sort()).toEqual([MEMBER.accountId, SECOND.accountId].sort());

    const seen = (await member(MEMBER).ok('aws ec2 describe-ipam-pools')).json.IpamPools;
    expect(seen).toEqual([expect.objectContaining({ IpamPoolId: poolId, OwnerId: OTHER.accountId })]);
    expect(seen[0].Tags ?? []).not.toContainEqual(expect.objectContaining({ Key: 'Name' }));
    const first = (
      await member(MEMBER).ok(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${poolId} --netmask-length 24 --client-token alloc-1`)
    ).json.IpamPoolAllocation;
    expect(first.ResourceOwner).toBe(MEMBER.accountId);
    const retried = (
      await member(MEMBER).ok(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${poolId} --netmask-length 24 --client-token alloc-1`)
    ).json.IpamPoolAllocation;
    expect(retried).toEqual(first);

    const stranger = await member(FOURTH).run(`aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${poolId} --netmask-length 24`);
    expect({ status: stranger.status, code: stranger.errorCode }).toEqual({ status: 255, code: 'InvalidIpamPoolId.NotFound' });
    expect((await member(FOURTH).ok('aws ec2 describe-ipam-pools')).json.IpamPools).toEqual([]);
    const owned = await member(MEMBER).run(`aws ec2 delete-ipam-pool --ipam-pool-id ${poolId}`);
    expect(owned.errorCode).toBe('UnauthorizedOperation');

    const removed = (
      await administrator.ok(
        `aws ram disassociate-resource-share --resource-share-arn ${share.resourceShareArn} --principals ${MEMBER.accountId}`,
      )
    ).json.resourceShareAssociations;
    expect(removed).toEqual([expect.objectContaining({ associatedEntity: MEMBER.accountId, status: 'DISASSOCIATED' })]);
    const replay = await member(MEMBER).run(
      `aws ec2 allocate-ipam-pool-cidr --ipam-pool-id ${poolId} --netmask-length 24 --client-token alloc-1`,
    );
    expect(replay.errorCode).toBe('InvalidIpamPoolId.NotFound');
    // Its allocation stays, owned by it; the pool's owner sees it.
    const kept = (await administrator.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations;
    expect(kept).toContainEqual(expect.objectContaining({ Cidr: first.Cidr, ResourceOwner: MEMBER.accountId }));
    await administrator.ok(`aws ram delete-resource-share --resource-share-arn ${share.resourceShareArn}`);
    const deleted = (
      await administrator.ok(`aws ram get-resource-shares --resource-owner SELF --resource-share-arns ${share.resourceShareArn}`)
    ).json;
    expect(deleted.resourceShares[0].status).toBe('DELETED');
  });

  it('shares with the organisation: 16 concurrent allocations by 4 member accounts (JS SDK) never overlap', {
    timeout: TIMEOUT_MS,
  }, async () => {
    // The organisation's ARN covers every member account (sharing with the organisation is enabled in beforeAll).
    const organization = organizationArn(ADMIN.accountId, defaultOrganizationId(ADMIN.accountId));
    const share = (
      await administrator.ok(`aws ram create-resource-share --name everyone --resource-arns ${poolArn} --principals ${organization}`)
    ).json.resourceShare;
    const clients = MEMBERS.map((account) => service.ec2({ account }));
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, n) =>
        clients[n % 4]!.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: poolId, NetmaskLength: 22 + (n % 3) })),
      ),
    );
    const allocations = answers.map((answer) => answer.IpamPoolAllocation!);
    for (const [n, allocation] of allocations.entries()) expect(allocation.ResourceOwner).toBe(MEMBERS[n % 4]!.accountId);
    for (let i = 0; i < allocations.length; i++) {
      for (let j = i + 1; j < allocations.length; j++) {
        const [a, b] = [allocations[i]!.Cidr!, allocations[j]!.Cidr!];
        expect(cidrsOverlap(parseCidr(a), parseCidr(b)), `${a} overlaps ${b}`).toBe(false);
      }
    }
    await administrator.ok(`aws ram delete-resource-share --resource-share-arn ${share.resourceShareArn}`);
  });
});

const boto3Probe = await python(['-c', 'import boto3'], process.env);

describe.skipIf(skipUnless(probe.available && boto3Probe.status === 0, 'the boto3 RAM test', 'needs the AWS CLI and python3 with boto3'))(
  'a principal with boto3',
  () => {
    it('reads the shares and resources shared with it, RAM errors, and allocates from the shared pool', {
      timeout: TIMEOUT_MS,
    }, async () => {
      const share = (
        await administrator.ok(`aws ram create-resource-share --name boto3 --resource-arns ${poolArn} --principals ${THIRD.accountId}`)
      ).json.resourceShare;
      const run = await python([BOTO3_SCRIPT, service.url, THIRD.accessKeyId, THIRD.secretAccessKey, poolId], await isolatedEnv(), 110_000);
      expect(run.stderr).toBe('');
      const summary = JSON.parse(run.stdout);
      expect(summary.shares).toEqual([{ arn: share.resourceShareArn, status: 'ACTIVE', owner: OTHER.accountId, created: 'datetime' }]);
      expect(summary.paginated).toEqual([share.resourceShareArn]);
      expect(summary.resources).toEqual([{ arn: poolArn, type: 'ec2:IpamPool' }]);
      expect(summary.permission).toEqual({ name: 'AWSRAMDefaultPermissionsIpamPool', resourceType: 'ec2:IpamPool' });
      expect(summary.unknownPermission).toEqual({ code: 'UnknownResourceException', httpStatus: 400 });
      expect(summary.malformedShare).toEqual({ code: 'MalformedArnException', httpStatus: 400 });
      expect(summary.foreignDelete).toEqual({ code: 'UnknownResourceException', httpStatus: 400 });
      expect(summary.allocation.owner).toBe(THIRD.accountId);
      await administrator.ok(`aws ram delete-resource-share --resource-share-arn ${share.resourceShareArn}`);
    });
  },
);

describeCli('RAM authentication errors, in RAM shapes', () => {
  const ram = (account: { accessKeyId: string; secretAccessKey: string } | undefined) =>
    rawPost(service.url, {
      path: '/getresourceshares',
      body: '{"resourceOwner":"SELF"}',
      contentType: 'application/json',
      account,
      service: 'ram',
    });

  it('an unknown key, a wrong secret and a signed request to a path RAM does not have', async () => {
    const unknownKey = await ram({ accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' });
    expect(unknownKey.status).toBe(403);
    expect(unknownKey.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(JSON.parse(unknownKey.text)).toEqual({ message: expect.any(String) });
    const wrongSecret = await ram({ accessKeyId: OTHER.accessKeyId, secretAccessKey: 'not-the-secret' });
    expect({ status: wrongSecret.status, type: wrongSecret.headers.get('x-amzn-errortype') }).toEqual({
      status: 403,
      type: 'InvalidSignatureException',
    });
    expect(wrongSecret.headers.get('x-amzn-requestid')).toBeTruthy();
    const ok = await ram(OTHER);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).resourceShares).toEqual(expect.any(Array));
    const nowhere = await rawPost(service.url, {
      path: '/listbananas',
      body: '{}',
      contentType: 'application/json',
      account: OTHER,
      service: 'ram',
    });
    expect({ status: nowhere.status, type: nowhere.headers.get('x-amzn-errortype') }).toEqual({
      status: 400,
      type: 'UnknownOperationException',
    });
  });
});
