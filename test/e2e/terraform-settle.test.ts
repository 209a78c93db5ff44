// Terraform's hashicorp/aws provider against the changes that answer an in-progress state and
// settle afterwards: a scope, a resource discovery and its association (aws_vpc_ipam_scope,
// aws_vpc_ipam_resource_discovery, aws_vpc_ipam_resource_discovery_association) are created,
// modified with the IPAM (the provider waits for create-complete, associate-complete and
// modify-complete) and destroyed (it waits for the records to go).
//
// No network: see support/terraform.ts.
import {
  DescribeIpamResourceDiscoveriesCommand,
  DescribeIpamResourceDiscoveryAssociationsCommand,
  DescribeIpamScopesCommand,
  DescribeIpamsCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

const describeTerraform = describe.skipIf(skipUnless(!terraformSkipReason, 'the Terraform settle-state test', terraformSkipReason));

function configuration(endpoint: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "description" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "${ADMIN.accessKeyId}"
  secret_key                  = "${ADMIN.secretAccessKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = "${endpoint}"
  }
}

resource "aws_vpc_ipam" "main" {
  description = var.description
  operating_regions {
    region_name = "us-east-1"
  }
}

resource "aws_vpc_ipam_scope" "extra" {
  ipam_id     = aws_vpc_ipam.main.id
  description = var.description
}

resource "aws_vpc_ipam_resource_discovery" "extra" {
  description = var.description
  operating_regions {
    region_name = "us-east-1"
  }
}

resource "aws_vpc_ipam_resource_discovery_association" "extra" {
  ipam_id                    = aws_vpc_ipam.main.id
  ipam_resource_discovery_id = aws_vpc_ipam_resource_discovery.extra.id
}
`;
}

let service: TestService;
let workspace: TerraformWorkspace;
const apply = (description: string) =>
  workspace.terraform('apply', '-auto-approve', '-input=false', '-no-color', `-var=description=${description}`);

/** What the service holds besides the IPAM's default records: [description, state] of each. */
async function extraRecords() {
  const ec2 = service.ec2();
  const [ipams, scopes, discoveries, associations] = await Promise.all([
    ec2.send(new DescribeIpamsCommand({})),
    ec2.send(new DescribeIpamScopesCommand({ Filters: [{ Name: 'is-default', Values: ['false'] }] })),
    ec2.send(new DescribeIpamResourceDiscoveriesCommand({ Filters: [{ Name: 'is-default', Values: ['false'] }] })),
    ec2.send(new DescribeIpamResourceDiscoveryAssociationsCommand({ Filters: [{ Name: 'is-default', Values: ['false'] }] })),
  ]);
  return {
    ipams: (ipams.Ipams ?? []).map((record) => [record.Description, record.State]),
    scopes: (scopes.IpamScopes ?? []).map((record) => [record.Description, record.State]),
    discoveries: (discoveries.IpamResourceDiscoveries ?? []).map((record) => [record.Description, record.State]),
    associations: (associations.IpamResourceDiscoveryAssociations ?? []).map((record) => record.State),
  };
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

describeTerraform('Terraform (hashicorp/aws) and the in-progress answers', () => {
  it('applies a scope, a resource discovery and its association, each settled when apply returns', { timeout: 180_000 }, async () => {
    await apply('first');
    expect(await extraRecords()).toEqual({
      ipams: [['first', 'create-complete']],
      scopes: [['first', 'create-complete']],
      discoveries: [['first', 'create-complete']],
      associations: ['associate-complete'],
    });
  });

  it('modifies the IPAM, the scope and the resource discovery in place: modify-complete', { timeout: 180_000 }, async () => {
    await apply('second');
    expect(await extraRecords()).toEqual({
      ipams: [['second', 'modify-complete']],
      scopes: [['second', 'modify-complete']],
      discoveries: [['second', 'modify-complete']],
      associations: ['associate-complete'],
    });
  });

  it('destroys everything: the association, the discovery, the scope and the IPAM are gone', { timeout: 180_000 }, async () => {
    await workspace.terraform('destroy', '-auto-approve', '-input=false', '-no-color', '-var=description=second');
    expect(await extraRecords()).toEqual({ ipams: [], scopes: [], discoveries: [], associations: [] });
  });
});
