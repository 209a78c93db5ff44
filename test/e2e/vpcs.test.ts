// VPCs from an IPAM pool through the real HTTP service with the JS SDK (issue 16, embedded): the
// EC2 Query codec carries CreateVpc, DescribeVpcs and DeleteVpc, and 32 concurrent CreateVpc
// calls from one pool never overlap.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeVpcsCommand,
  type EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { startTestService, type TestService } from '../support/service.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

/** The account's one IPAM (the default quota), created on first use. */
let privateScope: Promise<string> | undefined;

/** A private IPv4 pool, locale us-east-1, with `cidr` provisioned. */
async function poolHolding(cidr: string): Promise<string> {
  privateScope ??= ec2.send(new CreateIpamCommand({})).then(({ Ipam }) => Ipam!.PrivateDefaultScopeId!);
  const { IpamPool } = await ec2.send(
    new CreateIpamPoolCommand({ IpamScopeId: await privateScope, AddressFamily: 'ipv4', Locale: 'us-east-1' }),
  );
  const IpamPoolId = IpamPool!.IpamPoolId!;
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: cidr }));
  for (let poll = 0; poll < 60; poll++) {
    const [record] = (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs ?? [];
    if (record?.State === 'provisioned') return IpamPoolId;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`pool ${IpamPoolId} never got ${cidr} provisioned`);
}

describe('VPCs from an IPAM pool with the JS SDK', () => {
  it('creates 32 VPCs at once from one pool without overlap, each held by its vpc allocation, and deletes them', async () => {
    const IpamPoolId = await poolHolding('10.0.0.0/16');
    const created = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        ec2.send(
          new CreateVpcCommand({
            Ipv4IpamPoolId: IpamPoolId,
            Ipv4NetmaskLength: 24,
            TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: `burst-${i}` }] }],
          }),
        ),
      ),
    );
    const vpcs = created.map(({ Vpc }) => Vpc!);
    // EC2 answers a new VPC `pending` (AWS CLI example create-vpc.rst); describe-vpcs shows it settled.
    expect(new Set(vpcs.map((vpc) => vpc.State))).toEqual(new Set(['pending']));
    const cidrs = vpcs.map((vpc) => parseCidr(vpc.CidrBlock!));
    for (const [i, a] of cidrs.entries()) {
      for (const b of cidrs.slice(i + 1)) expect(containsCidr(a, b) || containsCidr(b, a)).toBe(false);
    }
    const { IpamPoolAllocations } = await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId }));
    expect(IpamPoolAllocations).toHaveLength(32);
    for (const vpc of vpcs) {
      expect(IpamPoolAllocations).toContainEqual(
        expect.objectContaining({ ResourceType: 'vpc', ResourceId: vpc.VpcId, Cidr: vpc.CidrBlock }),
      );
    }

    const tagged = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['burst-7'] }] }));
    expect(tagged.Vpcs?.map((vpc) => vpc.VpcId)).toEqual([vpcs[7]!.VpcId]);
    expect(tagged.Vpcs?.[0]).toMatchObject({ State: 'available', IsDefault: false, CidrBlock: vpcs[7]!.CidrBlock });

    await Promise.all(vpcs.map((vpc) => ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }))));
    expect((await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId }))).IpamPoolAllocations).toEqual([]);
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
  });

  it('answers EC2 error codes through the codec', async () => {
    const IpamPoolId = await poolHolding('10.1.0.0/24');
    expect((await rejection(ec2.send(new CreateVpcCommand({ Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 29 })))).name).toBe(
      'InvalidVpc.Range',
    );
    expect((await rejection(ec2.send(new DeleteVpcCommand({ VpcId: 'vpc-0123456789abcdef0' })))).name).toBe('InvalidVpcID.NotFound');
    expect((await rejection(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })))).name).toBe('InvalidVpcID.NotFound');
  });
});
