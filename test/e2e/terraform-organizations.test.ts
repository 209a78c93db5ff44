// Terraform's AWS provider reading the organisation through the Organizations API: the
// aws_organizations_organization and aws_organizations_organizational_units data sources (as the
// management account), and aws_vpc_ipam_organization_admin_account, which Terraform reads back
// through ListDelegatedAdministrators and DescribeAccount. Its Go SDK is a third serializer and
// error parser besides the AWS CLI's and boto3's (organizations.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { awsCli } from './support/aws-cli.ts';
import { type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

function configuration(endpoint: string): string {
  const provider = (alias: string, key: typeof ADMIN) => `
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
    sts           = "${endpoint}"
    organizations = "${endpoint}"
  }
}
`;
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
${provider('management', ADMIN)}

data "aws_organizations_organization" "current" {
  provider = aws.management
}

data "aws_organizations_organizational_units" "top" {
  provider  = aws.management
  parent_id = data.aws_organizations_organization.current.roots[0].id
}

resource "aws_vpc_ipam_organization_admin_account" "delegate" {
  provider                   = aws.management
  delegated_admin_account_id = "${OTHER.accountId}"
}

output "organization" {
  value = {
    id       = data.aws_organizations_organization.current.id
    master   = data.aws_organizations_organization.current.master_account_id
    accounts = sort([for account in data.aws_organizations_organization.current.accounts : account.id])
    members  = sort([for account in data.aws_organizations_organization.current.non_master_accounts : account.id])
    root     = data.aws_organizations_organization.current.roots[0].id
    ous      = [for ou in data.aws_organizations_organizational_units.top.children : ou.name]
  }
}

output "delegated_admin" {
  value = {
    id   = aws_vpc_ipam_organization_admin_account.delegate.id
    name = aws_vpc_ipam_organization_admin_account.delegate.name
  }
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;

beforeAll(async () => {
  if (terraformSkipReason) return;
  service = await startTestService();
  const aws = await awsCli(service.url, ADMIN);
  const root = (await aws.ok('aws organizations list-roots')).json.Roots[0].Id;
  await aws.ok(`aws organizations create-organizational-unit --parent-id ${root} --name Workloads`);
  workspace = await terraformWorkspace(configuration(service.url));
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await workspace?.remove();
});

describe.skipIf(skipUnless(!terraformSkipReason, 'the Terraform Organizations test', terraformSkipReason))(
  'Terraform reading the organisation (hashicorp/aws)',
  () => {
    it('reads the organisation and its OUs, and delegates the IPAM administrator', { timeout: 300_000 }, async () => {
      await workspace.terraform('apply', '-auto-approve', '-input=false', '-no-color');
      const outputs = JSON.parse((await workspace.terraform('output', '-json')).stdout);
      expect(outputs.organization.value).toMatchObject({
        master: ADMIN.accountId,
        accounts: [ADMIN.accountId, OTHER.accountId].sort(),
        members: [OTHER.accountId],
        ous: ['Workloads'],
      });
      expect(outputs.organization.value.id).toMatch(/^o-[a-z0-9]{10}$/);
      expect(outputs.delegated_admin.value).toEqual({ id: OTHER.accountId, name: `account-${OTHER.accountId}` });
      // A second plan finds nothing to change: every read matches what was written.
      const plan = await workspace.terraform('plan', '-detailed-exitcode', '-input=false', '-no-color');
      expect(plan.stdout).toContain('No changes');
      await workspace.terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    });
  },
);
