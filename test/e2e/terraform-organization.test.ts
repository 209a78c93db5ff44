// The README's multi-account walkthrough in Terraform (hashicorp/aws), one provider alias per
// account, each with its own key, and no provider skipping the account lookup (STS answers it):
// - management: reads the organisation (aws_organizations_organization, _organizational_units)
//   and delegates IPAM administration (aws_vpc_ipam_organization_admin_account, read back through
//   Organizations' ListDelegatedAdministrators and DescribeAccount);
// - ipam_admin: an IPAM and a pool, shared with the member account (aws_ram_resource_share,
//   _resource_association, _principal_association);
// - member: allocates from the shared pool (aws_vpc_ipam_pool_cidr_allocation).
// A second plan changes nothing; dropping the share ends the member's access; destroy removes
// everything, the delegation included. Sharing with the organisation is switched on with the AWS
// CLI first: aws_ram_sharing_with_organization also reads IAM roles, which this service does not serve.
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

/** The share and the member's allocation exist while the variable `shared` is true. */
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

variable "shared" {
  type = bool
}

data "aws_organizations_organization" "current" {
  provider = aws.management
}

data "aws_organizations_organizational_units" "top" {
  provider  = aws.management
  parent_id = data.aws_organizations_organization.current.roots[0].id
}

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
  count                     = var.shared ? 1 : 0
  provider                  = aws.ipam_admin
  name                      = "apps-pool"
  allow_external_principals = false
  tags                      = { team = "network" }
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

output "organization" {
  value = {
    id      = data.aws_organizations_organization.current.id
    master  = data.aws_organizations_organization.current.master_account_id
    members = sort([for account in data.aws_organizations_organization.current.non_master_accounts : account.id])
    ous     = [for ou in data.aws_organizations_organizational_units.top.children : ou.name]
  }
}

output "delegated_admin" {
  value = {
    id   = aws_vpc_ipam_organization_admin_account.delegate.id
    name = aws_vpc_ipam_organization_admin_account.delegate.name
  }
}

output "member_allocation" {
  value = one(aws_vpc_ipam_pool_cidr_allocation.member[*].cidr)
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;
const TF = ['-auto-approve', '-input=false', '-no-color'];
const shared = (value: boolean) => ['-var', `shared=${value}`];

beforeAll(async () => {
  if (skipReason) return;
  service = await startTestService({ extraAccounts: [MEMBER] });
  const management = await awsCli(service.url, ADMIN);
  const root = (await management.ok('aws organizations list-roots')).json.Roots[0].Id;
  await management.ok(`aws organizations create-organizational-unit --parent-id ${root} --name Workloads`);
  await management.ok('aws ram enable-sharing-with-aws-organization');
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

describe.skipIf(skipUnless(!skipReason, 'the Terraform organisation walkthrough', skipReason))(
  'Terraform across accounts (hashicorp/aws)',
  () => {
    it('delegates, shares the pool with the member account, which allocates from it; a second plan changes nothing', {
      timeout: 300_000,
    }, async () => {
      await workspace.terraform('apply', ...TF, ...shared(true));
      const outputs = JSON.parse((await workspace.terraform('output', '-json')).stdout);
      expect(outputs.organization.value).toMatchObject({
        master: ADMIN.accountId,
        members: [OTHER.accountId, MEMBER.accountId].sort(),
        ous: ['Workloads'],
      });
      expect(outputs.organization.value.id).toMatch(/^o-[a-z0-9]{10}$/);
      expect(outputs.delegated_admin.value).toEqual({ id: OTHER.accountId, name: `account-${OTHER.accountId}` });
      expect(outputs.member_allocation.value).toBe('10.0.0.0/24');
      const admin = service.ec2({ account: OTHER });
      const { IpamPools } = await admin.send(new DescribeIpamPoolsCommand({}));
      const { IpamPoolAllocations } = await admin.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: IpamPools![0]!.IpamPoolId }));
      expect(IpamPoolAllocations).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceOwner: MEMBER.accountId })]);
      expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([
        expect.objectContaining({ OwnerId: OTHER.accountId }),
      ]);
      // Every read matches what was written.
      const plan = await workspace.terraform('plan', '-detailed-exitcode', '-input=false', '-no-color', ...shared(true));
      expect(plan.stdout).toContain('No changes');
    });

    it('removing the share ends the member access; Terraform releases the member allocation first', { timeout: 300_000 }, async () => {
      await workspace.terraform('apply', ...TF, ...shared(false));
      expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
      const admin = service.ec2({ account: OTHER });
      const { IpamPools } = await admin.send(new DescribeIpamPoolsCommand({}));
      const { IpamPoolAllocations } = await admin.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: IpamPools![0]!.IpamPoolId }));
      expect(IpamPoolAllocations).toEqual([]);
    });

    it('destroys everything, the delegation included', { timeout: 300_000 }, async () => {
      await workspace.terraform('destroy', ...TF, ...shared(false));
      expect((await service.ec2({ account: OTHER }).send(new DescribeIpamsCommand({}))).Ipams).toEqual([]);
      const delegated = await (await awsCli(service.url, ADMIN)).ok(
        'aws organizations list-delegated-administrators --service-principal ipam.amazonaws.com',
      );
      expect(delegated.json.DelegatedAdministrators).toEqual([]);
    });
  },
);
