// Group commit's planner against the rule it must keep: a batch is placed exactly as the same
// requests would be, one by one, each committing before the next searches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchRequest, type CandidateStream, compareBestFit, planBatch } from '../../../lambdas/domain/batch-placement.ts';
import { type Cidr, formatCidr, parseCidr } from '../../../lambdas/domain/cidr.ts';
import { carve, placeInBlock } from '../../../lambdas/domain/free-space.ts';
import type { FreeBlock } from '../../../lambdas/domain/model/pool.ts';
import { cidrInside } from './arbitraries.ts';

const SPACE = 'ipam-pool-0123456789abcdef0';

const block = (cidr: Cidr, within: Cidr): FreeBlock => ({ spaceId: SPACE, cidr: formatCidr(cidr), within: formatCidr(within) });
const fitOf = (free: FreeBlock, request: BatchRequest) =>
  placeInBlock(parseCidr(free.cidr), request.prefixLength, request.allowed, request.disallowed);
const inBestFitOrder = (blocks: readonly FreeBlock[]) => [...blocks].sort((a, b) => compareBestFit(parseCidr(a.cidr), parseCidr(b.cidr)));

/** The reference: each request takes the best fit of what the previous ones left, then carves it. */
function placeSequentially(initial: readonly FreeBlock[], requests: readonly BatchRequest[]) {
  let free = [...initial];
  const targets: (string | undefined)[] = [];
  for (const request of requests) {
    const chosen = inBestFitOrder(free).find((candidate) => fitOf(candidate, request));
    if (!chosen) {
      targets.push(undefined);
      continue;
    }
    const target = fitOf(chosen, request)!;
    free = free.filter((candidate) => candidate !== chosen);
    free.push(...carve(parseCidr(chosen.cidr), target).map((piece) => block(piece, parseCidr(chosen.within))));
    targets.push(formatCidr(target));
  }
  return { targets, free: free.map((b) => b.cidr).sort() };
}

/**
 * A fragmented pool: one or two provisioned CIDRs of `universe`'s size, carved by a few earlier
 * allocations (whose pieces are canonical free blocks, as the store keeps them).
 */
const fragmentedPool = (universe: string, depth: number) =>
  fc
    .record({
      second: fc.boolean(),
      carves: fc.array(fc.tuple(fc.nat(), fc.nat({ max: depth }), fc.nat()), { maxLength: 6 }),
    })
    .map(({ second, carves }) => {
      const first = parseCidr(universe);
      const provisioned = [first];
      if (second) provisioned.push(parseCidr(universe.replace(/^10\.0\./, '10.1.').replace(/^2001:db8::/, '2001:db8:1::')));
      let free = provisioned.map((cidr) => block(cidr, cidr));
      for (const [pick, levels, offset] of carves) {
        if (free.length === 0) break;
        const chosen = free[pick % free.length];
        const cidr = parseCidr(chosen.cidr);
        const prefixLength = Math.min(cidr.prefixLength + levels, first.prefixLength + depth);
        const slots = 1n << BigInt(prefixLength - cidr.prefixLength);
        const size = 1n << BigInt((cidr.family === 'ipv4' ? 32 : 128) - prefixLength);
        const target = { family: cidr.family, start: cidr.start + (BigInt(offset) % slots) * size, prefixLength } as Cidr;
        free = free.filter((candidate) => candidate !== chosen);
        free.push(...carve(cidr, target).map((piece) => block(piece, parseCidr(chosen.within))));
      }
      return free;
    });

const requestsIn = (universe: string, depth: number) => {
  const outer = parseCidr(universe);
  return fc.array(
    fc.record({
      prefixLength: fc.integer({ min: outer.prefixLength, max: outer.prefixLength + depth }),
      allowed: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        fc.array(cidrInside(outer, outer.prefixLength + 1, outer.prefixLength + depth), { maxLength: 2 }),
      ),
      disallowed: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        fc.array(cidrInside(outer, outer.prefixLength + 1, outer.prefixLength + depth), { maxLength: 2 }),
      ),
      items: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 1, maxLength: 24 },
  );
};

