// The README's multi-account walkthrough in Terraform: one provider alias per account, each with
// its own key. The management account delegates IPAM administration
// (aws_vpc_ipam_organization_admin_account, read back through Organizations'
// ListDelegatedAdministrators); the administrator creates an IPAM and a pool and shares the pool
// with the member account (aws_ram_resource_share, _resource_association, _principal_association);
// the member allocates from it (aws_vpc_ipam_pool_cidr_allocation). No provider skips the account
// lookup: STS GetCallerIdentity answers it. Then everything is destroyed.
import { DescribeIpamPoolsCommand, DescribeIpamsCommand, GetIpamPoolAllocationsCommand } from '@aws-sdk/client-ec2';
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
    ec2           = "${endpoint}"
    ram           = "${endpoint}"
    sts           = "${endpoint}"
    organizations = "${endpoint}"
  }
}
`;
}

function configuration(endpoint: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
${provider('management', ADMIN, endpoint)}
${provider('ipam_admin', OTHER, endpoint)}
${provider('member', MEMBER, endpoint)}

data "aws_caller_identity" "ipam_admin" {
  provider = aws.ipam_admin
}

data "aws_caller_identity" "member" {
  provider = aws.member
}

resource "aws_vpc_ipam_organization_admin_account" "delegate" {
  provider                   = aws.management
  delegated_admin_account_id = data.aws_caller_identity.ipam_admin.account_id
}

resource "aws_vpc_ipam" "main" {
  provider = aws.ipam_admin
  operating_regions {
    region_name = "us-east-1"
  }
  depends_on = [aws_vpc_ipam_organization_admin_account.delegate]
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
  provider                  = aws.ipam_admin
  name                      = "apps-pool"
  allow_external_principals = false
}

resource "aws_ram_resource_association" "apps" {
  provider           = aws.ipam_admin
  resource_arn       = aws_vpc_ipam_pool.apps.arn
  resource_share_arn = aws_ram_resource_share.apps.arn
}

resource "aws_ram_principal_association" "member" {
  provider           = aws.ipam_admin
  principal          = data.aws_caller_identity.member.account_id
  resource_share_arn = aws_ram_resource_share.apps.arn
}

resource "aws_vpc_ipam_pool_cidr_allocation" "member" {
  provider       = aws.member
  ipam_pool_id   = aws_vpc_ipam_pool.apps.id
  netmask_length = 24
  depends_on     = [aws_vpc_ipam_pool_cidr.apps, aws_ram_resource_association.apps, aws_ram_principal_association.member]
}

output "delegated_admin_name" {
  value = aws_vpc_ipam_organization_admin_account.delegate.name
}

output "member_allocation" {
  value = aws_vpc_ipam_pool_cidr_allocation.member.cidr
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;

beforeAll(async () => {
  if (skipReason) return;
  service = await startTestService({ extraAccounts: [MEMBER] });
  // Sharing within the organisation is switched on once by the management account (Terraform's
  // aws_ram_sharing_with_organization also reads IAM roles, which this service does not serve).
  await (await awsCli(service.url, ADMIN)).ok('aws ram enable-sharing-with-aws-organization');
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

describe.skipIf(skipUnless(!skipReason, 'the Terraform organisation walkthrough', skipReason))(
  'Terraform across accounts (hashicorp/aws)',
  () => {
    it('delegates, shares the pool with the member account, and the member allocates from it', { timeout: 300_000 }, async () => {
      await workspace.terraform('apply', '-auto-approve', '-input=false', '-no-color');
      const outputs = JSON.parse((await workspace.terraform('output', '-json')).stdout);
      expect(outputs.member_allocation.value).toBe('10.0.0.0/24');
      expect(outputs.delegated_admin_name.value).toEqual(expect.any(String));
      const { IpamPools } = await service.ec2({ account: OTHER }).send(new DescribeIpamPoolsCommand({}));
      const { IpamPoolAllocations } = await service
        .ec2({ account: OTHER })
        .send(new GetIpamPoolAllocationsCommand({ IpamPoolId: IpamPools![0]!.IpamPoolId }));
      expect(IpamPoolAllocations).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceOwner: MEMBER.accountId })]);
    });

    it('destroys everything, the delegation included', { timeout: 300_000 }, async () => {
      await workspace.terraform('destroy', '-auto-approve', '-input=false', '-no-color');
      expect((await service.ec2({ account: OTHER }).send(new DescribeIpamsCommand({}))).Ipams).toEqual([]);
      expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
    });
  },
);
