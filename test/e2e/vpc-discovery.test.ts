// Embedded VPCs in discovery at once, through the real HTTP service with the JS SDK (issue 16):
// the GetIpamResourceCidrs call right after CreateVpc shows the VPC managed and compliant, the
// address history has it, and right after DeleteVpc it is gone — no sweep in between.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DeleteVpcCommand,
  type EC2Client,
  GetIpamAddressHistoryCommand,
  GetIpamPoolCidrsCommand,
  GetIpamResourceCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

describe('a VPC from a pool, seen by discovery at once', () => {
  it('is a managed, compliant resource CIDR with history as soon as CreateVpc answers, and gone as soon as DeleteVpc does', async () => {
    const { Ipam } = await ec2.send(new CreateIpamCommand({}));
    const IpamScopeId = Ipam!.PrivateDefaultScopeId!;
    const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }));
    const IpamPoolId = IpamPool!.IpamPoolId!;
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: '10.0.0.0/24' }));
    for (let poll = 0; poll < 60; poll++) {
      const [record] = (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs ?? [];
      if (record?.State === 'provisioned') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const { Vpc } = await ec2.send(new CreateVpcCommand({ Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 }));
    const { IpamResourceCidrs } = await ec2.send(new GetIpamResourceCidrsCommand({ IpamScopeId, ResourceId: Vpc!.VpcId }));
    expect(IpamResourceCidrs).toEqual([
      expect.objectContaining({
        ResourceCidr: '10.0.0.0/26',
        ResourceType: 'vpc',
        IpamPoolId,
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        OverlapStatus: 'nonoverlapping',
      }),
    ]);
    const { HistoryRecords } = await ec2.send(new GetIpamAddressHistoryCommand({ IpamScopeId, Cidr: '10.0.0.0/26' }));
    expect(HistoryRecords).toEqual([expect.objectContaining({ ResourceId: Vpc!.VpcId, ResourceComplianceStatus: 'compliant' })]);

    await ec2.send(new DeleteVpcCommand({ VpcId: Vpc!.VpcId }));
    expect((await ec2.send(new GetIpamResourceCidrsCommand({ IpamScopeId, ResourceId: Vpc!.VpcId }))).IpamResourceCidrs).toEqual([]);
  });
});