/** The store's best-fit query for each netmask, revealed `chunk` blocks at a time as the planner asks for more. */
function plannedInChunks(initial: readonly FreeBlock[], requests: readonly BatchRequest[], maxItems: number, chunk: number) {
  const revealed = new Map<number, number>();
  const stream = (prefixLength: number): CandidateStream => {
    const all = inBestFitOrder(initial.filter((free) => parseCidr(free.cidr).prefixLength <= prefixLength));
    const count = Math.min(all.length, revealed.get(prefixLength) ?? chunk);
    return { blocks: all.slice(0, count), complete: count === all.length };
  };
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const plan = planBatch(requests, stream, maxItems);
    if (!('more' in plan)) return plan;
    revealed.set(plan.more, (revealed.get(plan.more) ?? chunk) + chunk);
  }
  throw new Error('the planner kept asking for more');
}

describe('planning a batch of allocations of one pool', () => {
  for (const [family, universe, depth] of [
    ['IPv4', '10.0.0.0/20', 8],
    ['IPv6', '2001:db8::/48', 16],
  ] as const) {
    it(`places each request as the sequential allocator would (${family}, mixed netmasks, Allowed/DisallowedCidrs, running out)`, () => {
      fc.assert(
        fc.property(
          fragmentedPool(universe, depth),
          requestsIn(universe, depth),
          fc.integer({ min: 4, max: 120 }),
          fc.integer({ min: 1, max: 4 }),
          (initial, requests, maxItems, chunk) => {
            const plan = plannedInChunks(initial, requests, maxItems, chunk);
            const placed = plan.outcomes.indexOf('deferred');
            const done = placed === -1 ? requests.length : placed;
            // Deferral only ever cuts the tail: every request after the first deferred is deferred.
            expect(plan.outcomes.slice(done).every((outcome) => outcome === 'deferred')).toBe(true);
            const expected = placeSequentially(initial, requests.slice(0, done));
            expect(
              plan.outcomes.slice(0, done).map((outcome) => (typeof outcome === 'object' ? formatCidr(outcome.target) : undefined)),
            ).toEqual(expected.targets);
            // What the commit leaves: the blocks not taken plus the pieces created.
            const taken = new Set(plan.taken.map((b) => b.cidr));
            expect(plan.taken.every((b) => initial.some((free) => free.cidr === b.cidr))).toBe(true);
            const after = [...initial.filter((free) => !taken.has(free.cidr)), ...plan.created].map((b) => b.cidr).sort();
            expect(after).toEqual(expected.free);
            // And it fits the transaction.
            const items =
              plan.taken.length +
              plan.created.length +
              1 +
              requests.slice(0, done).reduce((sum, r, i) => sum + (typeof plan.outcomes[i] === 'object' ? r.items : 0), 0);
            expect(items).toBeLessThanOrEqual(maxItems);
            // A batch defers only what does not fit: its first request is placed unless it alone is too big.
            if (done === 0) expect(placeSequentially(initial, requests.slice(0, 1)).targets[0]).toBeDefined();
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('a lone request gets the best fit, lowest address in the smallest block', () => {
    const within = parseCidr('10.0.0.0/16');
    const initial = ['10.0.128.0/17', '10.0.64.0/18', '10.0.48.0/20', '10.0.32.0/20'].map((cidr) => block(parseCidr(cidr), within));
    const plan = plannedInChunks(initial, [{ prefixLength: 24, allowed: [], disallowed: [], items: 2 }], 90, 10);
    expect(plan.outcomes.map((o) => typeof o === 'object' && formatCidr(o.target))).toEqual(['10.0.32.0/24']);
  });

  it('later requests take the pieces earlier ones carved before any larger store block', () => {
    const within = parseCidr('10.0.0.0/16');
    const initial = ['10.0.0.0/17', '10.0.128.0/17'].map((cidr) => block(parseCidr(cidr), within));
    const request = { prefixLength: 28, allowed: [], disallowed: [], items: 1 };
    const plan = plannedInChunks(initial, [request, request, request], 90, 10);
    expect(plan.outcomes.map((o) => typeof o === 'object' && formatCidr(o.target))).toEqual([
      '10.0.0.0/28',
      '10.0.0.16/28',
      '10.0.0.32/28',
    ]);
    expect(plan.taken.map((b) => b.cidr)).toEqual(['10.0.0.0/17']);
  });
});
