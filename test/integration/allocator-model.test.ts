// The allocator as the service runs it (use cases on DynamoDB Local) makes the same choices as the
// in-memory reference of test/unit/domain, for random sequences of allocations and releases:
// same CIDRs, same refusals, same free blocks, and the whole CIDR free again at the end. Also as
// `npm start` runs it (the process alone writes its store): releases read nothing and merge after
// their answer, and every placement still sees the space merged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { IpamError } from '../../lambdas/domain/errors.ts';
import { InMemoryBuddyAllocator } from '../unit/domain/in-memory-allocator.ts';
import { settleFreeSpace } from '../../lambdas/use-cases/warm-free-space.ts';
import { createUseCaseHarness, poolWithCidr } from '../support/use-cases.ts';

type Step =
  | { kind: 'netmask'; prefixLength: number }
  | { kind: 'specific'; offset: number; prefixLength: number }
  | { kind: 'release'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('netmask' as const), prefixLength: fc.integer({ min: 25, max: 30 }) }),
  fc.record({
    kind: fc.constant('specific' as const),
    offset: fc.integer({ min: 0, max: 255 }),
    prefixLength: fc.integer({ min: 26, max: 30 }),
  }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
);

const POOL_CIDR = '10.20.30.0/24';

describe.each([
  { mode: 'each request alone (Lambda)', soleServerSince: undefined },
  { mode: 'the sole server (npm start)', soleServerSince: new Date() },
])('store-backed allocator against the reference model, $mode', ({ soleServerSince }) => {
  it('agrees on every step of random allocate/release sequences in a /24', async () => {
    const harness = await createUseCaseHarness({ soleServerSince });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), async (steps) => {
        const { ipam, pool } = await poolWithCidr(harness, POOL_CIDR);
        const model = new InMemoryBuddyAllocator('ipv4');
        model.provision(parseCidr(POOL_CIDR));
        const held: { id: string; cidr: string }[] = [];
        for (const current of steps) {
          if (current.kind === 'release') {
            if (held.length === 0) continue;
            const [victim] = held.splice(current.pick % held.length, 1);
            await harness.call('ReleaseIpamPoolAllocation', {
              IpamPoolId: pool.IpamPoolId,
              IpamPoolAllocationId: victim!.id,
              Cidr: victim!.cidr,
            });
            model.release(parseCidr(victim!.cidr));
            continue;
          }
          const size = 2 ** (32 - current.prefixLength);
          const specific =
            current.kind === 'specific' ? `10.20.30.${Math.floor(current.offset / size) * size}/${current.prefixLength}` : undefined;
          const expected = specific
            ? model.allocateSpecific(parseCidr(specific))
              ? specific
              : undefined
            : (() => {
                const cidr = model.allocate(current.prefixLength);
                return cidr && formatCidr(cidr);
              })();
          try {
            const { IpamPoolAllocation } = await harness.call(
              'AllocateIpamPoolCidr',
              specific
                ? { IpamPoolId: pool.IpamPoolId, Cidr: specific }
                : { IpamPoolId: pool.IpamPoolId, NetmaskLength: current.prefixLength },
            );
            expect(IpamPoolAllocation.Cidr).toBe(expected);
            held.push({ id: IpamPoolAllocation.IpamPoolAllocationId, cidr: IpamPoolAllocation.Cidr });
          } catch (error) {
            if (!(error instanceof IpamError) || error.code !== 'InvalidParameterValue') throw error;
            expect(expected).toBeUndefined();
          }
        }
        await settleFreeSpace(harness.deps.store);
        const free = (await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv4')).map((block) => block.cidr).sort();
        expect(free).toEqual(
          model
            .freeBlocks()
            .map((entry) => formatCidr(entry.cidr))
            .sort(),
        );
        // Cascade takes everything down, which also proves all space returns: the scope is empty again.
        await harness.call('DeleteIpam', { IpamId: ipam.IpamId, Cascade: true });
      }),
      { numRuns: 15 },
    );
  });
});
