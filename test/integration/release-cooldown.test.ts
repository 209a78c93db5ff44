// The release cool-down of IPAM pool allocations by tier (issue 22; spec §2.4, DN-35):
// IPAM_RELEASE_COOLDOWN_S on advanced-tier IPAMs, IPAM_FREE_TIER_RELEASE_COOLDOWN_S on free-tier
// ones. A release with a cool-down keeps the space held (hidden, not releasable again, not handed
// out) until the sweep gives it back after the end time; with none, the space is free at once.
import { afterEach, describe, expect, it } from 'vitest';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { runDiscoverySweep } from '../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { ADMIN, MEMBER_A, MANAGEMENT as ORG_MANAGEMENT, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const TOO_BIG = 'The allocation size is too big for the pool.';
const harnesses: UseCaseHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.engine.stop();
});

/**
 * A pool in the IPAM of a new harness: on the advanced tier a private pool of 10.0.0.0/24, on the
 * free tier (public scopes only) a public pool holding an Amazon-provided /29. Allocations take
 * half the pool.
 */
async function poolOf(tier: 'free' | 'advanced', configure: (h: UseCaseHarness) => void = () => {}, soleServerSince?: Date) {
  const h = await createUseCaseHarness({ soleServerSince });
  harnesses.push(h);
  configure(h);
  const { Ipam } = await h.call('CreateIpam', { Tier: tier });
  const { IpamPool } = await h.call(
    'CreateIpamPool',
    tier === 'advanced'
      ? { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }
      : { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1', AwsService: 'ec2', PublicIpSource: 'amazon' },
  );
  const IpamPoolId = IpamPool.IpamPoolId as string;
  await h.call('ProvisionIpamPoolCidr', tier === 'advanced' ? { IpamPoolId, Cidr: '10.0.0.0/24' } : { IpamPoolId, NetmaskLength: 29 });
  await expect.poll(async () => (await h.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs[0]?.State).toBe('provisioned');
  const whole = (await h.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs[0].Cidr as string;
  const half = tier === 'advanced' ? 25 : 30;
  return {
    harness: h,
    IpamPoolId,
    whole,
    half,
    allocate: async (NetmaskLength = half) =>
      (await h.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength })).IpamPoolAllocation as {
        IpamPoolAllocationId: string;
        Cidr: string;
      },
    release: (allocation: { IpamPoolAllocationId: string; Cidr: string }) =>
      h.call('ReleaseIpamPoolAllocation', { IpamPoolId, ...allocation }),
    listed: async () => (await h.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations.map((a: { Cidr: string }) => a.Cidr),
    free: async () => (await h.store.listFreeBlocks(IpamPoolId, 'ipv4')).map((block) => block.cidr),
  };
}

/**
 * Runs `sweeps` concurrent sweeps as if `seconds` had passed (the injected clock), then puts the
 * clock back once all are done: a sweep that puts it back while another still runs would send that
 * one back in time.
 */
async function sweepAfter(h: UseCaseHarness, seconds: number, sweeps = 1) {
  const realNow = h.deps.now;
  h.deps.now = () => new Date(realNow().getTime() + seconds * 1000);
  try {
    await Promise.all(Array.from({ length: sweeps }, () => runDiscoverySweep(h.deps as SweepDependencies)));
  } finally {
    h.deps.now = realNow;
  }
}

describe('the release cool-down of IPAM pool allocations', () => {
  it('is off by default on both tiers: released space is handed out again at once', async () => {
    for (const tier of ['advanced', 'free'] as const) {
      const pool = await poolOf(tier);
      const first = await pool.allocate();
      await pool.release(first);
      expect((await pool.allocate()).Cidr).toBe(first.Cidr);
    }
  });

  // Under npm start (soleServerSince) the owner's release reads nothing (rememberedRelease): the hold takes that path too.
  it.each([
    ['', undefined],
    [' (npm start: the release that reads nothing)', new Date()],
  ])('holds released space on an advanced-tier IPAM until the sweep after the end time gives it back%s', async (_, soleServerSince) => {
    const pool = await poolOf(
      'advanced',
      (h) => {
        h.deps.publicSpace.releaseCooldownSeconds = 60;
      },
      soleServerSince,
    );
    const { harness } = pool;
    const first = await pool.allocate();
    expect(first.Cidr).toBe('10.0.0.0/25');
    await pool.release(first);

    // Released as far as any caller sees: announced once, not listed, not found by id, not releasable again.
    const releasedEvents = () =>
      harness.events
        .published()
        .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
        .map((event) => event.detail as { change: string; ipamPoolAllocationId: string })
        .filter((detail) => detail.change === 'released')
        .map((detail) => detail.ipamPoolAllocationId);
    expect(releasedEvents()).toEqual([first.IpamPoolAllocationId]);
    expect(await pool.listed()).toEqual([]);
    await expectRefusal(
      harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: first.IpamPoolAllocationId }),
      'InvalidIpamPoolAllocationId.NotFound',
    );
    await expectRefusal(pool.release(first), 'InvalidParameterCombination', 'No allocation found');

    // But not handed out again: the allocator takes other space, then has no room.
    expect((await pool.allocate()).Cidr).toBe('10.0.0.128/25');
    await expectRefusal(pool.allocate(), 'InvalidParameterValue', TOO_BIG);
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/26' }),
      'InvalidParameterValue',
      'overlaps an existing allocation',
    );

    // A sweep before the end time keeps the hold; one after gives the space back, once.
    await sweepAfter(harness, 30);
    await expectRefusal(pool.allocate(), 'InvalidParameterValue', TOO_BIG);
    await sweepAfter(harness, 61);
    await sweepAfter(harness, 61);
    expect(await pool.free()).toEqual(['10.0.0.0/25']);
    expect(releasedEvents()).toEqual([first.IpamPoolAllocationId]);
    expect((await pool.allocate()).Cidr).toBe('10.0.0.0/25');
    expect((await pool.listed()).sort()).toEqual(['10.0.0.0/25', '10.0.0.128/25']);
  });

  it('follows the IPAM tier: IPAM_FREE_TIER_RELEASE_COOLDOWN_S holds on a free-tier IPAM only', async () => {
    const setting = (h: UseCaseHarness) => {
      h.deps.publicSpace.freeTierReleaseCooldownSeconds = 3600;
    };
    const advanced = await poolOf('advanced', setting);
    const onAdvanced = await advanced.allocate(24);
    await advanced.release(onAdvanced);
    expect((await advanced.allocate(24)).Cidr).toBe('10.0.0.0/24');

    const free = await poolOf('free', setting);
    const onFree = await free.allocate(29);
    expect(onFree.Cidr).toBe(free.whole);
    await free.release(onFree);
    await expectRefusal(free.allocate(29), 'InvalidParameterValue', TOO_BIG);
    await sweepAfter(free.harness, 3000);
    await expectRefusal(free.allocate(29), 'InvalidParameterValue', TOO_BIG);
    await sweepAfter(free.harness, 3601);
    expect((await free.allocate(29)).Cidr).toBe(free.whole);
  });

  it('holds once among concurrent releases, and the sweep gives the space back once', async () => {
    const pool = await poolOf('advanced', (h) => {
      h.deps.publicSpace.releaseCooldownSeconds = 60;
    });
    const first = await pool.allocate();
    const results = await Promise.allSettled([pool.release(first), pool.release(first), pool.release(first)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await pool.free()).toEqual(['10.0.0.128/25']);
    await sweepAfter(pool.harness, 61, 2);
    expect(await pool.free()).toEqual(['10.0.0.0/24']);
  });

  it("does not count a member's hold against the move to the free tier, and gives it back after", async () => {
    const h = await createUseCaseHarness();
    harnesses.push(h);
    h.deps.publicSpace.releaseCooldownSeconds = 60;
    useOrganizations(h, [sharingOrganization().org]);
    expect((await ram(h, ORG_MANAGEMENT, { path: '/enablesharingwithawsorganization' })).status).toBe(200);
    const admin = { accountId: ADMIN };
    const member = { accountId: MEMBER_A };
    const { Ipam } = await h.call('CreateIpam', {}, admin);
    const { IpamPool } = await h.call(
      'CreateIpamPool',
      { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1', AwsService: 'ec2', PublicIpSource: 'amazon' },
      admin,
    );
    const IpamPoolId = IpamPool.IpamPoolId as string;
    await h.call('ProvisionIpamPoolCidr', { IpamPoolId, NetmaskLength: 29 }, admin);
    await expect.poll(async () => (await h.call('GetIpamPoolCidrs', { IpamPoolId }, admin)).IpamPoolCidrs[0]?.State).toBe('provisioned');
    const shared = await ram(h, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'pool', resourceArns: [IpamPool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);

    const { IpamPoolAllocation } = await h.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength: 29 }, member);
    await expectRefusal(h.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }, admin), 'IncorrectState', MEMBER_A);
    await h.call(
      'ReleaseIpamPoolAllocation',
      { IpamPoolId, IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, Cidr: IpamPoolAllocation.Cidr },
      member,
    );
    // Held (the space is still taken), yet released: no obstacle to the free tier.
    await expectRefusal(h.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength: 29 }, admin), 'InvalidParameterValue', TOO_BIG);
    expect((await h.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }, admin)).Ipam.Tier).toBe('free');
    // Now the free tier's cool-down (0) applies to new releases; the hold still ends at its own time.
    await sweepAfter(h, 61);
    expect((await h.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength: 29 }, admin)).IpamPoolAllocation.Cidr).toBe(
      IpamPoolAllocation.Cidr,
    );
  });
});
