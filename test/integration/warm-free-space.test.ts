// The warm free-space view of a process that alone writes its store (use-cases/warm-free-space.ts):
// sequential allocations by one netmask skip every read, and still get exactly what a process
// without the view gets, whatever happened to the pool in between.
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import { settleFreeSpace } from '../../lambdas/use-cases/warm-free-space.ts';
import { ADMIN, MANAGEMENT, MEMBER_A, MEMBER_C, ownerPool, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { createUseCaseHarness, newTestStore, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal, refusal } from './refusal.ts';

interface Counts {
  reads: number;
  commits: number;
}

/** `store` with its reads and commits counted (deleting delivered outbox entries, in the background, is neither). */
function counting(store: Store, counts: Counts): Store {
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'commit') counts.commits++;
        else if (property !== 'deleteOutboxEntries') counts.reads++;
        return value.apply(target, args);
      };
    },
  });
}

interface Setup {
  harness: UseCaseHarness;
  counts: Counts;
  poolId: string;
}

/** A /16 pool in a harness that alone writes its store (warm) or not (cold). */
async function setUp(warm: boolean): Promise<Setup> {
  const counts = { reads: 0, commits: 0 };
  const harness = await createUseCaseHarness({
    store: counting(await newTestStore(), counts),
    soleServerSince: warm ? new Date() : undefined,
  });
  const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
  return { harness, counts, poolId: pool.IpamPoolId };
}

async function allocate({ harness, poolId }: Setup, NetmaskLength: number) {
  const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength });
  return IpamPoolAllocation as { IpamPoolAllocationId: string; Cidr: string };
}

/** Runs `script` on a warm and a cold harness: both must answer the same. Returns the warm one's answers. */
async function sameWithAndWithout<T>(script: (setup: Setup) => Promise<T>): Promise<{ warm: T; setup: Setup }> {
  const warmSetup = await setUp(true);
  const warm = await script(warmSetup);
  const cold = await script(await setUp(false));
  expect(warm).toEqual(cold);
  return { warm, setup: warmSetup };
}

/**
 * A /16 pool whose store holds the first allocation commit after `hold()` until `release()`, so
 * that the callers after it queue behind a batch in flight; `poolReads` counts the pool's reads.
 */
async function gatedSetUp(warm: boolean) {
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  let armed = false;
  let poolReads = 0;
  let reads = 0;
  const store = await newTestStore();
  const gated = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'getPool') poolReads++;
      if (property !== 'commit' && property !== 'deleteOutboxEntries') reads++;
      if (property !== 'commit') return value.bind(target);
      return async (writes: Parameters<Store['commit']>[0]) => {
        if (armed && !held && writes.some((write) => write.entity.type === 'allocation')) {
          held = new Promise<void>((resolve) => {
            release = resolve;
          });
          await held;
        }
        return target.commit(writes);
      };
    },
  });
  const harness = await createUseCaseHarness({ store: gated, soleServerSince: warm ? new Date() : undefined });
  const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
  const setup: Setup = { harness, counts: { reads: 0, commits: 0 }, poolId: pool.IpamPoolId };
  return {
    setup,
    /** Starts an allocation and waits until its commit is held: the pool is busy from then on. */
    async hold(netmask: number) {
      armed = true;
      poolReads = 0;
      reads = 0;
      const first = allocate(setup, netmask);
      while (!release) await new Promise((resolve) => setTimeout(resolve, 1));
      return { first };
    },
    release: () => release!(),
    poolReads: () => poolReads,
    /** Reads of any kind since hold() or the last call. */
    takeReads: () => {
      const count = reads;
      reads = 0;
      return count;
    },
  };
}

