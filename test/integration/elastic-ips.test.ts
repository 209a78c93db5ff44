// Scenario S14 (30-eips-iam-quotas §1): sequential Elastic IPs from an Amazon-owned contiguous
// IPv4 block in an IPAM pool — allocated in address order as `eip` allocations, refused in the
// order of DN-302, released back to the pool, and blocking deprovisioning while they exist.
import { describe, expect, it } from 'vitest';
import { type Cidr, formatAddress, formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

interface Address {
  PublicIp: string;
  AllocationId: string;
  PublicIpv4Pool: string;
  NetworkBorderGroup: string;
  Domain: string;
}

async function newIpam(harness: UseCaseHarness): Promise<string> {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }] });
  return Ipam.PublicDefaultScopeId;
}

/** The tutorial's pool: public scope, IPv4, AwsService ec2, Amazon-owned, a locale. */
async function eipPool(harness: UseCaseHarness, IpamScopeId?: string, locale = 'us-east-1') {
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: IpamScopeId ?? (await newIpam(harness)),
    AddressFamily: 'ipv4',
    AwsService: 'ec2',
    PublicIpSource: 'amazon',
    Locale: locale,
  });
  return IpamPool.IpamPoolId as string;
}

/** Provisions a block by netmask and waits, as the guide does, until it is provisioned. */
async function provisionBlock(harness: UseCaseHarness, IpamPoolId: string, NetmaskLength: number): Promise<Cidr> {
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, NetmaskLength });
  const [record] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs;
  expect(record.State).toBe('provisioned');
  return parseCidr(record.Cidr);
}

const allocate = async (harness: UseCaseHarness, input: Record<string, unknown>, region = 'us-east-1'): Promise<Address> =>
  harness.call('AllocateAddress', input, { region });

const nth = (block: Cidr, n: number) => formatAddress('ipv4', block.start + BigInt(n));

