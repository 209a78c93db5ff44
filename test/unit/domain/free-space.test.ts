import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrFromStart,
  cidrSize,
  compareCidrs,
  containsCidr,
  cidrsOverlap,
  formatCidr,
  lastAddress,
  parseCidr,
  sameCidr,
  type Cidr,
} from '../../../lambdas/domain/cidr.ts';
import {
  bestFitKey,
  bestFitKeyFloor,
  carve,
  carvedBlockCount,
  mergeBuddies,
  nextMergeStep,
  partialCarve,
  placeInBlock,
  planMerge,
  spacesGrown,
  unmergedBuddies,
} from '../../../lambdas/domain/free-space.ts';
import { anyCidr, anyFamily, blockAndTarget, cidrInside } from './arbitraries.ts';
import { bestFitOrder } from './in-memory-allocator.ts';

const cidrs = (...texts: string[]) => texts.map(parseCidr);
const texts = (list: readonly Cidr[]) => list.map(formatCidr);

describe('carving a target out of a free block', () => {
  it('leaves one buddy per level, largest first', () => {
    expect(texts(carve(parseCidr('10.0.0.0/16'), parseCidr('10.0.1.0/24')))).toEqual([
      '10.0.128.0/17',
      '10.0.64.0/18',
      '10.0.32.0/19',
      '10.0.16.0/20',
      '10.0.8.0/21',
      '10.0.4.0/22',
      '10.0.2.0/23',
      '10.0.0.0/24',
    ]);
    expect(carve(parseCidr('10.0.0.0/24'), parseCidr('10.0.0.0/24'))).toEqual([]);
  });

  it('the carved blocks and the target tile the block exactly', () => {
    fc.assert(
      fc.property(blockAndTarget, ({ block, target }) => {
        const freed = carve(block, target);
        expect(freed).toHaveLength(carvedBlockCount(block, target));
        expect(freed.map((c) => c.prefixLength)).toEqual(freed.map((_, i) => block.prefixLength + i + 1));
        const pieces = [...freed, target];
        for (const piece of pieces) expect(containsCidr(block, piece)).toBe(true);
        for (const [i, a] of pieces.entries()) {
          for (const b of pieces.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
        }
        expect(pieces.reduce((sum, c) => sum + cidrSize(c), 0n)).toBe(cidrSize(block));
      }),
    );
  });

  it('merging the target with its free buddies, level by level, gives the block back', () => {
    fc.assert(
      fc.property(blockAndTarget, ({ block, target }) => {
        const free = carve(block, target);
        let merged = target;
        for (let step = nextMergeStep(merged, block); step !== undefined; step = nextMergeStep(merged, block)) {
          const buddyIndex = free.findIndex((c) => sameCidr(c, step!.buddy));
          expect(buddyIndex).toBeGreaterThanOrEqual(0);
          free.splice(buddyIndex, 1);
          merged = step.parent;
        }
        expect(merged).toEqual(block);
        expect(free).toEqual([]);
      }),
    );
  });

  it('in stages of at most maxBlocks frees the same blocks as one carve', () => {
    fc.assert(
      fc.property(blockAndTarget, fc.integer({ min: 1, max: 40 }), ({ block, target }, maxBlocks) => {
        const freed: Cidr[] = [];
        let remainder = block;
        let stages = 0;
        while (!sameCidr(remainder, target)) {
          const stage = partialCarve(remainder, target, maxBlocks);
          expect(stage.freed.length).toBeLessThanOrEqual(maxBlocks);
          expect(containsCidr(stage.remainder, target)).toBe(true);
          freed.push(...stage.freed);
          remainder = stage.remainder;
          stages++;
        }
        expect(freed).toEqual(carve(block, target));
        expect(stages).toBe(Math.ceil(carvedBlockCount(block, target) / maxBlocks));
      }),
    );
  });

  it('a partial carve stops at the remainder that still holds the target', () => {
    const stage = partialCarve(parseCidr('2001:db8::/32'), parseCidr('2001:db8:0:1::/64'), 2);
    expect(texts(stage.freed)).toEqual(['2001:db8:8000::/33', '2001:db8:4000::/34']);
    expect(formatCidr(stage.remainder)).toBe('2001:db8::/34');
  });

  it('refuses a target outside the block', () => {
    expect(() => carve(parseCidr('10.0.0.0/24'), parseCidr('10.0.1.0/28'))).toThrow(RangeError);
    expect(() => carve(parseCidr('10.0.0.0/24'), parseCidr('10.0.0.0/23'))).toThrow(RangeError);
  });
});

describe('merging on release stops at the provisioned CIDR', () => {
  it('proposes the buddy and the parent while inside', () => {
    const step = nextMergeStep(parseCidr('10.0.1.0/24'), parseCidr('10.0.0.0/16'));
    expect(step && texts([step.buddy, step.parent])).toEqual(['10.0.0.0/24', '10.0.0.0/23']);
  });

  it('never merges a provisioned CIDR with an adjacent buddy provisioned separately', () => {
    expect(nextMergeStep(parseCidr('10.0.0.0/9'), parseCidr('10.0.0.0/9'))).toBeUndefined();
    expect(nextMergeStep(parseCidr('::/0'), parseCidr('::/0'))).toBeUndefined();
  });

  it('refuses a block outside the provisioned CIDR', () => {
    expect(() => nextMergeStep(parseCidr('10.128.0.0/10'), parseCidr('10.0.0.0/9'))).toThrow(RangeError);
  });
});

describe('planning the merges of a release from the buddies read ahead', () => {
  const known = (free: string[], read: string[]) => (buddy: Cidr) =>
    read.includes(formatCidr(buddy)) ? free.includes(formatCidr(buddy)) : undefined;

  it('reads the buddies of the next levels, and none above /0', () => {
    expect(texts(mergeBuddies(parseCidr('10.0.0.16/28'), 3))).toEqual(['10.0.0.0/28', '10.0.0.32/27', '10.0.0.64/26']);
    expect(texts(mergeBuddies(parseCidr('128.0.0.0/1'), 4))).toEqual(['0.0.0.0/1']);
  });

  it('absorbs free buddies up to the first one that is not free, and is conditional on that one', () => {
    const read = texts(mergeBuddies(parseCidr('10.0.0.16/28'), 4));
    const plan = planMerge(parseCidr('10.0.0.16/28'), parseCidr('10.0.0.0/16'), known(['10.0.0.0/28', '10.0.0.32/27'], read));
    expect(texts(plan.absorbed)).toEqual(['10.0.0.0/28', '10.0.0.32/27']);
    expect(formatCidr(plan.merged)).toBe('10.0.0.0/26');
    expect(plan.blockedBy && formatCidr(plan.blockedBy)).toBe('10.0.0.64/26');
    expect(plan.unread).toBe(false);
  });

  it('stops at the provisioned CIDR without a condition, and says when buddies above were not read', () => {
    const read = texts(mergeBuddies(parseCidr('10.0.0.16/28'), 2));
    const atBoundary = planMerge(parseCidr('10.0.0.16/28'), parseCidr('10.0.0.0/27'), known(['10.0.0.0/28'], read));
    expect([atBoundary.blockedBy, atBoundary.unread]).toEqual([undefined, false]);
    expect(formatCidr(atBoundary.merged)).toBe('10.0.0.0/27');
    const beyondRead = planMerge(parseCidr('10.0.0.16/28'), parseCidr('10.0.0.0/16'), known(read, read));
    expect(formatCidr(beyondRead.merged)).toBe('10.0.0.0/26');
    expect([beyondRead.blockedBy, beyondRead.unread]).toEqual([undefined, true]);
  });

  it('leaves the block as it is when its buddy is taken', () => {
    const plan = planMerge(parseCidr('2001:db8::/64'), parseCidr('2001:db8::/48'), () => false);
    expect(plan.absorbed).toEqual([]);
    expect(formatCidr(plan.merged)).toBe('2001:db8::/64');
    expect(plan.blockedBy && formatCidr(plan.blockedBy)).toBe('2001:db8:0:1::/64');
  });
});

describe('which commits grow a free space (and so change its epoch)', () => {
  const free = (cidr: string, spaceId = 'pool-a') => ({ spaceId, cidr, within: '10.0.0.0/8' });

  it('a split or a take does not: every block it creates lies inside one it deletes', () => {
    const block = parseCidr('10.0.0.0/16');
    const pieces = carve(block, parseCidr('10.0.3.0/24')).map((cidr) => free(formatCidr(cidr)));
    expect(spacesGrown([free('10.0.0.0/16')], pieces)).toEqual([]);
    expect(spacesGrown([free('10.0.0.0/16')], [])).toEqual([]);
  });

  it('a release, a merge or new space does, once per space and family', () => {
    expect(spacesGrown([], [free('10.0.0.0/24'), free('10.0.1.0/24')])).toEqual([{ spaceId: 'pool-a', family: 'ipv4' }]);
    expect(spacesGrown([free('10.0.0.0/25'), free('10.0.0.128/25')], [free('10.0.0.0/24')])).toEqual([
      { spaceId: 'pool-a', family: 'ipv4' },
    ]);
    // A piece of a block deleted in another space grows its own space.
    expect(spacesGrown([free('10.0.0.0/16', 'pool-b')], [free('10.0.0.0/17'), free('fd00::/8')])).toEqual([
      { spaceId: 'pool-a', family: 'ipv4' },
      { spaceId: 'pool-a', family: 'ipv6' },
    ]);
  });
});

describe('finding the free buddies a crash left apart', () => {
  const free = (cidr: string, within = '10.0.0.0/24') => ({ spaceId: 'pool-a', cidr, within });

  it('names one block of each free pair inside the same provisioned CIDR', () => {
    const blocks = [free('10.0.0.0/26'), free('10.0.0.64/26'), free('10.0.0.128/27'), free('10.0.0.224/27')];
    expect(unmergedBuddies(blocks)).toEqual([free('10.0.0.0/26')]);
    expect(unmergedBuddies([free('10.0.0.0/25'), free('10.0.0.128/26')])).toEqual([]);
  });

  it('never pairs blocks across the edge of a provisioned CIDR', () => {
    expect(unmergedBuddies([free('10.0.0.0/25', '10.0.0.0/25'), free('10.0.0.128/25', '10.0.0.128/25')])).toEqual([]);
  });
});

describe('best-fit order of free blocks', () => {
  it('smallest block first, lowest address among equals', () => {
    const sorted = cidrs('10.0.0.0/16', '10.1.0.0/24', '10.0.5.0/24', '10.2.0.0/20').sort(bestFitOrder);
    expect(texts(sorted)).toEqual(['10.0.5.0/24', '10.1.0.0/24', '10.2.0.0/20', '10.0.0.0/16']);
  });

  it('the storage key sorts the same way, and the floor selects blocks that can hold a /n', () => {
    fc.assert(
      fc.property(
        anyFamily.chain((f) => fc.tuple(anyCidr(f), anyCidr(f), fc.integer({ min: 0, max: f === 'ipv4' ? 32 : 128 }))),
        ([a, b, n]) => {
          const byKey = bestFitKey(a) < bestFitKey(b) ? -1 : bestFitKey(a) > bestFitKey(b) ? 1 : 0;
          expect(byKey).toBe(Math.sign(bestFitOrder(a, b)));
          expect(bestFitKey(a) >= bestFitKeyFloor(a.family, n)).toBe(a.prefixLength <= n);
        },
      ),
    );
  });
});

/** Every aligned /n of the block, lowest first, checked against the rules one by one. */
function bruteForcePlace(block: Cidr, n: number, allowed: readonly Cidr[], disallowed: readonly Cidr[]): Cidr | undefined {
  if (n < block.prefixLength) return undefined;
  const size = 1n << BigInt(32 - n);
  const inRange = (c: Cidr, first: bigint, last: bigint) => c.start <= first && last <= lastAddress(c);
  const touches = (c: Cidr, first: bigint, last: bigint) => c.start <= last && first <= lastAddress(c);
  for (let first = block.start; first <= lastAddress(block); first += size) {
    const last = first + size - 1n;
    if (allowed.length > 0 && !allowed.some((a) => inRange(a, first, last))) continue;
    if (disallowed.some((d) => touches(d, first, last))) continue;
    return cidrFromStart('ipv4', first, n);
  }
  return undefined;
}

describe('placing a /n in a block', () => {
  const nearBlock = cidrInside('10.0.0.0/22', 20, 32); // inside, around and outside the block

  it('picks the lowest aligned /n that is allowed and not disallowed (brute-force oracle)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cidrs('10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/23')),
        fc.integer({ min: 22, max: 32 }),
        fc.array(nearBlock, { maxLength: 3 }),
        fc.array(nearBlock, { maxLength: 6 }),
        (block, n, allowed, disallowed) => {
          expect(placeInBlock(block, n, allowed, disallowed)).toEqual(bruteForcePlace(block, n, allowed, disallowed));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads like the rules', () => {
    const block = parseCidr('10.0.0.0/24');
    expect(formatCidr(placeInBlock(block, 26, [], [])!)).toBe('10.0.0.0/26');
    expect(formatCidr(placeInBlock(block, 26, [], cidrs('10.0.0.0/27'))!)).toBe('10.0.0.64/26');
    expect(formatCidr(placeInBlock(block, 26, cidrs('10.0.0.128/25'), [])!)).toBe('10.0.0.128/26');
    expect(placeInBlock(block, 26, cidrs('10.0.0.0/27'), [])).toBeUndefined(); // an allowed CIDR smaller than the request
    expect(placeInBlock(block, 26, cidrs('10.0.1.0/24'), [])).toBeUndefined(); // allowed elsewhere only
    expect(placeInBlock(block, 23, [], [])).toBeUndefined(); // bigger than the block
    expect(placeInBlock(block, 26, cidrs('2001:db8::/32'), [])).toBeUndefined(); // allowed, but not this family
    expect(formatCidr(placeInBlock(block, 26, [], cidrs('2001:db8::/32'))!)).toBe('10.0.0.0/26');
  });

  it('jumps over disallowed space instead of trying each /64 of an IPv6 /32', { timeout: 5_000 }, () => {
    const block = parseCidr('2001:db8::/32');
    const lastSlash64 = parseCidr('2001:db8:ffff:ffff::/64');
    // Everything but the last /64 is disallowed, plus many scattered /64s and /56s.
    const scattered = Array.from({ length: 5_000 }, (_, i) =>
      i % 2 === 0
        ? cidrFromStart('ipv6', block.start + ((BigInt(i) * 7919n) << 64n), 64)
        : cidrFromStart('ipv6', block.start + ((BigInt(i) * 7919n) << 72n), 56),
    );
    const disallowed = [...scattered, ...carve(block, lastSlash64)];
    expect(placeInBlock(block, 64, [], disallowed)).toEqual(lastSlash64);
    expect(placeInBlock(block, 64, [], [...disallowed, lastSlash64])).toBeUndefined();

    const manyAllowed = Array.from({ length: 5_000 }, (_, i) => cidrFromStart('ipv6', block.start + (BigInt(i) << 80n), 48));
    const alsoDisallowed = [...scattered, parseCidr('2001:db8:1::/64')];
    expect(formatCidr(placeInBlock(block, 64, manyAllowed.slice(1).reverse(), alsoDisallowed)!)).toBe('2001:db8:1:1::/64');
  });

  it('refuses a prefix length outside the family', () => {
    expect(() => placeInBlock(parseCidr('10.0.0.0/24'), 33, [], [])).toThrow(RangeError);
  });
});

describe('sorting helpers are total', () => {
  it('compareCidrs and bestFitOrder are consistent with sameCidr', () => {
    fc.assert(
      fc.property(
        anyFamily.chain((f) => fc.tuple(anyCidr(f), anyCidr(f))),
        ([a, b]) => {
          expect(compareCidrs(a, b) === 0).toBe(sameCidr(a, b));
          expect(bestFitOrder(a, b) === 0).toBe(sameCidr(a, b));
        },
      ),
    );
  });
});
