// Managed prefix lists with the real AWS CLI (issue 22): create with entries and tags, describe by
// filter, modify with the current version (a stale one is PrefixListVersionMismatch), read an
// earlier version, restore it, and delete the list. Then the guide's "Automate prefix list updates
// with IPAM" steps 1–4: a resolver with a pool rule, a target on a list, the pool grows and the
// list follows, sync disabled for a hand edit.
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

const cidrsOf = async (prefixListId: string, version?: number) =>
  (
    await cli.ok(
      `aws ec2 get-managed-prefix-list-entries --prefix-list-id ${prefixListId}${version ? ` --target-version ${version}` : ''} --query "Entries[].Cidr" --output text`,
    )
  ).stdout
    .trim()
    .split(/\s+/)
    .filter(Boolean);

describeCli('Managed prefix lists with the AWS CLI', () => {
  it(
    'creates, modifies by version, reads and restores an earlier version, and deletes a list',
    async () => {
      const list = (
        await cli.ok(
          `aws ec2 create-managed-prefix-list --address-family IPv4 --max-entries 10 --prefix-list-name vpc-cidrs --entries Cidr=10.0.0.0/16,Description=vpc-a Cidr=10.2.0.0/16,Description=vpc-b --tag-specifications 'ResourceType=prefix-list,Tags=[{Key=Name,Value=VPC-CIDRs}]'`,
        )
      ).json.PrefixList;
      expect(list).toMatchObject({
        PrefixListId: expect.stringMatching(/^pl-0[0-9a-f]{16}$/),
        AddressFamily: 'IPv4',
        State: 'create-complete',
        PrefixListName: 'vpc-cidrs',
        MaxEntries: 10,
        Version: 1,
        Tags: [{ Key: 'Name', Value: 'VPC-CIDRs' }],
      });
      const id: string = list.PrefixListId;
      const found = (await cli.ok(`aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=vpc-cidrs`)).json;
      expect(found.PrefixLists.map((pl: { PrefixListId: string }) => pl.PrefixListId)).toEqual([id]);

      const modified = (
        await cli.ok(
          `aws ec2 modify-managed-prefix-list --prefix-list-id ${id} --current-version 1 --add-entries Cidr=10.1.0.0/16,Description=vpc-c --remove-entries Cidr=10.2.0.0/16`,
        )
      ).json.PrefixList;
      expect(modified).toMatchObject({ Version: 2, State: 'modify-complete' });
      expect(await cidrsOf(id)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
      expect(await cidrsOf(id, 1)).toEqual(['10.0.0.0/16', '10.2.0.0/16']);

      const stale = await cli.run(
        `aws ec2 modify-managed-prefix-list --prefix-list-id ${id} --current-version 1 --add-entries Cidr=10.3.0.0/16`,
      );
      expect(stale.errorCode).toBe('PrefixListVersionMismatch');

      const restored = (
        await cli.ok(`aws ec2 restore-managed-prefix-list-version --prefix-list-id ${id} --previous-version 1 --current-version 2`)
      ).json.PrefixList;
      expect(restored).toMatchObject({ Version: 3, State: 'restore-complete' });
      expect(await cidrsOf(id)).toEqual(['10.0.0.0/16', '10.2.0.0/16']);

      expect((await cli.ok(`aws ec2 delete-managed-prefix-list --prefix-list-id ${id}`)).json.PrefixList.State).toBe('delete-complete');
      const gone = await cli.run(`aws ec2 describe-managed-prefix-lists --prefix-list-ids ${id}`);
      expect(gone.errorCode).toBe('InvalidPrefixListID.NotFound');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describeCli('A prefix list kept in sync by an IPAM prefix list resolver, with the AWS CLI', () => {
  it(
    'fills the list from a pool rule, follows a new CIDR provisioned to the pool, and stops when sync is disabled',
    async () => {
      const ipam = (await cli.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1')).json.Ipam;
      const scopeId: string = ipam.PrivateDefaultScopeId;
      const top = (await cli.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4`)).json.IpamPool.IpamPoolId;
      await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${top} --cidr 10.0.0.0/8`);
      const prod = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --locale us-east-1 --source-ipam-pool-id ${top}`,
        )
      ).json.IpamPool.IpamPoolId;
      await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${prod} --cidr 10.1.0.0/16`);
      await poll(
        async () =>
          (await cli.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${prod} --query "IpamPoolCidrs[0].State" --output text`)).stdout.trim(),
        (state) => state === 'provisioned',
        'the prod pool to hold 10.1.0.0/16',
      );

      // Step 1 of the guide: a resolver whose rule takes the CIDRs of the prod pool.
      const resolver = (
        await cli.ok(
          `aws ec2 create-ipam-prefix-list-resolver --ipam-id ${ipam.IpamId} --address-family ipv4 --rules 'RuleType=ipam-pool-cidr,IpamScopeId=${scopeId},Conditions=[{Operation=equals,IpamPoolId=${prod}}]'`,
        )
      ).json.IpamPrefixListResolver;
      const list = (await cli.ok('aws ec2 create-managed-prefix-list --prefix-list-name prod-cidrs --address-family IPv4 --max-entries 5'))
        .json.PrefixList;

      // Step 2: a target tracking the latest version.
      const target = (
        await cli.ok(
          `aws ec2 create-ipam-prefix-list-resolver-target --ipam-prefix-list-resolver-id ${resolver.IpamPrefixListResolverId} --prefix-list-id ${list.PrefixListId} --prefix-list-region us-east-1 --track-latest-version`,
        )
      ).json.IpamPrefixListResolverTarget;
      expect(target).toMatchObject({ PrefixListId: list.PrefixListId, TrackLatestVersion: true });
      expect(await cidrsOf(list.PrefixListId)).toEqual(['10.1.0.0/16']);

      // Step 3: the prod pool grows (a second block drawn from the top pool); the list follows.
      await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${prod} --cidr 10.2.0.0/16`);
      await poll(
        () => cidrsOf(list.PrefixListId),
        (cidrs) => cidrs.length === 2,
        'the prefix list to follow the pool',
      );
      expect(await cidrsOf(list.PrefixListId)).toEqual(['10.1.0.0/16', '10.2.0.0/16']);
      const monitored = (
        await cli.ok(
          `aws ec2 describe-ipam-prefix-list-resolver-targets --ipam-prefix-list-resolver-id ${resolver.IpamPrefixListResolverId}`,
        )
      ).json.IpamPrefixListResolverTargets[0];
      expect(monitored).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 2 });

      // A hand edit is refused while IPAM manages the list; step 4: disable sync, then edit.
      const refused = await cli.run(
        `aws ec2 modify-managed-prefix-list --prefix-list-id ${list.PrefixListId} --add-entries Cidr=192.168.0.0/16`,
      );
      expect(refused.errorCode).toBe('InvalidPrefixListModification');
      await cli.ok(
        `aws ec2 modify-managed-prefix-list --prefix-list-id ${list.PrefixListId} --no-ipam-prefix-list-resolver-sync-enabled --add-entries Cidr=192.168.0.0/16`,
      );
      expect(await cidrsOf(list.PrefixListId)).toEqual(['10.1.0.0/16', '10.2.0.0/16', '192.168.0.0/16']);

      await cli.ok(
        `aws ec2 delete-ipam-prefix-list-resolver-target --ipam-prefix-list-resolver-target-id ${target.IpamPrefixListResolverTargetId}`,
      );
      const gone = await cli.run(
        `aws ec2 describe-ipam-prefix-list-resolver-targets --ipam-prefix-list-resolver-target-ids ${target.IpamPrefixListResolverTargetId}`,
      );
      expect(gone.errorCode).toBe('InvalidIpamPrefixListResolverTargetId.NotFound');
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
