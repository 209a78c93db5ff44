// Sharing a pool with Terraform's RAM resources (hashicorp/aws): the delegated administrator's
// provider creates the share, associates the pool and a member account, and the member's provider
// allocates from the pool; changing the share's name updates it in place; destroying removes the
// share and ends the member's access, while the pool stays. Delegation and sharing with the
// organisation are switched on with the AWS CLI first (the provider's organisation resources need
// the Organizations API, tested in terraform-organization.test.ts).
import { DescribeIpamPoolsCommand, GetIpamPoolAllocationsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { awsCli, probeAwsCli } from './support/aws-cli.ts';
import { type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

const cli = await probeAwsCli();
const skipReason = terraformSkipReason ?? (cli.available ? undefined : cli.reason);

function provider(alias: string, key: typeof ADMIN, endpoint: string): string {
  return `
provider "aws" {
  alias                       = "${alias}"
  region                      = "us-east-1"
  access_key                  = "${key.accessKeyId}"
  secret_key                  = "${key.secretAccessKey}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = "${endpoint}"
    ram = "${endpoint}"
    sts = "${endpoint}"
  }
}
`;
}

/** The share exists while `shared` is true; its name is `share_name` (both Terraform variables). */
function configuration(endpoint: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
${provider('ipam_admin', OTHER, endpoint)}
${provider('member', MEMBER, endpoint)}

variable "share_name" {
  type = string
}

variable "shared" {
  type = bool
}

data "aws_caller_identity" "member" {
  provider = aws.member
}

resource "aws_vpc_ipam" "main" {
  provider = aws.ipam_admin
  operating_regions {
    region_name = "us-east-1"
  }
}

resource "aws_vpc_ipam_pool" "apps" {
  provider       = aws.ipam_admin
  address_family = "ipv4"
  ipam_scope_id  = aws_vpc_ipam.main.private_default_scope_id
  locale         = "us-east-1"
}

resource "aws_vpc_ipam_pool_cidr" "apps" {
  provider     = aws.ipam_admin
  ipam_pool_id = aws_vpc_ipam_pool.apps.id
  cidr         = "10.0.0.0/16"
}

resource "aws_ram_resource_share" "apps" {
  count                     = var.shared ? 1 : 0
  provider                  = aws.ipam_admin
  name                      = var.share_name
  allow_external_principals = false
  tags = { team = "network" }
}

resource "aws_ram_resource_association" "apps" {
  count              = var.shared ? 1 : 0
  provider           = aws.ipam_admin
  resource_arn       = aws_vpc_ipam_pool.apps.arn
  resource_share_arn = aws_ram_resource_share.apps[0].arn
}

resource "aws_ram_principal_association" "member" {
  count              = var.shared ? 1 : 0
  provider           = aws.ipam_admin
  principal          = data.aws_caller_identity.member.account_id
  resource_share_arn = aws_ram_resource_share.apps[0].arn
}

resource "aws_vpc_ipam_pool_cidr_allocation" "member" {
  count          = var.shared ? 1 : 0
  provider       = aws.member
  ipam_pool_id   = aws_vpc_ipam_pool.apps.id
  netmask_length = 24
  depends_on     = [aws_vpc_ipam_pool_cidr.apps, aws_ram_resource_association.apps, aws_ram_principal_association.member]
}

output "member_allocation" {
  value = one(aws_vpc_ipam_pool_cidr_allocation.member[*].cidr)
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;

beforeAll(async () => {
  if (skipReason) return;
  service = await startTestService({
    extraAccounts: [MEMBER],
  });
  const management = await awsCli(service.url, ADMIN);
  await management.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
  await management.ok('aws ram enable-sharing-with-aws-organization');
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

const TF = ['-auto-approve', '-input=false', '-no-color'];
const vars = (name: string, shared: boolean) => ['-var', `share_name=${name}`, '-var', `shared=${shared}`];

describe.skipIf(skipUnless(!skipReason, 'the Terraform sharing test', skipReason))('Terraform RAM resources (hashicorp/aws)', () => {
  it('shares the pool with the member account, which allocates from it; a second plan changes nothing', { timeout: 300_000 }, async () => {
    await workspace.terraform('apply', ...TF, ...vars('apps-pool', true));
    const outputs = JSON.parse((await workspace.terraform('output', '-json')).stdout);
    expect(outputs.member_allocation.value).toBe('10.0.0.0/24');
    const { IpamPools } = await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}));
    expect(IpamPools).toEqual([expect.objectContaining({ OwnerId: OTHER.accountId })]);
    const plan = await workspace.terraform('plan', '-detailed-exitcode', '-input=false', '-no-color', ...vars('apps-pool', true));
    expect(plan.stdout).toContain('No changes');
  });

  it('renames the share in place', { timeout: 300_000 }, async () => {
    const applied = await workspace.terraform('apply', ...TF, ...vars('apps-pool-renamed', true));
    expect(applied.stdout).toContain('1 changed');
    const shares = (await (await awsCli(service.url, OTHER)).ok('aws ram get-resource-shares --resource-owner SELF')).json.resourceShares;
    expect(shares).toEqual([
      expect.objectContaining({ name: 'apps-pool-renamed', status: 'ACTIVE', tags: [{ key: 'team', value: 'network' }] }),
    ]);
  });

  it('removing the share ends the member access; Terraform releases the member allocation first', { timeout: 300_000 }, async () => {
    await workspace.terraform('apply', ...TF, ...vars('apps-pool-renamed', false));
    expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
    const { IpamPools } = await service.ec2({ account: OTHER }).send(new DescribeIpamPoolsCommand({}));
    const { IpamPoolAllocations } = await service
      .ec2({ account: OTHER })
      .send(new GetIpamPoolAllocationsCommand({ IpamPoolId: IpamPools![0]!.IpamPoolId }));
    // Terraform released the member's allocation before the share went.
    expect(IpamPoolAllocations).toEqual([]);
    await workspace.terraform('destroy', ...TF, ...vars('apps-pool-renamed', false));
  });
});
