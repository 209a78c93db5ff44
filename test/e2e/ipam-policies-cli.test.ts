// IPAM policies, tiers and cost distribution with the real AWS CLI (issue 22; spec §2.4, §2.6,
// §13): the delegated administrator's advanced-tier IPAM charging resource owners, a public pool
// shared with a member, a tagged policy whose eip rule names that pool, enabled on the member's
// account; allocate-address without a pool refused before and after, allowed while enabled; and
// modify-ipam --tier free refused in the guide's words while the policy exists, then while the
// member still holds its address, then accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the IPAM policy AWS CLI end-to-end tests', probe.reason));

const CLI_TEST_TIMEOUT_MS = 300_000;
/** The guide's profiles: management-account, ipam-account (the delegated IPAM administrator), member-account. */
const PROFILES = { 'management-account': ADMIN, 'ipam-account': OTHER, 'member-account': MEMBER };
const DOWNGRADE = 'Before you can switch from the Advanced Tier to the Free Tier, you must';

let service: TestService;
let cli: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService({ extraAccounts: [MEMBER] });
  cli = await awsCli(service.url, ADMIN, 'us-east-1', PROFILES);
  // Organisation integration: the IPAM account delegated, sharing with the organisation on.
  await cli.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
  await cli.ok('aws ram enable-sharing-with-aws-organization');
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => service?.stop());

function expectCliError(result: CliResult, code: string, action: string, ...mentions: string[]): void {
  expect({ status: result.status, code: result.errorCode, action: result.errorAction }).toEqual({ status: 255, code, action });
  for (const mention of mentions) expect(result.errorMessage).toContain(mention);
}

