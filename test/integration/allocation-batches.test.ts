// Group commit (use-cases/allocation-batches.ts): concurrent allocations by netmask of one pool in
// one process commit together, placed as if they had run one by one, without losing races.
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, cidrFromStart } from '../../lambdas/domain/cidr.ts';
import { IpamError } from '../../lambdas/domain/errors.ts';
import { type Store, StoreConflict, StoreUnavailable, type Write } from '../../lambdas/ports/store.ts';
import { type AcknowledgedAllocation, checkInvariants } from '../../scripts/soak/invariants.ts';
import { createUseCaseHarness, newTestStore, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';

const ACCOUNT = '123456789012';

interface Counts {
  /** Commits that created allocations, and how many each created. */
  allocationCommits: number[];
  conflicts: number;
}

/** `store` with its allocation commits and lost races counted; `before` runs ahead of each commit. */
function counting(store: Store, counts: Counts, before?: (writes: Write[]) => Promise<void>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'commit') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (writes: Write[]) => {
        await before?.(writes);
        try {
          await target.commit(writes);
        } catch (error) {
          if (error instanceof StoreConflict) counts.conflicts++;
          throw error;
        }
        const allocations = writes.filter((write) => write.op === 'create' && write.entity.type === 'allocation').length;
        if (allocations > 0) counts.allocationCommits.push(allocations);
      };
    },
  });
}

async function countedHarness(before?: (writes: Write[]) => Promise<void>) {
  const counts: Counts = { allocationCommits: [], conflicts: 0 };
  const inner = await newTestStore();
  const harness = await createUseCaseHarness({ store: counting(inner, counts, before) });
  return { harness, counts, inner };
}

const allocate = (harness: UseCaseHarness, poolId: string, input: Record<string, unknown> = {}) =>
  harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 28, ...input }) as Promise<{
    IpamPoolAllocation: { IpamPoolAllocationId: string; Cidr: string };
  }>;

/** The /28s at the start of 10.0.0.0/…, in address order. */
const first28s = (count: number) =>
  Array.from({ length: count }, (_, i) => formatCidr(cidrFromStart('ipv4', parseCidr('10.0.0.0/28').start + BigInt(i * 16), 28)));

async function violations(harness: UseCaseHarness, poolId: string, granted: readonly { IpamPoolAllocationId: string; Cidr: string }[]) {
  const acknowledged: AcknowledgedAllocation[] = granted.map((g) => ({ poolId, cidr: g.Cidr, allocationId: g.IpamPoolAllocationId }));
  return (await checkInvariants({ store: harness.store, accounts: [ACCOUNT], acknowledged })).violations;
}

