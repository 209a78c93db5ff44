// EC2 public IPv4 pools fed by a BYOIP regional IPAM pool (issue 21; spec X-PUB, S7/S9 alternative
// paths): create, provision by netmask as an `ec2-public-ipv4-pool` allocation, describe with
// ranges and counts, Elastic IPs lowest first, deprovision and delete in order, and the release
// cool-down (IPAM_RELEASE_COOLDOWN_S) for both kinds of Elastic IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsTokenRecordNames } from '../../lambdas/domain/byoip-verification.ts';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import { releaseAllocationsOfPool } from '../../lambdas/use-cases/allocations.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { runDiscoverySweep } from '../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const WEST = { region: 'us-west-2' };
let servers: RegistryServers;
let harness: UseCaseHarness;
let ipam: { IpamId: string; PublicDefaultScopeId: string };
let byoipCount = 0;

beforeAll(async () => {
  servers = await startRegistryServers();
  harness = await createUseCaseHarness({ registry: servers.registry });
  ipam = (await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-west-2' }] })).Ipam;
});
afterAll(async () => {
  await harness?.engine.stop();
  await servers?.close();
});

/** S9 steps 3–6: a verified BYOIP /24 in a top-level pool and a us-west-2 regional pool (AwsService ec2) holding it. */
async function regionalByoipPool(input: Record<string, unknown> = { AwsService: 'ec2' }): Promise<{ regional: string; cidr: string }> {
  const cidr = `203.0.${113 + byoipCount++}.0/24`;
  const token = (await harness.call('CreateIpamExternalResourceVerificationToken', { IpamId: ipam.IpamId }))
    .IpamExternalResourceVerificationToken;
  for (const name of dnsTokenRecordNames(parseCidr(cidr), token.TokenName)) servers.txt.set(name, [token.TokenValue]);
  const top = (await harness.call('CreateIpamPool', { IpamScopeId: ipam.PublicDefaultScopeId, AddressFamily: 'ipv4' })).IpamPool.IpamPoolId;
  await harness.call('ProvisionIpamPoolCidr', {
    IpamPoolId: top,
    Cidr: cidr,
    VerificationMethod: 'dns-token',
    IpamExternalResourceVerificationTokenId: token.IpamExternalResourceVerificationTokenId,
  });
  const regional = (
    await harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PublicDefaultScopeId,
      SourceIpamPoolId: top,
      AddressFamily: 'ipv4',
      Locale: 'us-west-2',
      ...input,
    })
  ).IpamPool.IpamPoolId;
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: regional, Cidr: cidr });
  expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: regional })).IpamPoolCidrs[0].State).toBe('provisioned');
  return { regional, cidr };
}

const createPool = async (input: Record<string, unknown> = {}, region = WEST) =>
  (await harness.call('CreatePublicIpv4Pool', input, region)).PoolId as string;
const describePool = async (PoolId: string, region = WEST) =>
  (await harness.call('DescribePublicIpv4Pools', { PoolIds: [PoolId] }, region)).PublicIpv4Pools[0];