describeCli('IPAM policies with the AWS CLI', () => {
  it(
    'binds a member’s Elastic IPs to a shared pool while enabled, and keeps the IPAM advanced while a policy or a member’s address remains',
    async () => {
      const ipam = (
        await cli.ok('aws ec2 create-ipam --tier advanced --metered-account resource-owner --region us-east-1 --profile ipam-account')
      ).json.Ipam;
      expect(ipam).toMatchObject({ Tier: 'advanced', MeteredAccount: 'resource-owner', OwnerId: OTHER.accountId });

      const pool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${ipam.PublicDefaultScopeId} --address-family ipv4 --locale us-east-1 --aws-service ec2 --public-ip-source amazon --profile ipam-account`,
        )
      ).json.IpamPool;
      await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --netmask-length 29 --profile ipam-account`);
      await poll(
        async () =>
          (
            await cli.ok(
              `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${pool.IpamPoolId} --query "IpamPoolCidrs[0].State" --output text --profile ipam-account`,
            )
          ).stdout.trim(),
        (state) => state === 'provisioned',
        `pool ${pool.IpamPoolId} to have its /29 provisioned`,
      );
      await cli.ok(
        `aws ram create-resource-share --name eip-pool --resource-arns ${pool.IpamPoolArn} --principals ${MEMBER.accountId} --profile ipam-account`,
      );

      // A tagged policy; tags change through create-tags/delete-tags and filter describe-ipam-policies.
      const policy = (
        await cli.ok(
          `aws ec2 create-ipam-policy --ipam-id ${ipam.IpamId} --tag-specifications 'ResourceType=ipam-policy,Tags=[{Key=team,Value=net}]' --profile ipam-account`,
        )
      ).json.IpamPolicy;
      expect(policy).toMatchObject({
        IpamPolicyId: expect.stringMatching(/^ipam-policy-0[0-9a-f]{16}$/),
        IpamId: ipam.IpamId,
        OwnerId: OTHER.accountId,
        State: 'create-complete',
        Tags: [{ Key: 'team', Value: 'net' }],
      });
      const policyId: string = policy.IpamPolicyId;
      await cli.ok(`aws ec2 create-tags --resources ${policyId} --tags Key=env,Value=prod --profile ipam-account`);
      expect(
        (await cli.ok(`aws ec2 describe-tags --filters Name=resource-id,Values=${policyId} --profile ipam-account`)).json.Tags,
      ).toEqual([
        { ResourceId: policyId, ResourceType: 'ipam-policy', Key: 'env', Value: 'prod' },
        { ResourceId: policyId, ResourceType: 'ipam-policy', Key: 'team', Value: 'net' },
      ]);
      await cli.ok(`aws ec2 delete-tags --resources ${policyId} --tags Key=env --profile ipam-account`);
      const byTag = (await cli.ok('aws ec2 describe-ipam-policies --filters Name=tag:team,Values=net --profile ipam-account')).json;
      expect(byTag.IpamPolicies).toEqual([expect.objectContaining({ IpamPolicyId: policyId, Tags: [{ Key: 'team', Value: 'net' }] })]);

      // No policy governs the member yet: without a pool there is no address.
      expect((await cli.ok('aws ec2 get-enabled-ipam-policy --profile member-account')).json).toEqual({ IpamPolicyEnabled: false });
      expectCliError(
        await cli.run('aws ec2 allocate-address --domain vpc --profile member-account'),
        'InvalidParameterValue',
        'AllocateAddress',
        'no IPAM policy governs this account',
      );

      const rules = (
        await cli.ok(
          `aws ec2 modify-ipam-policy-allocation-rules --ipam-policy-id ${policyId} --locale us-east-1 --resource-type eip --allocation-rules SourceIpamPoolId=${pool.IpamPoolId} --profile ipam-account`,
        )
      ).json.IpamPolicyDocument;
      const document = {
        IpamPolicyId: policyId,
        Locale: 'us-east-1',
        ResourceType: 'eip',
        AllocationRules: [{ SourceIpamPoolId: pool.IpamPoolId }],
      };
      expect(rules).toEqual(document);
      expect((await cli.ok(`aws ec2 get-ipam-policy-allocation-rules --ipam-policy-id ${policyId} --profile ipam-account`)).json).toEqual({
        IpamPolicyDocuments: [document],
      });
      expectCliError(
        await cli.run(
          `aws ec2 modify-ipam-policy-allocation-rules --ipam-policy-id ${policyId} --locale us-west-2 --resource-type eip --allocation-rules SourceIpamPoolId=${pool.IpamPoolId} --profile ipam-account`,
        ),
        'InvalidParameterValue',
        'ModifyIpamPolicyAllocationRules',
        'locale us-east-1',
      );

      await cli.ok(
        `aws ec2 enable-ipam-policy --ipam-policy-id ${policyId} --organization-target-id ${MEMBER.accountId} --profile ipam-account`,
      );
      expect(
        (await cli.ok(`aws ec2 get-ipam-policy-organization-targets --ipam-policy-id ${policyId} --profile ipam-account`)).json
          .OrganizationTargets,
      ).toEqual([{ OrganizationTargetId: MEMBER.accountId }]);
      expect((await cli.ok('aws ec2 get-enabled-ipam-policy --profile member-account')).json).toEqual({
        IpamPolicyEnabled: true,
        IpamPolicyId: policyId,
        ManagedBy: 'delegated-administrator-for-ipam',
      });
      const address = (await cli.ok('aws ec2 allocate-address --domain vpc --profile member-account')).json;
      expect(address).toMatchObject({ PublicIpv4Pool: pool.IpamPoolId, Domain: 'vpc' });
      // Another Region has no rule: the policy gives nothing there.
      expectCliError(
        await cli.run('aws ec2 allocate-address --domain vpc --region us-west-2 --profile member-account'),
        'InvalidParameterValue',
        'AllocateAddress',
      );

      // The tier: the policy is in the way first, in the guide's words.
      expectCliError(
        await cli.run(`aws ec2 modify-ipam --ipam-id ${ipam.IpamId} --tier free --profile ipam-account`),
        'IncorrectState',
        'ModifyIpam',
        `${DOWNGRADE} delete IPAM policies`,
        policyId,
      );
      expectCliError(
        await cli.run(`aws ec2 delete-ipam-policy --ipam-policy-id ${policyId} --profile ipam-account`),
        'IncorrectState',
        'DeleteIpamPolicy',
        'disable it first',
      );
      expect(
        (
          await cli.ok(
            `aws ec2 disable-ipam-policy --ipam-policy-id ${policyId} --organization-target-id ${MEMBER.accountId} --profile ipam-account`,
          )
        ).json,
      ).toEqual({ Return: true });
      expect((await cli.ok('aws ec2 get-enabled-ipam-policy --profile member-account')).json).toEqual({ IpamPolicyEnabled: false });
      expectCliError(
        await cli.run('aws ec2 allocate-address --domain vpc --profile member-account'),
        'InvalidParameterValue',
        'AllocateAddress',
      );
      const deleted = (await cli.ok(`aws ec2 delete-ipam-policy --ipam-policy-id ${policyId} --profile ipam-account`)).json.IpamPolicy;
      expect(deleted).toMatchObject({ IpamPolicyId: policyId, State: 'delete-complete' });

      // Then the member's address, an allocation to an account other than the IPAM owner.
      expectCliError(
        await cli.run(`aws ec2 modify-ipam --ipam-id ${ipam.IpamId} --tier free --profile ipam-account`),
        'IncorrectState',
        'ModifyIpam',
        `${DOWNGRADE} delete pool allocations to accounts that are not the IPAM owner`,
        MEMBER.accountId,
      );
      await cli.ok(`aws ec2 release-address --allocation-id ${address.AllocationId} --profile member-account`);
      expect((await cli.ok(`aws ec2 modify-ipam --ipam-id ${ipam.IpamId} --tier free --profile ipam-account`)).json.Ipam).toMatchObject({
        Tier: 'free',
        MeteredAccount: 'resource-owner',
      });
      expectCliError(
        await cli.run(`aws ec2 create-ipam-policy --ipam-id ${ipam.IpamId} --profile ipam-account`),
        'InvalidParameterValue',
        'CreateIpamPolicy',
        'requires the Advanced Tier',
      );
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
