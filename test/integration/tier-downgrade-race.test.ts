// The move to the free tier against allocations to other accounts (spec §2.4, DN-10): whatever
// the interleaving, a free-tier IPAM never holds an allocation to an account other than its owner.
// Both sides are conditional writes (use-cases/ipam-tiers.ts tierGuard, ipams.ts modifyIpam); the
// scenarios below stop one side at the worst moment and run the other to its end, on both stores.
import { describe, expect, it } from 'vitest';
import { IpamError } from '../../lambdas/domain/errors.ts';
import type { Ipam } from '../../lambdas/domain/model/ipam.ts';
import type { Write } from '../../lambdas/ports/store.ts';
import { ADMIN, MEMBER_A, MANAGEMENT as ORG_MANAGEMENT, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const admin = { accountId: ADMIN };
const member = { accountId: MEMBER_A };

/** The delegated administrator's advanced-tier IPAM with a public pool (an Amazon-provided /29) shared with MEMBER_A. */
async function sharedPool() {
  const harness = await createUseCaseHarness();
  useOrganizations(harness, [sharingOrganization().org]);
  expect((await ram(harness, ORG_MANAGEMENT, { path: '/enablesharingwithawsorganization' })).status).toBe(200);
  const { Ipam } = await harness.call('CreateIpam', {}, admin);
  const { IpamPool } = await harness.call(
    'CreateIpamPool',
    { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1', AwsService: 'ec2', PublicIpSource: 'amazon' },
    admin,
  );
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 29 }, admin);
  const shared = await ram(harness, ADMIN, {
    path: '/createresourceshare',
    body: { name: 'pool', resourceArns: [IpamPool.IpamPoolArn], principals: [MEMBER_A] },
  });
  expect(shared.status, JSON.stringify(shared.body)).toBe(200);
  return { harness, ipamId: Ipam.IpamId as string, poolId: IpamPool.IpamPoolId as string };
}

/** The invariant: a free-tier IPAM's pool holds no allocation of another account. Answers the tier. */
async function expectInvariant(harness: UseCaseHarness, ipamId: string, poolId: string): Promise<Ipam['Tier']> {
  const ipam = (await harness.store.getIpam(ipamId))!;
  const { items } = await harness.store.listAllocations(poolId, { limit: 1000 });
  const foreign = items.filter((allocation) => allocation.ResourceOwner !== ADMIN);
  if (ipam.Tier === 'free') expect(foreign).toEqual([]);
  return ipam.Tier;
}

/** Runs `hook` once, the next time the store commits writes that `when` picks, before that commit. */
function beforeCommit(harness: UseCaseHarness, when: (writes: Write[]) => boolean, hook: () => Promise<unknown>) {
  const store = harness.store;
  const commit = store.commit.bind(store);
  let armed = true;
  store.commit = async (writes) => {
    if (armed && when(writes)) {
      armed = false;
      await hook();
    }
    return commit(writes);
  };
}

const checksIpam = (writes: Write[]) => writes.some((write) => write.op === 'check' && write.entity.type === 'ipam');

describe('the move to the free tier against allocations to other accounts', () => {
  it('refuses an allocation that read the IPAM before the move and commits after it', async () => {
    const { harness, ipamId, poolId } = await sharedPool();
    let moved: Ipam['Tier'] | undefined;
    beforeCommit(harness, checksIpam, async () => {
      moved = (await harness.call('ModifyIpam', { IpamId: ipamId, Tier: 'free' }, admin)).Ipam.Tier;
    });
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 32 }, member),
      'InvalidParameterValue',
      'requires the Advanced Tier',
    );
    expect(moved).toBe('free');
    expect(await expectInvariant(harness, ipamId, poolId)).toBe('free');
  });

  it('refuses the move when an allocation commits after the move read the allocations', async () => {
    const { harness, ipamId, poolId } = await sharedPool();
    const store = harness.store;
    const listAllocations = store.listAllocations.bind(store);
    let allocated: string | undefined;
    store.listAllocations = async (id, page) => {
      const read = await listAllocations(id, page);
      if (allocated === undefined) {
        allocated = 'pending';
        const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 32 }, member);
        allocated = IpamPoolAllocation.IpamPoolAllocationId;
      }
      return read;
    };
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: ipamId, Tier: 'free' }, admin),
      'IncorrectState',
      'you must delete pool allocations to accounts that are not the IPAM owner',
    );
    expect(allocated).toMatch(/^ipam-pool-alloc-/);
    expect(await expectInvariant(harness, ipamId, poolId)).toBe('advanced');
    // The refused move took its mark off: the next allocation to another account pays only a check.
    expect((await store.getIpam(ipamId))!.freeTierCheck).toBeUndefined();
  });

  it('lets allocations through a mark left by a move that never finished, and takes the mark off', async () => {
    const { harness, ipamId, poolId } = await sharedPool();
    const ipam = (await harness.store.getIpam(ipamId))!;
    await harness.store.commit([{ op: 'update', entity: { type: 'ipam', value: { ...ipam, freeTierCheck: true } } }]);
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 32 }, member);
    expect((await harness.store.getIpam(ipamId))!.freeTierCheck).toBeUndefined();
    await expectRefusal(harness.call('ModifyIpam', { IpamId: ipamId, Tier: 'free' }, admin), 'IncorrectState');
  });

  it('keeps the invariant when moves race allocations and Elastic IPs of another account', async () => {
    const { harness, ipamId, poolId } = await sharedPool();
    for (let round = 0; round < 6; round++) {
      const allocations = [
        harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 32 }, member),
        harness.call('AllocateAddress', { IpamPoolId: poolId, Domain: 'vpc' }, member),
        harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 32 }, member),
      ];
      const move = harness.call('ModifyIpam', { IpamId: ipamId, Tier: 'free' }, admin);
      const settled = await Promise.allSettled([move, ...allocations]);
      for (const result of settled) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(IpamError);
          expect(['IncorrectState', 'InvalidParameterValue', 'RequestLimitExceeded']).toContain((result.reason as IpamError).code);
        }
      }
      const tier = await expectInvariant(harness, ipamId, poolId);
      // Back to the start: the member gives everything back, the IPAM is advanced again.
      const { items } = await harness.store.listAllocations(poolId, { limit: 1000 });
      for (const allocation of items) {
        if (allocation.ResourceType === 'eip') await harness.call('ReleaseAddress', { AllocationId: allocation.ResourceId }, member);
        else {
          const { IpamPoolAllocationId, Cidr } = allocation;
          await harness.call('ReleaseIpamPoolAllocation', { IpamPoolId: poolId, IpamPoolAllocationId, Cidr }, member);
        }
      }
      if (tier === 'free') await harness.call('ModifyIpam', { IpamId: ipamId, Tier: 'advanced' }, admin);
    }
  });
});