describe('group commit of concurrent allocations of one pool', () => {
  it('commits 64 concurrent callers in a few transactions, without a lost race, exactly where one-by-one would put them', async () => {
    const { harness, counts } = await countedHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    const eventsBefore = harness.events.published().length;
    const commitsBefore = counts.allocationCommits.length;

    const granted = (await Promise.all(Array.from({ length: 64 }, () => allocate(harness, pool.IpamPoolId)))).map(
      (answer) => answer.IpamPoolAllocation,
    );

    // One by one, 64 /28s fill the pool's first 1,024 addresses; a batch is placed the same way.
    expect(granted.map((g) => g.Cidr).sort((a, b) => (parseCidr(a).start < parseCidr(b).start ? -1 : 1))).toEqual(first28s(64));
    expect(await violations(harness, pool.IpamPoolId, granted)).toEqual([]);
    expect(counts.conflicts).toBe(0);
    const commits = counts.allocationCommits.slice(commitsBefore);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(64);
    expect(commits.length).toBeLessThan(64);
    expect(Math.max(...commits)).toBeGreaterThan(1);
    // Each allocation is still announced on its own.
    const announced = harness.events
      .published()
      .slice(eventsBefore)
      .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
      .map((event) => (event.detail as { ipamPoolAllocationId: string }).ipamPoolAllocationId);
    expect(announced.sort()).toEqual(granted.map((g) => g.IpamPoolAllocationId).sort());
  });

  it('answers a lone caller after a burst with the best fit again, as PreviewNextCidr says', async () => {
    const { harness } = await countedHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    const granted = (await Promise.all(Array.from({ length: 40 }, () => allocate(harness, pool.IpamPoolId)))).map(
      (answer) => answer.IpamPoolAllocation,
    );
    // 10.0.0.80/28's buddy (…64/28) stays allocated, so it comes back as a lone /28: the best fit.
    const freed = granted.find((g) => g.Cidr === '10.0.0.80/28')!;
    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: pool.IpamPoolId,
      IpamPoolAllocationId: freed.IpamPoolAllocationId,
      Cidr: freed.Cidr,
    });

    const preview = await allocate(harness, pool.IpamPoolId, { PreviewNextCidr: true });
    expect(preview.IpamPoolAllocation.Cidr).toBe('10.0.0.80/28');
    for (let i = 0; i < 5; i++) {
      const { IpamPoolAllocation } = await allocate(harness, pool.IpamPoolId);
      expect(IpamPoolAllocation.Cidr).toBe(i === 0 ? '10.0.0.80/28' : first28s(64)[39 + i]);
    }
  });

  it('gives a ClientToken retry inside a batch the first answer, and allocates once', async () => {
    const { harness, counts } = await countedHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    // 12 retries 0 (committed before its batch plans), 9 retries 5 (queued behind it).
    const tokens = Array.from({ length: 24 }, (_, i) => (i === 0 || i === 12 ? 'same-a' : i === 5 || i === 9 ? 'same-b' : `token-${i}`));
    const answers = await Promise.all(tokens.map((ClientToken) => allocate(harness, pool.IpamPoolId, { ClientToken })));
    expect(answers[12]).toEqual(answers[0]);
    expect(answers[9]).toEqual(answers[5]);
    const distinct = [...new Map(answers.map((a) => [a.IpamPoolAllocation.IpamPoolAllocationId, a.IpamPoolAllocation])).values()];
    expect(distinct).toHaveLength(22);
    expect(await violations(harness, pool.IpamPoolId, distinct)).toEqual([]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    expect(IpamPoolAllocations).toHaveLength(22);
    expect(Math.max(...counts.allocationCommits)).toBeGreaterThan(1);
  });

  it("keeps a lone caller's requests: the pool read and one best-fit query at once, then one transaction", async () => {
    const calls: string[] = [];
    const inner = await newTestStore();
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(property));
          return value.apply(target, args);
        };
      },
    });
    const harness = await createUseCaseHarness({ store });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    await allocate(harness, pool.IpamPoolId); // the process learns the pool's family
    calls.length = 0;
    await allocate(harness, pool.IpamPoolId);
    const first = (name: string) => calls.indexOf(name);
    expect(calls.filter((name) => name === 'freeBlocksForPrefix')).toHaveLength(1);
    expect(calls.filter((name) => name === 'commit')).toHaveLength(1);
    // The search went out before the pool was read, so both take one round trip.
    expect(first('freeBlocksForPrefix')).toBeLessThan(first('getPool'));
  });

  it("fails a request breaking the pool's netmask rules alone, while its batch-mates succeed", async () => {
    const { harness, counts } = await countedHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      AllocationMaxNetmaskLength: 28,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/20' });
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => allocate(harness, IpamPool.IpamPoolId, { NetmaskLength: i === 7 ? 29 : 28 })),
    );
    const refused = results.flatMap((result, i) => (result.status === 'rejected' ? [{ i, error: result.reason }] : []));
    expect(refused.map(({ i }) => i)).toEqual([7]);
    expect(refused[0].error).toBeInstanceOf(IpamError);
    expect((refused[0].error as IpamError).code).toBe('InvalidParameterValue');
    const granted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.IpamPoolAllocation] : []));
    expect(granted.map((g) => g.Cidr).sort((a, b) => (parseCidr(a).start < parseCidr(b).start ? -1 : 1))).toEqual(first28s(15));
    expect(Math.max(...counts.allocationCommits)).toBeGreaterThan(1);
  });

  it('tells the last requests of a batch that the pool is full, exactly', async () => {
    const { harness, counts } = await countedHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => allocate(harness, pool.IpamPoolId)));
    const granted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.IpamPoolAllocation] : []));
    const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(granted).toHaveLength(16);
    expect(refusals).toHaveLength(8);
    for (const refusal of refusals) expect((refusal as IpamError).message).toBe('The allocation size is too big for the pool.');
    expect(await violations(harness, pool.IpamPoolId, granted)).toEqual([]);
    expect(counts.conflicts).toBe(0);
    expect(Math.max(...counts.allocationCommits)).toBeGreaterThan(1);
  });

  it('after a commit lost to an outage, retries alone only the requests a ClientToken guards', async () => {
    let failed = false;
    const { harness } = await countedHarness(async (writes) => {
      const allocations = writes.filter((write) => write.op === 'create' && write.entity.type === 'allocation').length;
      if (allocations > 1 && !failed) {
        failed = true;
        // The answer is lost: whether it landed is unknown, so unguarded requests must not run twice.
        throw new StoreUnavailable('injected: no answer from the store');
      }
    });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => allocate(harness, pool.IpamPoolId, i % 2 === 0 ? { ClientToken: `token-${i}` } : {})),
    );
    expect(failed).toBe(true);
    const refused = results.flatMap((result, i) => (result.status === 'rejected' ? [i] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((i) => i % 2 === 1)).toBe(true);
    const granted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.IpamPoolAllocation] : []));
    expect(await violations(harness, pool.IpamPoolId, granted)).toEqual([]);
  });

  it('falls back to one-by-one when another process takes a block the batch planned on', async () => {
    let other: UseCaseHarness | undefined;
    let poolId = '';
    let raced = false;
    const { harness, counts, inner } = await countedHarness(async (writes) => {
      const allocations = writes.filter((write) => write.op === 'create' && write.entity.type === 'allocation').length;
      if (allocations > 1 && !raced && other) {
        raced = true;
        // Another process (its own batches, same table) takes the best fit the batch is about to take.
        await allocate(other, poolId);
      }
    });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    poolId = pool.IpamPoolId;
    other = await createUseCaseHarness({ store: inner });
    const granted = (await Promise.all(Array.from({ length: 32 }, () => allocate(harness, pool.IpamPoolId)))).map(
      (answer) => answer.IpamPoolAllocation,
    );
    expect(raced).toBe(true);
    expect(counts.conflicts).toBeGreaterThanOrEqual(1);
    expect(new Set(granted.map((g) => g.Cidr)).size).toBe(32);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    const all = IpamPoolAllocations as { IpamPoolAllocationId: string; Cidr: string }[];
    expect(all).toHaveLength(33);
    expect(await violations(harness, pool.IpamPoolId, all)).toEqual([]);
  });
});
