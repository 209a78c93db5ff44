// Terraform's hashicorp/aws provider against this service in forwarding mode, moto's server
// upstream (issue 16): an IPAM, a pool with a CIDR, `aws_vpc` and
// `aws_vpc_ipv4_cidr_block_association` drawing from the pool, and an `aws_subnet` in the VPC,
// applied, planned again with no changes, and destroyed. The provider reads the VPC, its
// attributes, route tables, ACLs and security groups from moto through the pass-through, and
// after deleting the VPC waits for its IPAM allocations to go (GetIpamPoolAllocations here).
//
// No network: see support/terraform.ts.
import {
  DescribeIpamPoolsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  GetIpamPoolAllocationsCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteDefaultVpc,
  ec2As,
  forwardingTo,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { ipamPoolConfiguration, type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

function configuration(endpoint: string): string {
  return `
${ipamPoolConfiguration(endpoint, ADMIN)}

resource "aws_vpc_ipam_pool_cidr" "main" {
  ipam_pool_id = aws_vpc_ipam_pool.main.id
  cidr         = "10.0.0.0/16"
  timeouts {
    create = "2m"
    delete = "2m"
  }
}

resource "aws_vpc" "main" {
  ipv4_ipam_pool_id   = aws_vpc_ipam_pool.main.id
  ipv4_netmask_length = 24
  tags                = { Name = "ipam-vpc" }
  depends_on          = [aws_vpc_ipam_pool_cidr.main]
}

resource "aws_subnet" "main" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 2, 0)
}

resource "aws_vpc_ipv4_cidr_block_association" "secondary" {
  vpc_id              = aws_vpc.main.id
  ipv4_ipam_pool_id   = aws_vpc_ipam_pool.main.id
  ipv4_netmask_length = 24
}
`;
}

describe.skipIf(motoMissing() || skipUnless(!terraformSkipReason, 'the Terraform forwarding-mode test', terraformSkipReason))(
  'Terraform in forwarding mode (hashicorp/aws, moto upstream)',
  () => {
    let moto: MotoServer;
    let upstream: EC2Client;
    let service: TestService;
    let workspace: TerraformWorkspace;
    const terraform = (...args: string[]) => workspace.terraform(...args, '-input=false', '-no-color');
    let poolId: string;
    const allocations = async () =>
      (await service.ec2().send(new GetIpamPoolAllocationsCommand({ IpamPoolId: poolId }))).IpamPoolAllocations ?? [];

    beforeAll(async () => {
      moto = await startMotoServer();
      upstream = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'us-east-1');
      await deleteDefaultVpc(upstream);
      service = await startTestService({ env: forwardingTo(moto.endpoint) });
      workspace = await terraformWorkspace(configuration(service.url), 'main.tf', { shareProvider: true });
    }, 120_000);
    afterAll(async () => {
      upstream?.destroy();
      await service?.stop();
      await moto?.stop();
      await workspace?.remove();
    });

    it('applies a VPC, a subnet and a secondary CIDR block from the pool, in moto with the allocated CIDRs', {
      timeout: 240_000,
    }, async () => {
      await terraform('apply', '-auto-approve');
      const { Vpcs } = await upstream.send(new DescribeVpcsCommand({}));
      expect(Vpcs).toHaveLength(1);
      const vpc = Vpcs![0]!;
      const cidrs = (vpc.CidrBlockAssociationSet ?? []).map((association) => association.CidrBlock).sort();
      expect(cidrs).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
      const { Subnets } = await upstream.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
      expect(Subnets?.map((subnet) => subnet.CidrBlock)).toEqual(['10.0.0.0/26']);
      poolId = (await service.ec2().send(new DescribeIpamPoolsCommand({}))).IpamPools![0]!.IpamPoolId!;
      const held = await allocations();
      expect(
        held
          .map(({ Cidr, ResourceType, ResourceId }) => ({ Cidr, ResourceType, ResourceId }))
          .sort((a, b) => a.Cidr!.localeCompare(b.Cidr!)),
      ).toEqual([
        { Cidr: '10.0.0.0/24', ResourceType: 'vpc', ResourceId: vpc.VpcId },
        { Cidr: '10.0.1.0/24', ResourceType: 'vpc', ResourceId: vpc.VpcId },
      ]);
    });

    it('plans no changes afterwards', { timeout: 180_000 }, async () => {
      const { stdout } = await terraform('plan', '-detailed-exitcode');
      expect(stdout).toContain('No changes.');
    });

    it('destroys everything: no VPC in moto, and the pool (which goes only once its allocations are released) is gone', {
      timeout: 240_000,
    }, async () => {
      await terraform('destroy', '-auto-approve');
      expect((await upstream.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
      expect((await service.ec2().send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
    });
  },
);
