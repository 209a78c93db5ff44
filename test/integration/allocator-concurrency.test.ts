// 32 allocators racing on one pool: every /28 of a /20 is handed out exactly once, the rest are
// told cleanly that the pool is full, and releasing everything restores the whole /20: with each
// request alone (Lambda), and as the sole server (npm start), whose releases merge after answering.
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from '../../lambdas/domain/cidr.ts';
import { IpamError } from '../../lambdas/domain/errors.ts';
import { settleFreeSpace } from '../../lambdas/use-cases/warm-free-space.ts';
import { createUseCaseHarness, poolWithCidr } from '../support/use-cases.ts';

const ALLOCATORS = 32;

describe.each([
  { mode: 'each request alone', soleServerSince: undefined },
  { mode: 'the sole server', soleServerSince: new Date() },
])('allocation under concurrency (DynamoDB Local), $mode', ({ soleServerSince }) => {
  it('exhausts a /20 with /28s: exactly 256 succeed, no overlaps, and releasing all restores the /20', async () => {
    const harness = await createUseCaseHarness({ soleServerSince });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    const granted: { id: string; cidr: string }[] = [];
    const refusals: IpamError[] = [];

    await Promise.all(
      Array.from({ length: ALLOCATORS }, async () => {
        for (;;) {
          try {
            const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 28 });
            granted.push({ id: IpamPoolAllocation.IpamPoolAllocationId, cidr: IpamPoolAllocation.Cidr });
          } catch (error) {
            refusals.push(error as IpamError);
            return;
          }
        }
      }),
    );

    expect(granted).toHaveLength(256);
    expect(refusals).toHaveLength(ALLOCATORS);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(IpamError);
      expect(refusal.code).toBe('InvalidParameterValue');
      expect(refusal.message).toBe('The allocation size is too big for the pool.');
    }
    const cidrs = granted.map((g) => parseCidr(g.cidr));
    for (let i = 0; i < cidrs.length; i++) {
      for (let j = i + 1; j < cidrs.length; j++) expect(cidrsOverlap(cidrs[i]!, cidrs[j]!)).toBe(false);
    }

    await Promise.all(
      granted.map((g) =>
        harness.call('ReleaseIpamPoolAllocation', { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: g.id, Cidr: g.cidr }),
      ),
    );
    await settleFreeSpace(harness.deps.store);
    const free = await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv4');
    expect(free.map((block) => block.cidr)).toEqual(['10.0.0.0/20']);
  });
});
