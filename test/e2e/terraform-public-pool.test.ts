// Terraform's hashicorp/aws provider and an Amazon-provided IPv6 pool in the public scope
// (issue 17): `publicly_advertisable` is Optional and ForceNew, not Computed, so a pool that
// answered PubliclyAdvertisable true — where the EC2 model lets only BYOIPv6 pools have one —
// made every plan after the first want to replace it. Applied, planned again (no changes), and
// destroyed; the private IPv4 pool beside it checks the netmask bounds every pool now answers.
//
// No network: see support/terraform.ts.
import { DescribeIpamPoolsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { ipamPoolConfiguration, type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

const describeTerraform = describe.skipIf(skipUnless(!terraformSkipReason, 'the Terraform public-pool test', terraformSkipReason));

const configuration = (endpoint: string) => `
${ipamPoolConfiguration(endpoint, ADMIN)}

resource "aws_vpc_ipam_pool" "amazon_ipv6" {
  address_family   = "ipv6"
  ipam_scope_id    = aws_vpc_ipam.main.public_default_scope_id
  locale           = "us-east-1"
  public_ip_source = "amazon"
  aws_service      = "ec2"
}
`;

let service: TestService;
let workspace: TerraformWorkspace;
const terraform = (...args: string[]) => workspace.terraform(...args);

beforeAll(async () => {
  if (terraformSkipReason) return;
  service = await startTestService();
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

describeTerraform('Terraform (hashicorp/aws): an Amazon-provided IPv6 pool', () => {
  it('applies, then plans no change, and destroys', { timeout: 300_000 }, async () => {
    await terraform('apply', '-auto-approve', '-input=false', '-no-color');
    const { IpamPools } = await service
      .ec2()
      .send(new DescribeIpamPoolsCommand({ Filters: [{ Name: 'address-family', Values: ['ipv6'] }] }));
    expect(IpamPools).toEqual([expect.objectContaining({ PublicIpSource: 'amazon', AddressFamily: 'ipv6' })]);
    expect(IpamPools![0]).not.toHaveProperty('PubliclyAdvertisable');

    // -detailed-exitcode: 0 when nothing would change, 2 (a failure here) when something would.
    const { stdout } = await terraform('plan', '-detailed-exitcode', '-input=false', '-no-color');
    expect(stdout).toContain('No changes.');

    await terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    expect((await service.ec2().send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
  });
});