describe('public IPv4 pools (S7/S9 alternative paths)', () => {
  it('takes a /24 of a regional BYOIP pool, hands out its addresses lowest first, and goes back in order', async () => {
    const { regional, cidr } = await regionalByoipPool();
    const base = cidr.slice(0, -'0/24'.length);
    const PoolId = await createPool({ TagSpecifications: [{ ResourceType: 'ipv4pool-ec2', Tags: [{ Key: 'team', Value: 'edge' }] }] });
    expect(PoolId).toMatch(/^ipv4pool-ec2-0[0-9a-f]{16}$/);
    expect(await describePool(PoolId)).toEqual({
      PoolId,
      Description: '',
      PoolAddressRanges: [],
      TotalAddressCount: 0,
      TotalAvailableAddressCount: 0,
      NetworkBorderGroup: 'us-west-2',
      Tags: [{ Key: 'team', Value: 'edge' }],
    });

    const provisioned = await harness.call('ProvisionPublicIpv4PoolCidr', { IpamPoolId: regional, PoolId, NetmaskLength: 24 }, WEST);
    expect(provisioned).toEqual({
      PoolId,
      PoolAddressRange: { FirstAddress: `${base}0`, LastAddress: `${base}255`, AddressCount: 256, AvailableAddressCount: 256 },
    });
    // S9 A5: the regional pool's one allocation is the public IPv4 pool's.
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: regional }, WEST)).IpamPoolAllocations).toEqual([
      expect.objectContaining({ Cidr: cidr, ResourceId: PoolId, ResourceType: 'ec2-public-ipv4-pool', ResourceOwner: '123456789012' }),
    ]);

    const first = await harness.call('AllocateAddress', { PublicIpv4Pool: PoolId }, WEST);
    expect(first).toEqual({
      PublicIp: `${base}0`,
      AllocationId: expect.stringMatching(/^eipalloc-0[0-9a-f]{16}$/),
      PublicIpv4Pool: PoolId,
      NetworkBorderGroup: 'us-west-2',
      Domain: 'vpc',
    });
    const chosen = await harness.call('AllocateAddress', { PublicIpv4Pool: PoolId, Address: `${base}100` }, WEST);
    expect(chosen.PublicIp).toBe(`${base}100`);
    expect((await harness.call('AllocateAddress', { PublicIpv4Pool: PoolId }, WEST)).PublicIp).toBe(`${base}1`);
    await expectRefusal(
      harness.call('AllocateAddress', { PublicIpv4Pool: PoolId, Address: `${base}100` }, WEST),
      'InvalidIPAddress.InUse',
      `${base}100`,
    );
    await expectRefusal(
      harness.call('AllocateAddress', { PublicIpv4Pool: PoolId, Address: '198.18.0.1' }, WEST),
      'InvalidParameterValue',
      '198.18.0.1',
    );
    // EC2 objects are regional: the pool is not found from us-east-1.
    await expectRefusal(harness.call('AllocateAddress', { PublicIpv4Pool: PoolId }), 'InvalidPublicIpv4PoolID.NotFound', PoolId);
    // The EIPs are not IPAM allocations on this path (S9 A5); discovery sees the pool's range, so a sweep keeps its allocation.
    await runDiscoverySweep(harness.deps as SweepDependencies);
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: regional }, WEST)).IpamPoolAllocations).toHaveLength(1);
    expect(await describePool(PoolId)).toMatchObject({ TotalAddressCount: 256, TotalAvailableAddressCount: 253 });
    const { Addresses } = await harness.call('DescribeAddresses', { Filters: [{ Name: 'public-ipv4-pool', Values: [PoolId] }] }, WEST);
    expect(Addresses.map((eip: { PublicIp: string }) => eip.PublicIp).sort()).toEqual([`${base}0`, `${base}1`, `${base}100`]);

    // Nothing goes back while in use: the CIDR while EIPs hold addresses, the pool while it has a range.
    await expectRefusal(harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: cidr }, WEST), 'DependencyViolation', cidr);
    await expectRefusal(harness.call('DeletePublicIpv4Pool', { PoolId }, WEST), 'DependencyViolation', PoolId);
    for (const eip of Addresses) await harness.call('ReleaseAddress', { AllocationId: eip.AllocationId }, WEST);
    expect((await describePool(PoolId)).TotalAvailableAddressCount).toBe(256);

    // S9 AC2 as the guide writes it: from us-east-1, for the us-west-2 pool.
    expect(await harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: cidr })).toEqual({ PoolId, DeprovisionedAddresses: [cidr] });
    expect(await describePool(PoolId, { region: 'us-east-1' })).toMatchObject({
      PoolAddressRanges: [],
      TotalAddressCount: 0,
      TotalAvailableAddressCount: 0,
      NetworkBorderGroup: 'us-west-2',
    });
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: regional }, WEST)).IpamPoolAllocations).toEqual([]);
    expect(await harness.call('DeletePublicIpv4Pool', { PoolId }, WEST)).toEqual({ ReturnValue: true });
    await expectRefusal(describePool(PoolId), 'InvalidPublicIpv4PoolID.NotFound', PoolId);
    const events = harness.events
      .published()
      .filter((event) => event['detail-type'] === 'Public IPv4 Pool Change')
      .map((event) => event.detail as { poolId: string; change: string });
    expect(events.filter((detail) => detail.poolId === PoolId).map((detail) => detail.change)).toEqual([
      'created',
      'cidr-provisioned',
      'cidr-deprovisioned',
      'deleted',
    ]);
  });

  it('refuses what EC2 refuses: sizes, pools that do not serve EC2 here, foreign or unknown ids, MaxResults', async () => {
    const { regional } = await regionalByoipPool();
    const PoolId = await createPool();
    const provision = (input: Record<string, unknown>, region = WEST) =>
      harness.call('ProvisionPublicIpv4PoolCidr', { IpamPoolId: regional, PoolId, NetmaskLength: 24, ...input }, region);
    await expectRefusal(provision({ NetmaskLength: 23 }), 'InvalidParameterValue', '23', '24');
    await expectRefusal(provision({ NetmaskLength: 33 }), 'InvalidParameterValue', '33');
    await expectRefusal(
      provision({ PoolId: 'ipv4pool-ec2-0123456789abcdef0' }),
      'InvalidPublicIpv4PoolID.NotFound',
      'ipv4pool-ec2-0123456789abcdef0',
    );
    await expectRefusal(provision({}, { region: 'us-east-1' }), 'InvalidParameterValue', PoolId, 'us-west-2');
    await expectRefusal(provision({ NetworkBorderGroup: 'us-east-1' }), 'InvalidParameterValue', 'us-east-1');
    const { regional: notEc2 } = await regionalByoipPool({});
    await expectRefusal(provision({ IpamPoolId: notEc2 }), 'InvalidParameterCombination', notEc2, 'ec2');
    // Another account neither owns the pool nor has it shared.
    await expectRefusal(provision({}, { ...WEST, accountId: '111122223333' } as never), 'InvalidPublicIpv4PoolID.NotFound');
    await expectRefusal(harness.call('DescribePublicIpv4Pools', { MaxResults: 11 }, WEST), 'InvalidParameterValue', '10');
    await expectRefusal(
      harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: '203.0.200.0/24' }, WEST),
      'InvalidParameterValue',
      '203.0.200.0/24',
    );
    await expectRefusal(harness.call('AllocateAddress', { PublicIpv4Pool: PoolId }, WEST), 'InsufficientAddressCapacity', PoolId);
    await expectRefusal(harness.call('CreatePublicIpv4Pool', { NetworkBorderGroup: 'us-east-1' }, WEST), 'InvalidParameterValue');
  });

  it('pages with MaxResults and NextToken, lists the Region only, and filters by tag', async () => {
    const paging = await createUseCaseHarness();
    const ids: string[] = [];
    for (const team of ['a', 'b', 'c']) {
      ids.push(
        (
          await paging.call(
            'CreatePublicIpv4Pool',
            { TagSpecifications: [{ ResourceType: 'ipv4pool-ec2', Tags: [{ Key: 'team', Value: team }] }] },
            WEST,
          )
        ).PoolId,
      );
    }
    await paging.call('CreatePublicIpv4Pool', {}, { region: 'eu-west-1' });
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await paging.call('DescribePublicIpv4Pools', { MaxResults: 2, NextToken }, WEST);
      expect(page.PublicIpv4Pools.length).toBeLessThanOrEqual(2);
      seen.push(...page.PublicIpv4Pools.map((pool: { PoolId: string }) => pool.PoolId));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual([...ids].sort());
    const tagged = await paging.call('DescribePublicIpv4Pools', { Filters: [{ Name: 'tag:team', Values: ['b'] }] }, WEST);
    expect(tagged.PublicIpv4Pools.map((pool: { PoolId: string }) => pool.PoolId)).toEqual([ids[1]]);
    // CreateTags and DescribeTags take public IPv4 pools, in their Region.
    await paging.call('CreateTags', { Resources: [ids[0]], Tags: [{ Key: 'env', Value: 'prod' }] }, WEST);
    expect((await paging.call('DescribePublicIpv4Pools', { PoolIds: [ids[0]] }, WEST)).PublicIpv4Pools[0].Tags).toEqual([
      { Key: 'team', Value: 'a' },
      { Key: 'env', Value: 'prod' },
    ]);
    const described = await paging.call('DescribeTags', { Filters: [{ Name: 'resource-id', Values: [ids[0]] }] }, WEST);
    expect(described.Tags).toContainEqual({ ResourceId: ids[0], ResourceType: 'ipv4pool-ec2', Key: 'env', Value: 'prod' });
    await expectRefusal(
      paging.call('CreateTags', { Resources: [ids[0]], Tags: [{ Key: 'x', Value: 'y' }] }),
      'InvalidPublicIpv4PoolID.NotFound',
    );
    await paging.engine.stop();
  });
});

