// Managed prefix lists with the real AWS CLI (issue 22): create with entries and tags, describe by
// filter, modify with the current version (a stale one is PrefixListVersionMismatch), read an
// earlier version, restore it, and delete the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';

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