describe('a warm free-space view (npm start)', () => {
  it('sequential /28s from a /16 take one transaction each and no read after the first, and the same CIDRs as without it', async () => {
    const perAllocation: Counts[] = [];
    const { warm } = await sameWithAndWithout(async (setup) => {
      const cidrs = [(await allocate(setup, 28)).Cidr];
      for (let i = 0; i < 40; i++) {
        setup.counts.reads = 0;
        setup.counts.commits = 0;
        cidrs.push((await allocate(setup, 28)).Cidr);
        if (setup.harness.deps.soleServerSince) perAllocation.push({ ...setup.counts });
      }
      return cidrs;
    });
    expect(warm.slice(0, 3)).toEqual(['10.0.0.0/28', '10.0.0.16/28', '10.0.0.32/28']);
    expect(warm.at(-1)).toBe('10.0.2.128/28');
    expect(perAllocation).toEqual(Array.from({ length: 40 }, () => ({ reads: 0, commits: 1 })));
  });

  it('reads again when the pool is not warm for the netmask: without soleServerSince, or after another netmask', async () => {
    const cold = await setUp(false);
    await allocate(cold, 28);
    cold.counts.reads = 0;
    await allocate(cold, 28);
    expect(cold.counts.reads).toBeGreaterThan(0);

    const warm = await setUp(true);
    await allocate(warm, 28);
    await allocate(warm, 24);
    warm.counts.reads = 0;
    await allocate(warm, 28);
    expect(warm.counts.reads).toBeGreaterThan(0);
  });

  it('gives a released block to the next allocation, as best fit', async () => {
    const { warm } = await sameWithAndWithout(async (setup) => {
      const taken = [];
      for (let i = 0; i < 6; i++) taken.push(await allocate(setup, 28));
      await setup.harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: setup.poolId,
        Cidr: taken[2].Cidr,
        IpamPoolAllocationId: taken[2].IpamPoolAllocationId,
      });
      return [(await allocate(setup, 28)).Cidr, (await allocate(setup, 28)).Cidr];
    });
    expect(warm).toEqual(['10.0.0.32/28', '10.0.0.96/28']);
  });

  it("releases the owner's allocations with one commit and no read, merging after the answer, with the same placements as without", async () => {
    const perRelease: Counts[] = [];
    const { warm } = await sameWithAndWithout(async (setup) => {
      const { harness, poolId, counts } = setup;
      const taken = [];
      for (let i = 0; i < 8; i++) taken.push(await allocate(setup, 28));
      // Each second release merges with the first's block: 10.0.0.0/27, then 10.0.0.64/27, whose
      // merge is still to run when the next allocation searches (a /28 there would not be best fit).
      for (const allocation of [taken[1], taken[0], taken[4], taken[5]]) {
        await settleFreeSpace(harness.deps.store);
        counts.reads = 0;
        counts.commits = 0;
        await harness.call('ReleaseIpamPoolAllocation', {
          IpamPoolId: poolId,
          Cidr: allocation.Cidr,
          IpamPoolAllocationId: allocation.IpamPoolAllocationId,
        });
        if (harness.deps.soleServerSince) perRelease.push({ ...counts });
      }
      const placed = [(await allocate(setup, 28)).Cidr, (await allocate(setup, 27)).Cidr];
      await settleFreeSpace(harness.deps.store);
      const free = (await harness.store.listFreeBlocks(poolId, 'ipv4')).map((block) => block.cidr).sort();
      return { placed, free };
    });
    expect(perRelease).toEqual(Array.from({ length: 4 }, () => ({ reads: 0, commits: 1 })));
    expect(warm.placed).toEqual(['10.0.0.0/28', '10.0.0.64/27']);
    expect(warm.free.slice(0, 2)).toEqual(['10.0.0.128/25', '10.0.0.16/28']);
  });

  it('reads before releasing an allocation it does not remember, and answers a wrong CIDR as without it', async () => {
    const { warm } = await sameWithAndWithout(async (setup) => {
      const { harness, poolId } = setup;
      const [first, second] = [await allocate(setup, 28), await allocate(setup, 28)];
      const wrong = await refusal(
        harness.call('ReleaseIpamPoolAllocation', {
          IpamPoolId: poolId,
          Cidr: second.Cidr,
          IpamPoolAllocationId: first.IpamPoolAllocationId,
        }),
      );
      await harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: poolId,
        Cidr: first.Cidr,
        IpamPoolAllocationId: first.IpamPoolAllocationId,
      });
      const again = await refusal(
        harness.call('ReleaseIpamPoolAllocation', {
          IpamPoolId: poolId,
          Cidr: first.Cidr,
          IpamPoolAllocationId: first.IpamPoolAllocationId,
        }),
      );
      return [wrong.code, again.code, (await allocate(setup, 28)).Cidr];
    });
    expect(warm).toEqual(['InvalidParameterCombination', 'InvalidParameterCombination', '10.0.0.0/28']);
  });

  it('obeys a netmask rule set by ModifyIpamPool in between', async () => {
    const { setup } = await sameWithAndWithout(async (setup) => {
      await allocate(setup, 28);
      await allocate(setup, 28);
      await setup.harness.call('ModifyIpamPool', { IpamPoolId: setup.poolId, AllocationMaxNetmaskLength: 27 });
      return (await refusal(allocate(setup, 28))).code;
    });
    await expectRefusal(allocate(setup, 28), 'InvalidParameterValue', 'maximum netmask length is 27');
  });

  it('stays best fit with other netmasks in between', async () => {
    const { warm } = await sameWithAndWithout(async (setup) => {
      const cidrs = [];
      for (const netmask of [28, 28, 28, 24, 28, 28, 26, 28, 28, 27, 28, 28, 28]) cidrs.push((await allocate(setup, netmask)).Cidr);
      return cidrs;
    });
    expect(warm).toEqual([
      '10.0.0.0/28',
      '10.0.0.16/28',
      '10.0.0.32/28',
      '10.0.1.0/24',
      '10.0.0.48/28',
      '10.0.0.64/28',
      '10.0.0.128/26',
      '10.0.0.80/28',
      '10.0.0.96/28',
      '10.0.0.192/27',
      '10.0.0.112/28',
      '10.0.0.224/28',
      '10.0.0.240/28',
    ]);
  });

  it('answers for a deleted pool as without it', async () => {
    const { warm } = await sameWithAndWithout(async (setup) => {
      await allocate(setup, 28);
      await allocate(setup, 28);
      await setup.harness.call('DeleteIpamPool', { IpamPoolId: setup.poolId, Cascade: true });
      return (await refusal(allocate(setup, 28))).code;
    });
    expect(warm).toBe('InvalidIpamPoolId.NotFound');
  });

  it('leaves a principal of a share on the path that reads the pool, and the owner after it on best fit', async () => {
    const counts = { reads: 0, commits: 0 };
    const harness = await createUseCaseHarness({ store: counting(await newTestStore(), counts), soleServerSince: new Date() });
    useOrganizations(harness, [sharingOrganization().org]);
    const { pool } = await ownerPool(harness, ADMIN, '10.0.0.0/16');
    expect((await ram(harness, MANAGEMENT, { path: '/enablesharingwithawsorganization' })).status).toBe(200);
    const shared = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'pools', resourceArns: [pool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    const allocateAs = async (accountId: string) =>
      (await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 }, { accountId })).IpamPoolAllocation;

    expect((await allocateAs(ADMIN)).Cidr).toBe('10.0.0.0/24');
    counts.reads = 0;
    expect((await allocateAs(ADMIN)).Cidr).toBe('10.0.1.0/24');
    expect(counts.reads).toBe(0);
    // Warm or not, someone the pool is not shared with learns nothing.
    await expectRefusal(allocateAs(MEMBER_C), 'InvalidIpamPoolId.NotFound');
    const member = await allocateAs(MEMBER_A);
    expect(member).toMatchObject({ Cidr: '10.0.2.0/24', ResourceOwner: MEMBER_A });
    expect(counts.reads).toBeGreaterThan(0);
    expect((await allocateAs(ADMIN)).Cidr).toBe('10.0.3.0/24');
  });

  it('after concurrent allocations and releases, still answers what a fresh best-fit search finds, and loses no space', async () => {
    const setup = await setUp(true);
    const { harness, poolId } = setup;
    const preview = async () =>
      (await harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 28, PreviewNextCidr: true })).IpamPoolAllocation
        .Cidr;
    const sequentially = async (count: number) => {
      const taken = [];
      for (let i = 0; i < count; i++) {
        const expected = await preview();
        const allocation = await allocate(setup, 28);
        expect(allocation.Cidr).toBe(expected);
        taken.push(allocation);
      }
      return taken;
    };
    const first = await sequentially(8);
    await Promise.all([
      ...Array.from({ length: 24 }, (_, i) => allocate(setup, i % 5 === 0 ? 26 : 28)),
      ...first.slice(2, 6).map((allocation) =>
        harness.call('ReleaseIpamPoolAllocation', {
          IpamPoolId: poolId,
          Cidr: allocation.Cidr,
          IpamPoolAllocationId: allocation.IpamPoolAllocationId,
        }),
      ),
    ]);
    await sequentially(8);

    // The pool is tiled exactly by its allocations and free blocks.
    const allocations = await harness.store.listAllocations(poolId, { limit: 1000 });
    const pieces = [...allocations.items.map((a) => a.Cidr), ...(await harness.store.listFreeBlocks(poolId, 'ipv4')).map((b) => b.cidr)]
      .map(parseCidr)
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    let next = parseCidr('10.0.0.0/16').start;
    for (const piece of pieces) {
      expect(piece.start).toBe(next);
      next = piece.start + (1n << BigInt(32 - piece.prefixLength));
    }
    expect(next).toBe(parseCidr('10.1.0.0/16').start);
  });

  it('lets callers queued behind a batch in flight check the rules on the pool as last read, not read it again', async () => {
    const burst = async (warm: boolean) => {
      const gated = await gatedSetUp(warm);
      const { first } = await gated.hold(28);
      const queued = Array.from({ length: 24 }, () => allocate(gated.setup, 28));
      await new Promise((resolve) => setTimeout(resolve, 20));
      gated.release();
      // One netmask: whatever order the store's latency queues them in, the same 25 /28s.
      const cidrs = [(await first).Cidr, ...(await Promise.all(queued)).map((allocation) => allocation.Cidr)].sort();
      return { cidrs, poolReads: gated.poolReads() };
    };
    const warm = await burst(true);
    const cold = await burst(false);
    expect(warm.cidrs).toEqual(cold.cidrs);
    // Without the view every caller reads the pool; with it, only the first, which found it idle.
    expect(cold.poolReads).toBeGreaterThanOrEqual(25);
    expect(warm.poolReads).toBe(1);
  });

  it('refuses queued callers checked on a pool that changed while they waited, as a fresh read would', async () => {
    const gated = await gatedSetUp(true);
    const { first } = await gated.hold(28);
    // Queued behind the first, on the pool as it read it.
    const queued = Array.from({ length: 6 }, () => refusal(allocate(gated.setup, 28)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await gated.setup.harness.call('ModifyIpamPool', { IpamPoolId: gated.setup.poolId, AllocationMaxNetmaskLength: 27 });
    gated.release();
    expect((await first).Cidr).toBe('10.0.0.0/28');
    for (const answer of await Promise.all(queued)) expect(answer.message).toMatch(/maximum netmask length is 27/);
  });

  it.each([
    [12, 'a batch'],
    [1, 'a lone caller'],
  ])(
    'places %i caller(s) queued on a warm pool (%s) from the view, without a read, and leaves the pool warm for the next caller',
    async (count) => {
      const burst = async (warm: boolean) => {
        const gated = await gatedSetUp(warm);
        const cidrs = [(await allocate(gated.setup, 28)).Cidr];
        const { first } = await gated.hold(28);
        const queued = Array.from({ length: count }, () => allocate(gated.setup, 28));
        await new Promise((resolve) => setTimeout(resolve, 20));
        gated.release();
        cidrs.push((await first).Cidr, ...(await Promise.all(queued)).map((allocation) => allocation.Cidr));
        const burstReads = gated.takeReads();
        cidrs.push((await allocate(gated.setup, 28)).Cidr);
        return { cidrs: cidrs.sort(), burstReads, nextReads: gated.takeReads() };
      };
      const warm = await burst(true);
      const cold = await burst(false);
      expect(warm.cidrs).toEqual(cold.cidrs);
      expect(cold.burstReads).toBeGreaterThan(0);
      expect(warm).toMatchObject({ burstReads: 0, nextReads: 0 });
    },
  );
});