describe('the release cool-down (IPAM_RELEASE_COOLDOWN_S)', () => {
  it('hands a released address out again at once by default, and only after the cool-down when one is set', async () => {
    const { regional, cidr } = await regionalByoipPool();
    const base = cidr.slice(0, -'0/24'.length);
    const PoolId = await createPool();
    await harness.call('ProvisionPublicIpv4PoolCidr', { IpamPoolId: regional, PoolId, NetmaskLength: 24 }, WEST);
    const allocate = (input: Record<string, unknown> = {}) => harness.call('AllocateAddress', { PublicIpv4Pool: PoolId, ...input }, WEST);
    const release = (eip: { AllocationId: string }) => harness.call('ReleaseAddress', { AllocationId: eip.AllocationId }, WEST);

    // Default 0: the address is reusable at once.
    const once = await allocate();
    await release(once);
    expect((await allocate()).PublicIp).toBe(once.PublicIp);

    harness.deps.publicSpace.releaseCooldownSeconds = 60;
    const realNow = harness.deps.now;
    try {
      const cooled = await allocate();
      expect(cooled.PublicIp).toBe(`${base}1`);
      await release(cooled);
      expect((await allocate()).PublicIp).toBe(`${base}2`);
      await expectRefusal(allocate({ Address: `${base}1` }), 'InvalidIPAddress.InUse', `${base}1`);
      harness.deps.now = () => new Date(realNow().getTime() + 61_000);
      expect((await allocate()).PublicIp).toBe(`${base}1`);
    } finally {
      harness.deps.now = realNow;
      harness.deps.publicSpace.releaseCooldownSeconds = 0;
    }
  });

  it('holds an IPAM-pool Elastic IP address too, and releasing the pool allocations (cascade) releases its EIPs', async () => {
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      Locale: 'us-east-1',
    });
    const IpamPoolId = IpamPool.IpamPoolId;
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, NetmaskLength: 30 });
    const block = parseCidr((await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs[0].Cidr);
    const address = (n: number) =>
      `${block.start >> 24n}.${(block.start >> 16n) & 255n}.${(block.start >> 8n) & 255n}.${(block.start & 255n) + BigInt(n)}`;
    harness.deps.publicSpace.releaseCooldownSeconds = 60;
    try {
      const first = await harness.call('AllocateAddress', { IpamPoolId });
      expect(first.PublicIp).toBe(address(0));
      await harness.call('ReleaseAddress', { AllocationId: first.AllocationId });
      expect((await harness.call('AllocateAddress', { IpamPoolId })).PublicIp).toBe(address(1));
      await expectRefusal(harness.call('AllocateAddress', { IpamPoolId, Address: address(0) }), 'InvalidIPAddress.InUse');
    } finally {
      harness.deps.publicSpace.releaseCooldownSeconds = 0;
    }
    expect((await harness.call('AllocateAddress', { IpamPoolId, Address: address(0) })).PublicIp).toBe(address(0));
    expect(
      (await harness.call('DescribeAddresses', { Filters: [{ Name: 'public-ipv4-pool', Values: [IpamPoolId] }] })).Addresses,
    ).toHaveLength(2);

    // The cascade's release (DeleteIpamPool refuses Cascade on such a pool, as EC2 does; the task is what would run).
    await releaseAllocationsOfPool(harness.deps, IpamPoolId);
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations).toEqual([]);
    expect((await harness.call('DescribeAddresses', { Filters: [{ Name: 'public-ipv4-pool', Values: [IpamPoolId] }] })).Addresses).toEqual(
      [],
    );
  });
});
