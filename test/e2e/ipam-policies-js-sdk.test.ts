// IPAM policies and the IPAM-wide settings through the real HTTP service with the JS SDK: the EC2
// Query codec carries the policy actions' shapes (rule lists, targets, GetEnabledIpamPolicy's
// answer) and the tier refusal.
import {
  AllocateAddressCommand,
  CreateIpamCommand,
  CreateIpamPolicyCommand,
  CreateIpamPoolCommand,
  DeleteIpamPolicyCommand,
  DescribeIpamPoliciesCommand,
  DescribeIpamsCommand,
  DisableIpamPolicyCommand,
  type EC2Client,
  EnableIpamPolicyCommand,
  GetEnabledIpamPolicyCommand,
  GetIpamPolicyAllocationRulesCommand,
  GetIpamPolicyOrganizationTargetsCommand,
  ModifyIpamCommand,
  ModifyIpamPolicyAllocationRulesCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

describe('IPAM policies with the JS SDK', () => {
  it('creates a policy, sets its rules, enables it and allocates an Elastic IP by it', async () => {
    const { Ipam } = await ec2.send(new CreateIpamCommand({}));
    expect(Ipam).toMatchObject({ Tier: 'advanced', MeteredAccount: 'ipam-owner' });
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
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, NetmaskLength: 30 }));

    const { IpamPolicy } = await ec2.send(
      new CreateIpamPolicyCommand({
        IpamId: Ipam!.IpamId,
        TagSpecifications: [{ ResourceType: 'ipam-policy', Tags: [{ Key: 'team', Value: 'net' }] }],
      }),
    );
    const IpamPolicyId = IpamPolicy!.IpamPolicyId!;
    expect(IpamPolicy).toMatchObject({ State: 'create-complete', IpamId: Ipam!.IpamId, Tags: [{ Key: 'team', Value: 'net' }] });
    const { IpamPolicyDocument } = await ec2.send(
      new ModifyIpamPolicyAllocationRulesCommand({
        IpamPolicyId,
        Locale: 'us-east-1',
        ResourceType: 'eip',
        AllocationRules: [{ SourceIpamPoolId: IpamPoolId }],
      }),
    );
    expect(IpamPolicyDocument).toEqual({
      IpamPolicyId,
      Locale: 'us-east-1',
      ResourceType: 'eip',
      AllocationRules: [{ SourceIpamPoolId: IpamPoolId }],
    });
    expect((await ec2.send(new GetIpamPolicyAllocationRulesCommand({ IpamPolicyId }))).IpamPolicyDocuments).toEqual([IpamPolicyDocument]);
    expect((await ec2.send(new DescribeIpamPoliciesCommand({ IpamPolicyIds: [IpamPolicyId] }))).IpamPolicies).toEqual([
      { ...IpamPolicy, State: 'modify-complete' },
    ]);

    expect(await ec2.send(new GetEnabledIpamPolicyCommand({}))).toMatchObject({ IpamPolicyEnabled: false });
    expect((await ec2.send(new EnableIpamPolicyCommand({ IpamPolicyId }))).IpamPolicyId).toBe(IpamPolicyId);
    expect(await ec2.send(new GetEnabledIpamPolicyCommand({}))).toMatchObject({
      IpamPolicyEnabled: true,
      IpamPolicyId,
      ManagedBy: 'account',
    });
    expect((await ec2.send(new GetIpamPolicyOrganizationTargetsCommand({ IpamPolicyId }))).OrganizationTargets).toEqual([
      { OrganizationTargetId: ADMIN.accountId },
    ]);
    expect((await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).PublicIpv4Pool).toBe(IpamPoolId);

    // The tier: a pool whose locale is the home Region is no obstacle, a policy is until it is deleted.
    const refused = await rejection(ec2.send(new ModifyIpamCommand({ IpamId: Ipam!.IpamId, MeteredAccount: 'resource-owner' })));
    expect(refused.name).toBe('InvalidParameterValue');
    const kept = await rejection(ec2.send(new ModifyIpamCommand({ IpamId: Ipam!.IpamId, Tier: 'free' })));
    expect(kept.name).toBe('IncorrectState');
    expect(kept.message).toContain(`you must delete IPAM policies: IPAM ${Ipam!.IpamId} has 1 IPAM policy (${IpamPolicyId})`);
    await ec2.send(new DisableIpamPolicyCommand({ IpamPolicyId }));
    await ec2.send(new DeleteIpamPolicyCommand({ IpamPolicyId }));
    await ec2.send(new ModifyIpamCommand({ IpamId: Ipam!.IpamId, Tier: 'free' }));
    expect((await ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] }))).Ipams?.[0]?.Tier).toBe('free');
    const free = await rejection(ec2.send(new CreateIpamPolicyCommand({ IpamId: Ipam!.IpamId })));
    expect(free.name).toBe('InvalidParameterValue');
    expect(free.message).toContain('requires the Advanced Tier');
  });
});
