// DescribeTags and DescribeAddresses' filters through the real HTTP service (issue 17, item 9),
// with the JS SDK and the AWS CLI: every filter EC2's model documents for DescribeAddresses, and
// DescribeTags over the resources this service keeps, as AWS's describe-tags examples call it.
import {
  AllocateAddressCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeAddressesCommand,
  DescribeTagsCommand,
  type EC2Client,
  GetIpamPoolCidrsCommand,
  paginateDescribeTags,
  ProvisionIpamPoolCidrCommand,
  type TagDescription,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { awsCli, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;
let ipamId: string;
let poolId: string;
let eip: { AllocationId: string; PublicIp: string };

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
  const { Ipam } = await ec2.send(
    new CreateIpamCommand({ TagSpecifications: [{ ResourceType: 'ipam', Tags: [{ Key: 'Stack', Value: 'Test' }] }] }),
  );
  ipamId = Ipam!.IpamId!;
  const { IpamPool } = await ec2.send(
    new CreateIpamPoolCommand({
      IpamScopeId: Ipam!.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
      TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'Stack', Value: 'Production' }] }],
    }),
  );
  poolId = IpamPool!.IpamPoolId!;
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: poolId, NetmaskLength: 30 }));
  await poll(
    async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs?.[0]?.State,
    (state) => state === 'provisioned',
    'the pool CIDR to be provisioned',
    { intervalMs: 200 },
  );
  const allocated = await ec2.send(
    new AllocateAddressCommand({
      IpamPoolId: poolId,
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'Owner', Value: 'TeamA' }] }],
    }),
  );
  eip = { AllocationId: allocated.AllocationId!, PublicIp: allocated.PublicIp! };
});
afterAll(async () => service?.stop());

const line = (tag: TagDescription) => `${tag.ResourceType} ${tag.ResourceId} ${tag.Key}=${tag.Value}`;

describe('DescribeAddresses and DescribeTags with the JS SDK', () => {
  it("takes each of DescribeAddresses' documented filters", async () => {
    const ids = async (Name: string, Values: string[]) =>
      ((await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name, Values }] }))).Addresses ?? []).map((a) => a.AllocationId);
    // EC2's model, DescribeAddresses Filters: "private-ip-address - The private IP address
    // associated with the Elastic IP address" (refused before); this one is associated with nothing.
    expect(await ids('private-ip-address', ['10.0.0.5'])).toEqual([]);
    expect(await ids('tag:Owner', ['TeamA'])).toEqual([eip.AllocationId]);
    expect(await ids('public-ip', [eip.PublicIp])).toEqual([eip.AllocationId]);
    expect(await ids('network-border-group', ['us-east-1'])).toEqual([eip.AllocationId]);
    const refused = await rejection(ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })));
    expect({ name: refused.name, status: refused.$metadata.httpStatusCode }).toEqual({ name: 'InvalidParameterValue', status: 400 });
  });

  it('lists the tags of the IPAM, the pool and the Elastic IP, filtered and paged', async () => {
    const { Tags } = await ec2.send(new DescribeTagsCommand({}));
    expect(Tags?.map(line).sort()).toEqual(
      [`ipam ${ipamId} Stack=Test`, `ipam-pool ${poolId} Stack=Production`, `elastic-ip ${eip.AllocationId} Owner=TeamA`].sort(),
    );
    const { Tags: stack } = await ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: 'key', Values: ['Stack'] },
          { Name: 'resource-type', Values: ['ipam-pool'] },
        ],
      }),
    );
    expect(stack).toEqual([{ ResourceId: poolId, ResourceType: 'ipam-pool', Key: 'Stack', Value: 'Production' }]);
    // The SDK's paginator walks NextToken (EC2's model: MaxResults 5 to 1000).
    const paged: TagDescription[] = [];
    for await (const page of paginateDescribeTags({ client: ec2, pageSize: 5 }, {})) paged.push(...(page.Tags ?? []));
    expect(paged.map(line).sort()).toEqual(Tags?.map(line).sort());
    const tooSmall = await rejection(ec2.send(new DescribeTagsCommand({ MaxResults: 4 })));
    expect(tooSmall.name).toBe('InvalidParameterValue');
  });
});

const cliProbe = await probeAwsCli();

describe.skipIf(skipUnless(cliProbe.available, 'the AWS CLI tests of describe-tags and describe-addresses', cliProbe.reason))(
  'describe-tags and describe-addresses with the AWS CLI',
  () => {
    it('answers the calls of AWS CLI examples', async () => {
      const cli = await awsCli(service.url, ADMIN);
      // examples/ec2/describe-tags.rst, example 1: --filters "Name=resource-id,Values=…".
      const byResource = await cli.ok(`aws ec2 describe-tags --filters "Name=resource-id,Values=${ipamId}"`);
      expect(byResource.json).toEqual({ Tags: [{ ResourceType: 'ipam', ResourceId: ipamId, Value: 'Test', Key: 'Stack' }] });
      // Example 5: the tag Stack=Test, by key and value and by tag:Stack.
      const byKeyAndValue = await cli.ok('aws ec2 describe-tags --filters Name=key,Values=Stack Name=value,Values=Test');
      const byTag = await cli.ok('aws ec2 describe-tags --filters "Name=tag:Stack,Values=Test"');
      expect(byTag.json).toEqual(byKeyAndValue.json);
      expect(byTag.json.Tags.map(line)).toEqual([`ipam ${ipamId} Stack=Test`]);
      // The CLI pages on its own with --page-size.
      const all = await cli.ok('aws ec2 describe-tags --page-size 5');
      expect(all.json.Tags).toHaveLength(3);

      // EC2's model, DescribeAddresses Filters: private-ip-address, network-interface-id, tag-key.
      const unassociated = await cli.ok('aws ec2 describe-addresses --filters Name=private-ip-address,Values=10.0.0.5');
      expect(unassociated.json).toEqual({ Addresses: [] });
      const tagged = await cli.ok('aws ec2 describe-addresses --filters Name=tag-key,Values=Owner');
      expect(tagged.json.Addresses.map((address: { AllocationId: string }) => address.AllocationId)).toEqual([eip.AllocationId]);
      const unknown = await cli.run('aws ec2 describe-tags --filters Name=owner,Values=x');
      expect({ code: unknown.errorCode, message: unknown.errorMessage }).toEqual({
        code: 'InvalidParameterValue',
        message: "The filter 'owner' is invalid",
      });
    });
  },
);
