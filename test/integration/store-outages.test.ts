// A change that has committed is done: a store failure in what follows it (merging the space a
// release gave back, remembering a ClientToken's answer) must not make the caller see a failure,
// whose retry would find the change made and answer NotFound, or make it a second time.
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import { type Store, StoreConflict, StoreUnavailable, type Write } from '../../lambdas/ports/store.ts';
import { createUseCaseHarness, newTestStore, poolWithCidr } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

/** `store`, whose first commit matching `target` once `after` matched a committed one (or at once) fails with `failure`. */
function failingOnce(
  store: Store,
  { after = () => true, target = () => true }: { after?: (writes: Write[]) => boolean; target?: (writes: Write[]) => boolean },
  failure: () => Error,
) {
  const state = { armed: false, failed: 0 };
  const commit = async (writes: Write[]) => {
    if (state.armed && state.failed === 0 && target(writes)) {
      state.failed++;
      throw failure();
    }
    await store.commit(writes);
    if (after(writes)) state.armed = true;
  };
  return { store: new Proxy(store, { get: (target, name) => (name === 'commit' ? commit : Reflect.get(target, name, target)) }), state };
}

describe('after a failed request', () => {
  it('its ClientToken claim is given up through a concurrent transaction on the token, so a retry runs at once', async () => {
    const givesUp = (writes: Write[]) => writes.some((write) => write.entity.type === 'client-token' && write.op === 'delete');
    const { store, state } = failingOnce(
      await newTestStore(),
      { target: givesUp },
      () => new StoreConflict('Transaction cancelled: TransactionConflict'),
    );
    const harness = await createUseCaseHarness({ store });
    const input = { IpamScopeId: 'ipam-scope-0123456789abcdef0', AddressFamily: 'ipv4', ClientToken: 'token-failed' };

    await expectRefusal(harness.call('CreateIpamPool', input), 'InvalidIpamScopeId.NotFound');
    expect(state.failed).toBe(1);
    // A claim left behind would keep the retry waiting a minute for it to be abandoned.
    await expectRefusal(harness.call('CreateIpamPool', input), 'InvalidIpamScopeId.NotFound');
  }, 10_000);
});

describe('after a committed change', () => {
  it('a release whose merge meets an unavailable store answers success, and the space is free (if split)', async () => {
    const releases = (writes: Write[]) => writes.some((write) => write.op === 'delete' && write.entity.type === 'allocation');
    const { store, state } = failingOnce(await newTestStore(), { after: releases }, () => new StoreUnavailable());
    const harness = await createUseCaseHarness({ store });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/8');
    // A /28 from a /8: giving it back merges further than the release reads ahead, so merges follow its commit.
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 28 });

    const { Success } = await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: pool.IpamPoolId,
      IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
      Cidr: IpamPoolAllocation.Cidr,
    });
    expect(Success).toBe(true);
    expect(state.failed).toBe(1);
    const free = (await store.listFreeBlocks(pool.IpamPoolId, 'ipv4')).map((block) => parseCidr(block.cidr));
    expect(free.reduce((total, cidr) => total + 2n ** BigInt(32 - cidr.prefixLength), 0n)).toBe(2n ** 24n);
  });

  it('a deprovision whose merge into the scope meets an unavailable store leaves its space split, and DeleteIpam still takes the scope', async () => {
    const deprovisioned = (writes: Write[]) =>
      writes.some((write) => write.entity.type === 'pool-cidr' && write.op === 'update' && write.entity.value.State === 'deprovisioned');
    const { store, state } = failingOnce(await newTestStore(), { after: deprovisioned }, () => new StoreUnavailable());
    const harness = await createUseCaseHarness({ store });
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/8');

    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/8' });
    expect(state.failed).toBe(1);
    expect((await store.listFreeBlocks(ipam.PrivateDefaultScopeId, 'ipv4')).length).toBeGreaterThan(1);

    await harness.call('DeleteIpam', { IpamId: ipam.IpamId, Cascade: true });
    expect(await store.getIpam(ipam.IpamId)).toBeUndefined();
    expect(await store.listFreeBlocks(ipam.PrivateDefaultScopeId, 'ipv4')).toEqual([]);
  });

  it('an answer that cannot be remembered at once (a concurrent transaction on the token) is remembered, and a retry gets it', async () => {
    const answers = (writes: Write[]) =>
      writes.some((write) => write.entity.type === 'client-token' && write.op === 'update' && write.entity.value.response !== undefined);
    const { store, state } = failingOnce(
      await newTestStore(),
      { target: answers },
      () => new StoreConflict('Transaction cancelled: TransactionConflict'),
    );
    const harness = await createUseCaseHarness({ store });

    const first = await harness.call('CreateIpam', { ClientToken: 'token-outage' });
    expect(state.failed).toBe(1);
    const again = await harness.call('CreateIpam', { ClientToken: 'token-outage' });
    expect(again.Ipam.IpamId).toBe(first.Ipam.IpamId);
    expect((await harness.call('DescribeIpams', {})).Ipams).toHaveLength(1);
  });
});
