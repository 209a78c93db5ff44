// The soak's invariant checker (scripts/soak/invariants.ts) on a pool tree built by the real use
// cases: it passes a healthy tree, and finds each fault planted in the store behind the use
// cases' back — a gap, an overlap, a lost acknowledged allocation, a child pool CIDR without its
// allocation, a pool left in progress. A checker that cannot fail would prove nothing.
import { describe, expect, it } from 'vitest';
import type { IpamPoolAllocation } from '../../lambdas/domain/model/pool.ts';
import { type AcknowledgedAllocation, checkInvariants } from '../../scripts/soak/invariants.ts';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';

const ACCOUNT = '123456789012';

/** A top pool (10.0.0.0/16) with a child pool (a /20 of it) and two custom allocations acknowledged. */
async function healthyTree(harness: UseCaseHarness) {
  const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
  const { IpamPool: child } = await harness.call('CreateIpamPool', {
    IpamScopeId: ipam.PrivateDefaultScopeId,
    SourceIpamPoolId: pool.IpamPoolId,
    AddressFamily: 'ipv4',
  });
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 20 });
  const acknowledged: AcknowledgedAllocation[] = [];
  for (const [poolId, netmask] of [
    [pool.IpamPoolId, 24],
    [child.IpamPoolId, 26],
  ] as const) {
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: netmask });
    acknowledged.push({ poolId, cidr: IpamPoolAllocation.Cidr, allocationId: IpamPoolAllocation.IpamPoolAllocationId });
  }
  return { top: pool.IpamPoolId as string, child: child.IpamPoolId as string, acknowledged };
}

const kinds = async (harness: UseCaseHarness, acknowledged: AcknowledgedAllocation[]) =>
  (await checkInvariants({ store: harness.store, accounts: [ACCOUNT], acknowledged })).violations.map((v) => `${v.kind} ${v.detail}`);

describe('the soak invariant checker', () => {
  it('finds nothing wrong with a tree the use cases built', async () => {
    const harness = await createUseCaseHarness();
    const { acknowledged } = await healthyTree(harness);
    const report = await checkInvariants({ store: harness.store, accounts: [ACCOUNT], acknowledged });
    expect(report.violations).toEqual([]);
    // Two scopes and two pools checked; the top pool holds its allocation and the child's CIDR.
    expect(report.spaces).toBe(4);
    // The top pool's CIDR in the scope, the child's CIDR and a /24 in the top pool, a /26 in the child.
    expect(report.allocations).toBe(4);
  });

  it('finds a gap: a free block gone', async () => {
    const harness = await createUseCaseHarness();
    const { child, acknowledged } = await healthyTree(harness);
    const [block] = await harness.store.listFreeBlocks(child, 'ipv4');
    await harness.store.commit([{ op: 'delete', entity: { type: 'free-block', value: block! } }]);
    const found = await kinds(harness, acknowledged);
    expect(found).toEqual([expect.stringMatching(new RegExp(`^gap ${block!.cidr.split('/')[0]!.replaceAll('.', '\\.')}–`))]);
  });

  it('finds an overlap: an allocation over free space', async () => {
    const harness = await createUseCaseHarness();
    const { top, acknowledged } = await healthyTree(harness);
    const [block] = await harness.store.listFreeBlocks(top, 'ipv4');
    const stray: IpamPoolAllocation = {
      IpamPoolAllocationId: 'ipam-pool-alloc-0stray',
      Cidr: block!.cidr,
      ResourceType: 'custom',
      ResourceOwner: ACCOUNT,
      Tags: [],
      ipamPoolId: top,
      within: block!.within,
      createdAt: new Date().toISOString(),
    };
    await harness.store.commit([{ op: 'create', entity: { type: 'allocation', value: stray } }]);
    expect(await kinds(harness, acknowledged)).toEqual([expect.stringMatching(/^overlap .*ipam-pool-alloc-0stray/)]);
  });

  it('finds a lost allocation: acknowledged, then gone without a release (and the gap it leaves)', async () => {
    const harness = await createUseCaseHarness();
    const { child, acknowledged } = await healthyTree(harness);
    const lost = acknowledged.find((ack) => ack.poolId === child)!;
    const allocation = await harness.store.getAllocation(child, lost.allocationId!);
    await harness.store.commit([{ op: 'delete', entity: { type: 'allocation', value: allocation! } }]);
    const found = await kinds(harness, acknowledged);
    expect(found).toHaveLength(2);
    expect(found).toContainEqual(`gap ${lost.cidr.replace('/26', '')}–${lastOf26(lost.cidr)} is neither free nor allocated`);
    expect(found).toContainEqual(`lost-allocation acknowledged ${lost.cidr} (${lost.allocationId}) is not among the pool's allocations`);
  });

  it("finds a child pool's CIDR without its allocation in the parent, and a pool left in progress", async () => {
    const harness = await createUseCaseHarness();
    const { top, child, acknowledged } = await healthyTree(harness);
    const allocations = (await harness.store.listAllocations(top, { limit: 100 })).items;
    const childCidr = allocations.find((a) => a.ResourceId === child)!;
    // The child's CIDR handed back to the parent's free space, as a lost allocation record would leave it.
    await harness.store.commit([
      { op: 'delete', entity: { type: 'allocation', value: childCidr } },
      { op: 'create', entity: { type: 'free-block', value: { spaceId: top, cidr: childCidr.Cidr, within: childCidr.within } } },
    ]);
    const pool = (await harness.store.getPool(child))!;
    await harness.store.commit([{ op: 'update', entity: { type: 'pool', value: { ...pool, State: 'modify-in-progress' } } }]);
    const found = await kinds(harness, acknowledged);
    expect(found).toContainEqual(expect.stringMatching(/^child-pool-mismatch .* has no allocation/));
    expect(found).toContainEqual(`unsettled pool is modify-in-progress`);
  });
});

function lastOf26(cidr: string): string {
  const [a, b, c, d] = cidr.split('/')[0]!.split('.').map(Number);
  return `${a}.${b}.${c}.${d! + 63}`;
}
