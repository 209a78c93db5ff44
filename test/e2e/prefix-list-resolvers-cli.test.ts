// IPAM prefix list resolvers with the real AWS CLI (issue 22, spec §12.2, §12.4): a resolver whose
// rules take the CIDRs of a production pool and the CIDRs of VPCs tagged env=prod; version 1 at
// creation; a CIDR provisioned to the pool and a VPC created from it each make the next version;
// versions, entries and rules read back; a rule of the other family refused; modify and delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI end-to-end tests', probe.reason));

const CLI_TEST_TIMEOUT_MS = 240_000;

let service: TestService;
let cli: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService();
  cli = await awsCli(service.url, ADMIN);
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => service?.stop());

async function provisioned(poolId: string, cidr: string): Promise<void> {
  await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${poolId} --cidr ${cidr}`);
  await poll(
    async () =>
      (
        await cli.ok(
          `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${poolId} --filters Name=cidr,Values=${cidr} --query "IpamPoolCidrs[0].State" --output text`,
        )
      ).stdout.trim(),
    (state) => state === 'provisioned',
    `pool ${poolId} to have ${cidr} provisioned`,
  );
}

const versions = async (resolverId: string): Promise<number[]> =>
  (
    await cli.ok(`aws ec2 get-ipam-prefix-list-resolver-versions --ipam-prefix-list-resolver-id ${resolverId}`)
  ).json.IpamPrefixListResolverVersions.map((version: { Version: number }) => version.Version);

const entries = async (resolverId: string, version: number): Promise<string[]> =>
  (
    await cli.ok(
      `aws ec2 get-ipam-prefix-list-resolver-version-entries --ipam-prefix-list-resolver-id ${resolverId} --ipam-prefix-list-resolver-version ${version}`,
    )
  ).json.Entries.map((entry: { Cidr: string }) => entry.Cidr);

describeCli('prefix list resolvers with the AWS CLI', () => {
  it(
    'versions the CIDRs of a production pool and of VPCs tagged env=prod as they change',
    async () => {
      const ipam = (await cli.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1')).json.Ipam;
      const scopeId: string = ipam.PrivateDefaultScopeId;
      const pool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --locale us-east-1 --description production`,
        )
      ).json.IpamPool;
      await provisioned(pool.IpamPoolId, '10.0.0.0/16');

      const rules = [
        { RuleType: 'ipam-pool-cidr', IpamScopeId: scopeId, Conditions: [{ Operation: 'equals', IpamPoolId: pool.IpamPoolId }] },
        {
          RuleType: 'ipam-resource-cidr',
          IpamScopeId: scopeId,
          ResourceType: 'vpc',
          Conditions: [{ Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } }],
        },
      ];
      const created = await cli.ok(
        `aws ec2 create-ipam-prefix-list-resolver --ipam-id ${ipam.IpamId} --address-family ipv4 --description "production ranges" --rules '${JSON.stringify(rules)}' --tag-specifications 'ResourceType=ipam-prefix-list-resolver,Tags=[{Key=Name,Value=prod}]'`,
      );
      const resolver = created.json.IpamPrefixListResolver;
      expect(resolver).toMatchObject({
        IpamPrefixListResolverId: expect.stringMatching(/^ipam-prefix-list-resolver-0[0-9a-f]{16}$/),
        IpamArn: ipam.IpamArn,
        AddressFamily: 'ipv4',
        State: 'create-complete',
        LastVersionCreationStatus: 'success',
        Tags: [{ Key: 'Name', Value: 'prod' }],
      });
      const id: string = resolver.IpamPrefixListResolverId;
      expect(await versions(id)).toEqual([1]);
      expect(await entries(id, 1)).toEqual(['10.0.0.0/16']);

      // A CIDR provisioned to the pool: v2.
      await provisioned(pool.IpamPoolId, '10.1.0.0/16');
      await poll(
        () => versions(id),
        (found) => found.length === 2,
        'version 2',
      );
      expect(await entries(id, 2)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);

      // A VPC tagged env=prod allocated from the pool: v3 holds its CIDR too.
      const vpc = (
        await cli.ok(
          `aws ec2 create-vpc --ipv4-ipam-pool-id ${pool.IpamPoolId} --ipv4-netmask-length 24 --tag-specifications 'ResourceType=vpc,Tags=[{Key=env,Value=prod}]'`,
        )
      ).json.Vpc;
      await poll(
        () => versions(id),
        (found) => found.length === 3,
        'version 3',
      );
      expect(await entries(id, 3)).toEqual(['10.0.0.0/16', vpc.CidrBlock, '10.1.0.0/16']);
      expect(
        (
          await cli.ok(
            `aws ec2 get-ipam-prefix-list-resolver-versions --ipam-prefix-list-resolver-id ${id} --ipam-prefix-list-resolver-versions 1 3`,
          )
        ).json.IpamPrefixListResolverVersions,
      ).toEqual([{ Version: 1 }, { Version: 3 }]);

      const readBack = (await cli.ok(`aws ec2 get-ipam-prefix-list-resolver-rules --ipam-prefix-list-resolver-id ${id}`)).json.Rules;
      expect(readBack).toEqual(rules);
      const described = (
        await cli.ok(
          `aws ec2 describe-ipam-prefix-list-resolvers --filters Name=address-family,Values=ipv4 Name=ipam-id,Values=${ipam.IpamId}`,
        )
      ).json.IpamPrefixListResolvers;
      expect(described).toEqual([{ ...resolver, LastVersionCreationStatus: 'success' }]);

      const mixed = await cli.run(
        `aws ec2 modify-ipam-prefix-list-resolver --ipam-prefix-list-resolver-id ${id} --rules RuleType=static-cidr,StaticCidr=2001:db8::/32`,
      );
      expect({ status: mixed.status, code: mixed.errorCode }).toEqual({ status: 255, code: 'InvalidParameterValue' });
      const modified = (
        await cli.ok(
          `aws ec2 modify-ipam-prefix-list-resolver --ipam-prefix-list-resolver-id ${id} --description "only the pool" --rules '${JSON.stringify([rules[0]])}'`,
        )
      ).json.IpamPrefixListResolver;
      expect(modified).toMatchObject({ Description: 'only the pool', State: 'modify-complete' });
      expect(modified.Tags).toBeUndefined();
      expect(await versions(id)).toEqual([1, 2, 3, 4]);
      expect(await entries(id, 4)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);

      const deleted = (await cli.ok(`aws ec2 delete-ipam-prefix-list-resolver --ipam-prefix-list-resolver-id ${id}`)).json
        .IpamPrefixListResolver;
      expect(deleted).toMatchObject({ IpamPrefixListResolverId: id, State: 'delete-complete' });
      const gone = await cli.run(`aws ec2 get-ipam-prefix-list-resolver-versions --ipam-prefix-list-resolver-id ${id}`);
      expect(gone.errorCode).toBe('InvalidIpamPrefixListResolverId.NotFound');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
