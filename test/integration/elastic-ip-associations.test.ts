// AssociateAddress and DisassociateAddress (issue 21; S7 step 7, S9 step 10, S14 step 7 and their
// clean-ups) against the embedded instance registry, a real instances file (IPAM_EC2_INSTANCES_FILE).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstancesFile } from '../../lambdas/adapters/local/instances-file.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const INSTANCE = 'i-07459a6fca5b35823';
const WEB_ENI = 'eni-0a1b2c3d4e5f60718';
const SPARE_ENI = 'eni-0f1e2d3c4b5a69788';

let harness: UseCaseHarness;
let IpamPoolId: string;

beforeAll(async () => {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-instances-')), 'instances.json');
  await writeFile(
    file,
    JSON.stringify({
      accounts: {
        '123456789012': {
          'us-east-1': [
            { InstanceId: INSTANCE, NetworkInterfaceId: WEB_ENI, PrivateIpAddresses: ['10.0.0.12', '10.0.0.13'] },
            { NetworkInterfaceId: SPARE_ENI, PrivateIpAddresses: ['10.0.1.5'] },
          ],
        },
      },
    }),
  );
  harness = await createUseCaseHarness({ instances: new InstancesFile(file) });
  const { Ipam } = await harness.call('CreateIpam', {});
  IpamPoolId = (
    await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
    })
  ).IpamPool.IpamPoolId;
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, NetmaskLength: 29 });
});
afterAll(async () => harness?.engine.stop());

const allocate = async () => (await harness.call('AllocateAddress', { IpamPoolId })) as { PublicIp: string; AllocationId: string };
const describeOne = async (AllocationId: string) =>
  (await harness.call('DescribeAddresses', { AllocationIds: [AllocationId] })).Addresses[0];

describe('Elastic IP associations', () => {
  it('associates with an instance by PublicIp (S14 step 7), shows it, refuses the release, and disassociates (clean-up C1–C2)', async () => {
    const eip = await allocate();
    const { AssociationId } = await harness.call('AssociateAddress', { InstanceId: INSTANCE, PublicIp: eip.PublicIp });
    expect(AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    expect(await describeOne(eip.AllocationId)).toEqual(
      expect.objectContaining({
        AllocationId: eip.AllocationId,
        AssociationId,
        InstanceId: INSTANCE,
        NetworkInterfaceId: WEB_ENI,
        NetworkInterfaceOwnerId: '123456789012',
        PrivateIpAddress: '10.0.0.12',
      }),
    );
    const byInstance = await harness.call('DescribeAddresses', { Filters: [{ Name: 'instance-id', Values: [INSTANCE] }] });
    expect(byInstance.Addresses.map((found: { AllocationId: string }) => found.AllocationId)).toEqual([eip.AllocationId]);

    await expectRefusal(harness.call('ReleaseAddress', { AllocationId: eip.AllocationId }), 'InvalidIPAddress.InUse', eip.PublicIp);
    expect(await harness.call('DisassociateAddress', { AssociationId })).toEqual({});
    const after = await describeOne(eip.AllocationId);
    for (const field of ['AssociationId', 'InstanceId', 'NetworkInterfaceId', 'PrivateIpAddress']) expect(after).not.toHaveProperty(field);
    await expectRefusal(harness.call('DisassociateAddress', { AssociationId }), 'InvalidAssociationID.NotFound', AssociationId);
    expect(await harness.call('ReleaseAddress', { AllocationId: eip.AllocationId })).toEqual({ Return: true });

    const changes = harness.events
      .published()
      .filter((event) => event['detail-type'] === 'Elastic IP Association Change')
      .map((event) => event.detail as { allocationId: string; change: string; instanceId?: string });
    expect(changes.filter((detail) => detail.allocationId === eip.AllocationId)).toEqual([
      expect.objectContaining({ change: 'associated', instanceId: INSTANCE }),
      expect.objectContaining({ change: 'disassociated', instanceId: INSTANCE }),
    ]);
  });

  it('moves an associated address only with AllowReassociation, and one private address keeps one public address', async () => {
    const [one, two] = [await allocate(), await allocate()];
    await harness.call('AssociateAddress', { AllocationId: one.AllocationId, NetworkInterfaceId: SPARE_ENI });
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: one.AllocationId, InstanceId: INSTANCE }),
      'Resource.AlreadyAssociated',
      one.AllocationId,
    );
    const moved = await harness.call('AssociateAddress', {
      AllocationId: one.AllocationId,
      InstanceId: INSTANCE,
      AllowReassociation: true,
    });
    expect(await describeOne(one.AllocationId)).toMatchObject({ AssociationId: moved.AssociationId, NetworkInterfaceId: WEB_ENI });

    // The second EIP takes the instance's primary private address: the first is disassociated from it.
    await harness.call('AssociateAddress', { AllocationId: two.AllocationId, InstanceId: INSTANCE });
    expect(await describeOne(one.AllocationId)).not.toHaveProperty('AssociationId');
    expect(await describeOne(two.AllocationId)).toMatchObject({ PrivateIpAddress: '10.0.0.12' });
    // A secondary private address of the interface holds another.
    await harness.call('AssociateAddress', { AllocationId: one.AllocationId, NetworkInterfaceId: WEB_ENI, PrivateIpAddress: '10.0.0.13' });
    expect(await describeOne(two.AllocationId)).toHaveProperty('AssociationId');
    for (const eip of [one, two]) {
      await harness.call('DisassociateAddress', { PublicIp: eip.PublicIp });
      await harness.call('ReleaseAddress', { AllocationId: eip.AllocationId });
    }
  });

  it("answers EC2's refusals for unknown ids and bad combinations", async () => {
    const eip = await allocate();
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: eip.AllocationId, InstanceId: 'i-0123456789abcdef0' }),
      'InvalidInstanceID.NotFound',
      'i-0123456789abcdef0',
    );
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: eip.AllocationId, NetworkInterfaceId: 'eni-0123456789abcdef0' }),
      'InvalidNetworkInterfaceID.NotFound',
      'eni-0123456789abcdef0',
    );
    // Instances are per account and Region.
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: eip.AllocationId, InstanceId: INSTANCE }, { region: 'us-west-2' }),
      'InvalidAllocationID.NotFound',
    );
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: eip.AllocationId, InstanceId: INSTANCE, NetworkInterfaceId: WEB_ENI }),
      'InvalidParameterCombination',
    );
    await expectRefusal(harness.call('AssociateAddress', { AllocationId: eip.AllocationId }), 'MissingParameter', 'InstanceId');
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: eip.AllocationId, InstanceId: INSTANCE, PrivateIpAddress: '10.9.9.9' }),
      'InvalidParameterValue',
      '10.9.9.9',
    );
    await expectRefusal(
      harness.call('AssociateAddress', { PublicIp: '192.0.2.99', InstanceId: INSTANCE }),
      'InvalidAddress.NotFound',
      '192.0.2.99',
    );
    await expectRefusal(
      harness.call('AssociateAddress', { AllocationId: 'eipalloc-0123456789abcdef0', InstanceId: INSTANCE }),
      'InvalidAllocationID.NotFound',
    );
    await harness.call('ReleaseAddress', { AllocationId: eip.AllocationId });
  });
});
