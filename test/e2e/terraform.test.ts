// Terraform's hashicorp/aws provider against the service: an IPAM, a pool and a pool CIDR
// (aws_vpc_ipam, aws_vpc_ipam_pool, aws_vpc_ipam_pool_cidr), applied, the CIDR replaced with
// `terraform apply -replace`, and everything destroyed. The provider finds a pool CIDR by its CIDR
// and needs exactly one answer, so this is the test of "a CIDR provisioned again is one record".
//
// No network: see support/terraform.ts.
import { DescribeIpamPoolsCommand, DescribeIpamsCommand, GetIpamPoolCidrsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { ipamPoolConfiguration, type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

const CIDR = '10.0.0.0/16';

const describeTerraform = describe.skipIf(skipUnless(!terraformSkipReason, 'the Terraform end-to-end test', terraformSkipReason));

function configuration(endpoint: string): string {
  return `
${ipamPoolConfiguration(endpoint, ADMIN)}

resource "aws_vpc_ipam_pool_cidr" "x" {
  ipam_pool_id = aws_vpc_ipam_pool.main.id
  cidr         = "${CIDR}"
  timeouts {
    create = "2m"
    delete = "2m"
  }
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;
const terraform = (...args: string[]) => workspace.terraform(...args);

async function poolCidrRows(poolId: string) {
  const { IpamPoolCidrs } = await service
    .ec2()
    .send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId, Filters: [{ Name: 'cidr', Values: [CIDR] }] }));
  return IpamPoolCidrs ?? [];
}

beforeAll(async () => {
  if (terraformSkipReason) return;
  service = await startTestService();
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

describeTerraform('Terraform (hashicorp/aws)', () => {
  let poolId: string;

  it('applies an IPAM, a pool and a provisioned pool CIDR', { timeout: 180_000 }, async () => {
    await terraform('apply', '-auto-approve', '-input=false', '-no-color');
    const { IpamPools } = await service.ec2().send(new DescribeIpamPoolsCommand({}));
    expect(IpamPools).toHaveLength(1);
    poolId = IpamPools![0]!.IpamPoolId!;
    expect((await poolCidrRows(poolId)).map((row) => row.State)).toEqual(['provisioned']);
  });

  it('replaces the pool CIDR (-replace): deprovisioned and provisioned again, still one row for the CIDR', {
    timeout: 180_000,
  }, async () => {
    const before = (await poolCidrRows(poolId))[0]!;
    await terraform('apply', '-replace=aws_vpc_ipam_pool_cidr.x', '-auto-approve', '-input=false', '-no-color');
    const rows = await poolCidrRows(poolId);
    expect(rows.map((row) => row.State)).toEqual(['provisioned']);
    expect(rows[0]!.IpamPoolCidrId).not.toBe(before.IpamPoolCidrId);
  });

  it('destroys everything: no IPAM and no pool left in the service', { timeout: 180_000 }, async () => {
    await terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    const ec2 = service.ec2();
    expect((await ec2.send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
    expect((await ec2.send(new DescribeIpamsCommand({}))).Ipams).toEqual([]);
  });
});
