// Elastic IP associations in forwarding mode (issue 21): an address this service keeps (from an
// IPAM pool) is associated here with an instance of the upstream — moto's server — and an address
// of the upstream's own goes upstream as it came.
import { DescribeAddressesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpEc2Upstream } from '../../lambdas/adapters/ec2-upstream/ec2-upstream.ts';
import {
  allocateElasticIp,
  createSubnet,
  createVpc,
  ec2As,
  launchInstanceWithPublicIp,
  MOTO_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

describe.skipIf(motoMissing())('Elastic IP associations in forwarding mode (moto upstream)', () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  let upstream: HttpEc2Upstream;
  let harness: UseCaseHarness;

  beforeAll(async () => {
    moto = await startMotoServer();
    upstream = new HttpEc2Upstream({ url: moto.endpoint, ...MOTO_CREDENTIALS });
    ec2 = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'us-east-1');
    harness = await createUseCaseHarness({ ec2Upstream: upstream });
  });
  afterAll(async () => {
    await harness?.engine.stop();
    upstream?.destroy();
    ec2?.destroy();
    await moto?.stop();
  });

  it("associates a kept EIP with the upstream's instance here, and passes an upstream EIP's association through", async () => {
    const vpc = await createVpc(ec2, { cidr: '10.20.0.0/16' });
    const subnet = await createSubnet(ec2, { vpcId: vpc.VpcId!, cidr: '10.20.1.0/24' });
    const instance = await launchInstanceWithPublicIp(ec2, subnet.SubnetId!);

    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 30 });
    const kept = await harness.call('AllocateAddress', { IpamPoolId: IpamPool.IpamPoolId });

    const { AssociationId } = await harness.call('AssociateAddress', { InstanceId: instance.instanceId, PublicIp: kept.PublicIp });
    expect(AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    const [described] = (await harness.call('DescribeAddresses', { AllocationIds: [kept.AllocationId] })).Addresses;
    expect(described).toMatchObject({ InstanceId: instance.instanceId, NetworkInterfaceId: instance.networkInterfaceId });
    expect(described.PrivateIpAddress).toMatch(/^10\.20\.1\.\d+$/);
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: kept.AllocationId, InstanceId: 'i-0123456789abcdef0', AllowReassociation: true }),
      'InvalidInstanceID.NotFound',
    );
    await harness.call('DisassociateAddress', { AssociationId });

    // An address of the upstream's own: the association is the upstream's.
    const theirs = await allocateElasticIp(ec2);
    const forwarded = await harness.call('AssociateAddress', { AllocationId: theirs.allocationId, InstanceId: instance.instanceId });
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [theirs.allocationId] }));
    expect(Addresses?.[0]).toMatchObject({ AssociationId: forwarded.AssociationId, InstanceId: instance.instanceId });
    await harness.call('DisassociateAddress', { AssociationId: forwarded.AssociationId });
    const after = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [theirs.allocationId] }));
    expect(after.Addresses?.[0]?.AssociationId || undefined).toBeUndefined();
  });
});
