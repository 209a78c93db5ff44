// Sequential Elastic IPs through the real HTTP service with the JS SDK: the EC2 Query codec
// carries AllocateAddress, DescribeAddresses and ReleaseAddress, which are outside the IPAM
// action list, and their errors.
import {
  AllocateAddressCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeAddressesCommand,
  type EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

describe('Elastic IPs from an IPAM pool with the JS SDK', () => {
  it('allocates, describes and releases an EIP of a provisioned Amazon-owned block', async () => {
    const { Ipam } = await ec2.send(new CreateIpamCommand({}));
    const { IpamPool } = await ec2.send(
      new CreateIpamPoolCommand({
        IpamScopeId: Ipam!.PublicDefaultScopeId,
        AddressFamily: 'ipv4',
        AwsService: 'ec2',
        PublicIpSource: 'amazon',
        Locale: 'us-east-1',
      }),
    );
    const IpamPoolId = IpamPool!.IpamPoolId!;
    // Before any CIDR is provisioned the pool cannot serve EIPs.
    expect((await rejection(ec2.send(new AllocateAddressCommand({ IpamPoolId })))).name).toBe('IncorrectState');
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, NetmaskLength: 30 }));
    const block = await provisionedCidr(IpamPoolId);

    const eip = await ec2.send(new AllocateAddressCommand({ IpamPoolId }));
    expect(eip.PublicIp).toBe(block.split('/')[0]);
    expect(eip).toMatchObject({
      PublicIpv4Pool: IpamPoolId,
      NetworkBorderGroup: 'us-east-1',
      Domain: 'vpc',
      AllocationId: expect.stringMatching(/^eipalloc-/),
    });
    const { IpamPoolAllocations } = await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId }));
    expect(IpamPoolAllocations).toEqual([
      expect.objectContaining({ Cidr: `${eip.PublicIp}/32`, ResourceType: 'eip', ResourceId: eip.AllocationId }),
    ]);

    const { Addresses } = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: [eip.AllocationId!] }] }),
    );
    expect(Addresses).toEqual([
      expect.objectContaining({ PublicIp: eip.PublicIp, AllocationId: eip.AllocationId, PublicIpv4Pool: IpamPoolId }),
    ]);

    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    const gone = await rejection(ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId })));
    expect(gone.name).toBe('InvalidAllocationID.NotFound');
    expect((await rejection(ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })))).name).toBe('InvalidParameterValue');
  });
});

/** Polls GetIpamPoolCidrs as the guide does (1 s interval, 60 s limit) until the block is provisioned. */
async function provisionedCidr(IpamPoolId: string): Promise<string> {
  for (let poll = 0; poll < 60; poll++) {
    const [record] = (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs ?? [];
    if (record?.State === 'provisioned') return record.Cidr!;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`pool ${IpamPoolId} never got a provisioned CIDR`);
}
