// "No room" is an exact answer (issue 18, item 4): it is given only when no free block could hold
// the request at one instant, however concurrent splits and merges land between the pages of the
// scans that decide it; and free buddies that a crash left apart serve an allocation that needs
// them merged.
import { describe, expect, it } from 'vitest';
import { type Cidr, formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { placeInBlock } from '../../lambdas/domain/free-space.ts';
import type { FreeBlock } from '../../lambdas/domain/model/pool.ts';
import type { Store, Write } from '../../lambdas/ports/store.ts';
import {
  findPlacement,
  findSpecificPlacement,
  giveBackWrite,
  giveBackWrites,
  mergeFreeBlock,
  readMergeBuddies,
  takeWrites,
} from '../../lambdas/use-cases/free-space.ts';
import { createUseCaseHarness, newTestStore, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';

type ScanEvent = { scan: 'freeBlocksForPrefix' | 'freeBlocksLargestFirst'; yielded: number };

/**
 * `store`, whose free-block scans let `between` run another caller's commits before their first
 * page is read and after every block they yield: the commits land between the scan's reads, as
 * they can in DynamoDB, where a query is not a snapshot.
 */
function interleaved(store: Store, between: (event: ScanEvent) => Promise<void>): Store {
  const scan = (name: ScanEvent['scan']) =>
    async function* (spaceId: string, family: 'ipv4' | 'ipv6', prefixLength: number) {
      await between({ scan: name, yielded: 0 });
      let yielded = 0;
      for await (const block of store[name](spaceId, family, prefixLength)) {
        yield block;
        await between({ scan: name, yielded: ++yielded });
      }
    };
  return new Proxy(store, {
    get(target, name) {
      if (name === 'freeBlocksForPrefix' || name === 'freeBlocksLargestFirst') return scan(name);
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const SPACE = 'pool-race';
const WITHIN = '10.0.0.0/20';
const free = (cidr: string): FreeBlock => ({ spaceId: SPACE, cidr, within: WITHIN });

/** Another caller allocating `target` out of the free block `from`. */
async function allocateFrom(store: Store, from: string, target: string): Promise<void> {
  await store.commit(await takeWrites(store, { block: free(from), target: parseCidr(target) }));
}

/** Another caller releasing `cidr`, merged as far as it goes. */
async function release(store: Store, cidr: string): Promise<void> {
  const given = giveBackWrites(SPACE, cidr, WITHIN, await readMergeBuddies(store, SPACE, cidr));
  await store.commit(given.writes);
  if (given.mergeOn) await mergeFreeBlock(store, SPACE, given.merged, WITHIN);
}

async function fitting(store: Store, prefixLength: number, disallowed: Cidr[]): Promise<string[]> {
  return (await store.listFreeBlocks(SPACE, 'ipv4'))
    .filter((block) => placeInBlock(parseCidr(block.cidr), prefixLength, [], disallowed) !== undefined)
    .map((block) => block.cidr);
}

describe('"no room" is exact', () => {
  it('is never answered while a block fits, when splits and merges land between the pages of every scan', async () => {
    // Free: 10.0.0.0/25 and ten /26s the request disallows. A best-fit scan for a /26 reads the
    // ten /26s as its first page, then the /25s. Another caller splits the /25 after that first
    // page (its /26 piece sorts before the page's end, so the scan never sees it) and merges it
    // back before the next scan starts: two scans in a row see the same ten blocks, which the
    // old "two scans agree" rule took for "no room" while a /26 was free.
    const inner = await newTestStore();
    const disallowed = ['10.0.1.0/24', '10.0.2.0/23', '10.0.4.0/22', '10.0.8.0/22'].map(parseCidr);
    await inner.commit([free('10.0.0.0/25'), ...Array.from({ length: 10 }, (_, i) => free(`10.0.${i + 1}.0/26`))].map(createFree));
    let split = false;
    const store = interleaved(inner, async ({ yielded }) => {
      if (yielded === 0 && split) {
        await release(inner, '10.0.0.64/27');
        split = false;
      } else if (yielded === 10 && !split) {
        await allocateFrom(inner, '10.0.0.0/25', '10.0.0.64/27');
        split = true;
      }
    });

    const placement = await findPlacement(store, SPACE, 'ipv4', { prefixLength: 26, disallowed });

    expect(placement && formatCidr(placement.target)).toBe('10.0.0.0/26');
    expect(await fitting(inner, 26, disallowed)).not.toEqual([]);
  });

  it('is not answered when a release merges space behind the largest-first pass: the epoch it changed sends the search round again', async () => {
    // Free: 10.0.0.0/26 and a /28; 10.0.0.64/26 is allocated. A /25 fits nowhere until that /26 is
    // released and merges into 10.0.0.0/25 — just after the pass has read the /26s, so it moves
    // free space to where the pass has already been.
    const inner = await newTestStore();
    await inner.commit([free('10.0.0.0/26'), free('10.0.0.240/28')].map(createFree));
    let released = false;
    const store = interleaved(inner, async ({ scan, yielded }) => {
      if (scan === 'freeBlocksLargestFirst' && yielded === 1 && !released) {
        released = true;
        await release(inner, '10.0.0.64/26');
      }
    });

    const placement = await findPlacement(store, SPACE, 'ipv4', { prefixLength: 25 });

    expect(released).toBe(true);
    expect(placement && formatCidr(placement.target)).toBe('10.0.0.0/25');
  });

  it('for a specific CIDR, a miss of its ancestors read while a split moved the block is confirmed, not trusted', async () => {
    // The batch read of the ancestors reads each at its own instant: one that missed the block
    // because a split moved it from an ancestor not read yet to one already read is what this
    // store answers every time.
    const inner = await newTestStore();
    await inner.commit([createFree(free('10.0.0.0/22'))]);
    const missing = new Proxy(inner, {
      get(target, name) {
        if (name === 'freeBlockContaining') return async () => undefined;
        const value = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    const placement = await findSpecificPlacement(missing, SPACE, parseCidr('10.0.2.0/24'));

    expect(placement?.block.cidr).toBe('10.0.0.0/22');
    expect(await findSpecificPlacement(missing, SPACE, parseCidr('10.0.4.0/24'))).toBeUndefined();
  });

  it('holds for random interleavings of other callers allocating and releasing, wherever their commits land', {
    timeout: 120_000,
  }, async () => {
    // About one run in seven ends in "no room"; run until several have (or give up).
    const maxRuns = process.env.IPAM_TEST_STORE === 'dynamodb' ? 100 : 300;
    let answeredNoRoom = 0;
    for (let run = 0; run < maxRuns && answeredNoRoom < 5; run++) {
      const inner = await newTestStore();
      await inner.commit([createFree(free(WITHIN))]);
      const taken: string[] = [];
      // Fill most of the space so that requests near its largest free block race for it.
      for (const prefixLength of [21, 22, 23, 24, 25, 26]) {
        const placement = await findPlacement(inner, SPACE, 'ipv4', { prefixLength: prefixLength + 1 });
        if (placement) {
          await inner.commit(await takeWrites(inner, placement));
          taken.push(formatCidr(placement.target));
        }
      }
      const random = (n: number) => Math.floor(Math.random() * n);
      // Up to 8 commits of other callers, each at a random point of the search.
      let commits = 8;
      const store = interleaved(inner, async () => {
        if (commits === 0 || Math.random() < 0.7) return;
        commits--;
        if (taken.length > 0 && Math.random() < 0.5) {
          await release(inner, taken.splice(random(taken.length), 1)[0]).catch(() => {});
          return;
        }
        const blocks = await inner.listFreeBlocks(SPACE, 'ipv4');
        if (blocks.length === 0) return;
        const from = blocks[random(blocks.length)];
        const prefixLength = Math.min(32, parseCidr(from.cidr).prefixLength + 1 + random(3));
        const target = placeInBlock(parseCidr(from.cidr), prefixLength, [], []);
        if (!target) return;
        await allocateFrom(inner, from.cidr, formatCidr(target)).then(
          () => taken.push(formatCidr(target)),
          () => {},
        );
      });
      const prefixLength = 20 + random(6);
      const placement = await findPlacement(store, SPACE, 'ipv4', { prefixLength });
      if (!placement) {
        answeredNoRoom++;
        // Linearizable at the end of the search: nothing fitted then, and nothing ran since.
        expect(await fitting(inner, prefixLength, [])).toEqual([]);
      }
    }
    expect(answeredNoRoom).toBe(5);
  });
});

describe('free buddies a crash left apart', () => {
  async function allocate(harness: UseCaseHarness, IpamPoolId: string, request: Record<string, unknown>) {
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId, ...request });
    return IpamPoolAllocation as { IpamPoolAllocationId: string; Cidr: string };
  }

  /** Releases `cidrs` as a crash between a release's commit and its merges leaves them: given back, never merged. */
  async function releaseWithoutMerging(harness: UseCaseHarness, poolId: string, allocations: { IpamPoolAllocationId: string }[]) {
    const writes: Write[] = [];
    for (const { IpamPoolAllocationId } of allocations) {
      const allocation = (await harness.store.getAllocation(poolId, IpamPoolAllocationId))!;
      writes.push(
        { op: 'delete', entity: { type: 'allocation', value: allocation } },
        giveBackWrite(poolId, allocation.Cidr, allocation.within),
      );
    }
    await harness.store.commit(writes);
  }

  const freeCidrs = async (harness: UseCaseHarness, poolId: string) =>
    (await harness.store.listFreeBlocks(poolId, 'ipv4')).map((block) => block.cidr).sort();

  it('are merged for an allocation by netmask that only they together can serve', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const quarters = [];
    for (let i = 0; i < 4; i++) quarters.push(await allocate(harness, pool.IpamPoolId, { NetmaskLength: 26 }));
    await releaseWithoutMerging(harness, pool.IpamPoolId, quarters);
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual(['10.0.0.0/26', '10.0.0.128/26', '10.0.0.192/26', '10.0.0.64/26']);

    expect((await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24 })).Cidr).toBe('10.0.0.0/24');
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual([]);
  });

  it('are merged for an allocation of a specific CIDR they cover together', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const halves = [
      await allocate(harness, pool.IpamPoolId, { NetmaskLength: 25 }),
      await allocate(harness, pool.IpamPoolId, { NetmaskLength: 25 }),
    ];
    await releaseWithoutMerging(harness, pool.IpamPoolId, halves);

    expect((await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/24' })).Cidr).toBe('10.0.0.0/24');
    // Where they do not cover it, the answer stays "taken", exactly.
    const store = harness.store;
    expect(await findSpecificPlacement(store, pool.IpamPoolId, parseCidr('10.0.0.0/25'))).toBeUndefined();
  });
});

function createFree(block: FreeBlock): Write {
  return { op: 'create', entity: { type: 'free-block', value: block } };
}