describe('S14 sequential Elastic IPs', () => {
  it('hands out the addresses of a /29 in order, as eip allocations of the pool, until none is left', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await eipPool(harness);
    const block = await provisionBlock(harness, IpamPoolId, 29);

    const first = await allocate(harness, {
      IpamPoolId,
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'team', Value: 'edge' }] }],
    });
    expect(first).toEqual({
      PublicIp: nth(block, 0),
      AllocationId: expect.stringMatching(/^eipalloc-[0-9a-f]{17}$/),
      PublicIpv4Pool: IpamPoolId,
      NetworkBorderGroup: 'us-east-1',
      Domain: 'vpc',
    });
    const more = [await allocate(harness, { IpamPoolId }), await allocate(harness, { IpamPoolId })];
    expect(more.map((eip) => eip.PublicIp)).toEqual([nth(block, 1), nth(block, 2)]);

    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId });
    expect(IpamPoolAllocations).toHaveLength(3);
    for (const eip of [first, ...more]) {
      expect(IpamPoolAllocations).toContainEqual(
        expect.objectContaining({
          Cidr: `${eip.PublicIp}/32`,
          ResourceType: 'eip',
          ResourceId: eip.AllocationId,
          ResourceRegion: 'us-east-1',
          ResourceOwner: '123456789012',
        }),
      );
    }

    // A specific address, then one already taken.
    expect((await allocate(harness, { IpamPoolId, Address: nth(block, 6) })).PublicIp).toBe(nth(block, 6));
    await expectRefusal(allocate(harness, { IpamPoolId, Address: nth(block, 6) }), 'InvalidIPAddress.InUse', nth(block, 6));
    await expectRefusal(allocate(harness, { IpamPoolId, Address: nth(block, 8) }), 'InvalidParameterValue', nth(block, 8));
    // The next one fills the gap below the specific address; a /29 holds 8 EIPs, no reservations.
    const rest = [];
    for (let n = 0; n < 4; n++) rest.push((await allocate(harness, { IpamPoolId })).PublicIp);
    expect(rest).toEqual([3, 4, 5, 7].map((n) => nth(block, n)));
    await expectRefusal(allocate(harness, { IpamPoolId }), 'InsufficientAddressCapacity', IpamPoolId);

    // DescribeAddresses by id, by address, and by filter.
    const byId = await harness.call('DescribeAddresses', { AllocationIds: [first.AllocationId] });
    expect(byId.Addresses).toEqual([{ ...first, Tags: [{ Key: 'team', Value: 'edge' }] }]);
    expect((await harness.call('DescribeAddresses', { PublicIps: [nth(block, 1)] })).Addresses.map((a: Address) => a.AllocationId)).toEqual(
      [more[0]!.AllocationId],
    );
    expect((await harness.call('DescribeAddresses', { Filters: [{ Name: 'tag:team', Values: ['edge'] }] })).Addresses).toHaveLength(1);
    expect((await harness.call('DescribeAddresses', { Filters: [{ Name: 'domain', Values: ['vpc'] }] })).Addresses).toHaveLength(8);
    await expectRefusal(
      harness.call('DescribeAddresses', { AllocationIds: ['eipalloc-0123456789abcdef0'] }),
      'InvalidAllocationID.NotFound',
    );
  });

  it('takes every filter EC2 documents for DescribeAddresses, and refuses names it does not', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await eipPool(harness);
    const block = await provisionBlock(harness, IpamPoolId, 30);
    const tagged = await allocate(harness, {
      IpamPoolId,
      TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'Owner', Value: 'TeamA' }] }],
    });
    const plain = await allocate(harness, { IpamPoolId });
    const ids = async (Name: string, Values: string[]) =>
      (await harness.call('DescribeAddresses', { Filters: [{ Name, Values }] })).Addresses.map((a: Address) => a.AllocationId).sort();
    const both = [tagged.AllocationId, plain.AllocationId].sort();
    // EC2's model, DescribeAddresses Filters: allocation-id, association-id, instance-id,
    // network-border-group, network-interface-id, network-interface-owner-id, private-ip-address,
    // public-ip, tag:<key> ("specify tag:Owner for the filter name and TeamA for the filter value"), tag-key.
    expect(await ids('allocation-id', [plain.AllocationId])).toEqual([plain.AllocationId]);
    expect(await ids('public-ip', [nth(block, 0)])).toEqual([tagged.AllocationId]);
    expect(await ids('network-border-group', ['us-east-1'])).toEqual(both);
    expect(await ids('network-border-group', ['us-west-2'])).toEqual([]);
    expect(await ids('domain', ['vpc'])).toEqual(both);
    expect(await ids('tag:Owner', ['TeamA'])).toEqual([tagged.AllocationId]);
    expect(await ids('tag-key', ['Owner'])).toEqual([tagged.AllocationId]);
    // Neither address is associated: what an association carries matches none, even by `*`.
    for (const name of ['association-id', 'instance-id', 'network-interface-id', 'network-interface-owner-id', 'private-ip-address']) {
      expect(await ids(name, ['*'])).toEqual([]);
    }
    await expectRefusal(
      harness.call('DescribeAddresses', { Filters: [{ Name: 'private-ip', Values: ['10.0.0.1'] }] }),
      'InvalidParameterValue',
      "The filter 'private-ip' is invalid",
    );
  });

  it('reuses a released address, and deprovisions the block only once every EIP is released', async () => {
    const harness = await createUseCaseHarness();
    const IpamPoolId = await eipPool(harness);
    const block = await provisionBlock(harness, IpamPoolId, 30);
    const eips = [];
    for (let n = 0; n < 3; n++) eips.push(await allocate(harness, { IpamPoolId }));

    await harness.call('ReleaseAddress', { AllocationId: eips[1]!.AllocationId });
    await expectRefusal(
      harness.call('ReleaseAddress', { AllocationId: eips[1]!.AllocationId }),
      'InvalidAllocationID.NotFound',
      eips[1]!.AllocationId,
    );
    expect(
      (await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations.map(
        (a: { ResourceId: string }) => a.ResourceId,
      ).sort(),
    ).toEqual([eips[0]!.AllocationId, eips[2]!.AllocationId].sort());
    const again = await allocate(harness, { IpamPoolId });
    expect(again.PublicIp).toBe(nth(block, 1));
    const allocationChanges = harness.events
      .published()
      .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
      .map((event) => (event.detail as { change: string }).change);
    expect(allocationChanges).toEqual(['created', 'created', 'created', 'released', 'created']);

    // Addresses still in use: AWS's failed-deprovision (terraform-provider-aws #30165).
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId, Cidr: formatCidr(block) });
    const [blocked] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs;
    expect(blocked).toMatchObject({ State: 'failed-deprovision', FailureReason: { Message: 'The CIDR has one or more allocations.' } });
    for (const eip of [eips[0]!, eips[2]!, again]) await harness.call('ReleaseAddress', { AllocationId: eip.AllocationId });
    expect((await harness.call('DescribeAddresses', {})).Addresses).toEqual([]);
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId, Cidr: formatCidr(block) });
    const [record] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs;
    expect(record?.State ?? 'deprovisioned').toBe('deprovisioned');
    await harness.call('DeleteIpamPool', { IpamPoolId });
  });

  it('refuses requests in the order of DN-302', async () => {
    const harness = await createUseCaseHarness();
    const publicScope = await newIpam(harness);
    const IpamPoolId = await eipPool(harness, publicScope);
    await expectRefusal(allocate(harness, { Domain: 'vpc' }), 'InvalidParameterValue', 'IpamPoolId');
    await expectRefusal(
      allocate(harness, { IpamPoolId, PublicIpv4Pool: 'ipv4pool-ec2-0123456789abcdef0' }),
      'InvalidParameterCombination',
      'PublicIpv4Pool',
    );
    await expectRefusal(
      allocate(harness, { IpamPoolId: 'ipam-pool-0123456789abcdef0' }),
      'InvalidIpamPoolId.NotFound',
      'ipam-pool-0123456789abcdef0',
    );
    await expectRefusal(allocate(harness, { IpamPoolId }), 'IncorrectState', IpamPoolId);

    await provisionBlock(harness, IpamPoolId, 30);
    await expectRefusal(
      allocate(harness, { IpamPoolId }, 'us-west-2'),
      'InvalidParameterValue',
      'The locale of the IPAM pool must be equal to the current region.',
    );
    await expectRefusal(allocate(harness, { IpamPoolId, Domain: 'standard' }), 'InvalidParameterValue', 'standard');
    await expectRefusal(allocate(harness, { IpamPoolId, NetworkBorderGroup: 'us-west-2' }), 'InvalidParameterValue', 'us-west-2');
    await expectRefusal(allocate(harness, { IpamPoolId, Address: '10.0.0.300' }), 'InvalidParameterValue', '10.0.0.300');

    // A pool of another Region is used from its locale, not from the IPAM's home Region.
    const westPool = await eipPool(harness, publicScope, 'us-west-2');
    await expectRefusal(allocate(harness, { IpamPoolId: westPool }), 'IncorrectState');
    // Another account does not see the pool at all.
    await expectRefusal(harness.call('AllocateAddress', { IpamPoolId }, { accountId: '111122223333' }), 'InvalidIpamPoolId.NotFound');

    const { Ipam } = await harness.call('CreateIpam', {}, { region: 'eu-west-1' });
    const { IpamPool: privatePool } = await harness.call(
      'CreateIpamPool',
      { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' },
      { region: 'eu-west-1' },
    );
    await expectRefusal(allocate(harness, { IpamPoolId: privatePool.IpamPoolId }, 'eu-west-1'), 'InvalidParameterValue', 'public IPv4');
    const { IpamPool: noService } = await harness.call(
      'CreateIpamPool',
      { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4' },
      { region: 'eu-west-1' },
    );
    await expectRefusal(
      allocate(harness, { IpamPoolId: noService.IpamPoolId }, 'eu-west-1'),
      'InvalidParameterCombination',
      'AwsService ec2',
    );
  });
});

describe('Elastic IPs and discovery of the embedded companions', () => {
  it('keeps the eip allocation of an Elastic IP through the discovery refresh a CreateVpc triggers (found by npm run soak)', async () => {
    const harness = await createUseCaseHarness();
    const pool = await eipPool(harness);
    const block = await provisionBlock(harness, pool, 30);
    const eip = await allocate(harness, { IpamPoolId: pool });
    await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/24' });
    await harness.deps.discoveryChanges!.settled();
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool });
    expect(IpamPoolAllocations.map((a: { Cidr: string; ResourceId: string }) => `${a.ResourceId} ${a.Cidr}`)).toEqual([
      `${eip.AllocationId} ${nth(block, 0)}/32`,
    ]);
    // And so the next address goes to the next Elastic IP, not again to the first one's.
    expect((await allocate(harness, { IpamPoolId: pool })).PublicIp).toBe(nth(block, 1));
  });
});
