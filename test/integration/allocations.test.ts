// Allocations (guide §7): best-fit placement, request rules, previews, specific CIDRs, release
// with coalescing, and paging through a pool's allocations.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function allocate(harness: UseCaseHarness, IpamPoolId: string, request: Record<string, unknown>) {
  const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId, ...request });
  return IpamPoolAllocation as { IpamPoolAllocationId: string; Cidr: string; ResourceType: string };
}

async function freeCidrs(harness: UseCaseHarness, poolId: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  return (await harness.store.listFreeBlocks(poolId, family)).map((block) => block.cidr).sort();
}

describe('allocating by netmask', () => {
  it('takes the smallest free block that fits, and the lowest address among equals', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    // Fragment the pool: free space is now 10.0.0.0/26, 10.0.0.160/27 and 10.0.0.192/26.
    await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.0.64/26' });
    await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.0.128/27' });
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual(['10.0.0.0/26', '10.0.0.160/27', '10.0.0.192/26']);

    // A /28 fits in all three; the /27 is the smallest, although it is not the lowest address.
    expect((await allocate(harness, pool.IpamPoolId, { NetmaskLength: 28 })).Cidr).toBe('10.0.0.160/28');
    // A /26 fits only in the two /26 blocks: the lower one wins.
    expect((await allocate(harness, pool.IpamPoolId, { NetmaskLength: 26 })).Cidr).toBe('10.0.0.0/26');
    expect((await allocate(harness, pool.IpamPoolId, { NetmaskLength: 26 })).Cidr).toBe('10.0.0.192/26');
    // No /27 is left: AWS's words (terraform-provider-aws #39046).
    await expectRefusal(
      allocate(harness, pool.IpamPoolId, { NetmaskLength: 27 }),
      'InvalidParameterValue',
      'The allocation size is too big for the pool.',
    );
  });

  it('honours AllowedCidrs and DisallowedCidrs', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const allowed = await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24, AllowedCidrs: ['10.0.128.0/17'] });
    expect(allowed.Cidr).toBe('10.0.128.0/24');
    // Best fit would be 10.0.129.0/24, then 10.0.130.0/23: the disallowed ranges are skipped.
    const disallowed = await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24, DisallowedCidrs: ['10.0.129.0/24', '10.0.130.0/24'] });
    expect(disallowed.Cidr).toBe('10.0.131.0/24');
    const both = await allocate(harness, pool.IpamPoolId, {
      NetmaskLength: 24,
      AllowedCidrs: ['10.0.64.0/22'],
      DisallowedCidrs: ['10.0.64.0/24'],
    });
    expect(both.Cidr).toBe('10.0.65.0/24');
    await expectRefusal(
      allocate(harness, pool.IpamPoolId, { NetmaskLength: 24, AllowedCidrs: ['10.0.64.0/23'], DisallowedCidrs: ['10.0.64.0/23'] }),
      'InvalidParameterValue',
      '/24',
    );
    await expectRefusal(allocate(harness, pool.IpamPoolId, { NetmaskLength: 24, AllowedCidrs: ['10.1.0.0/16'] }), 'InvalidParameterValue');
  });

  it('PreviewNextCidr shows the CIDR an allocation would get and changes nothing', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/24' });
    const freeBefore = await freeCidrs(harness, pool.IpamPoolId);

    const preview = await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24, PreviewNextCidr: true });
    expect(preview.Cidr).toBe('10.0.1.0/24');
    expect(preview.IpamPoolAllocationId).toBeUndefined();
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual(freeBefore);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    expect(IpamPoolAllocations).toHaveLength(1);

    expect((await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24 })).Cidr).toBe(preview.Cidr);
  });

  it("uses the pool's default netmask when the request names none, and refuses sizes outside its bounds", async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      AllocationMinNetmaskLength: 20,
      AllocationMaxNetmaskLength: 26,
      AllocationDefaultNetmaskLength: 24,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/16' });

    expect((await allocate(harness, IpamPool.IpamPoolId, {})).Cidr).toBe('10.0.0.0/24');
    expect((await allocate(harness, IpamPool.IpamPoolId, { NetmaskLength: 26 })).Cidr).toBe('10.0.1.0/26');
    await expectRefusal(allocate(harness, IpamPool.IpamPoolId, { NetmaskLength: 19 }), 'InvalidParameterValue', '/19', '20');
    await expectRefusal(allocate(harness, IpamPool.IpamPoolId, { NetmaskLength: 27 }), 'InvalidParameterValue', '/27', '26');
    await expectRefusal(allocate(harness, IpamPool.IpamPoolId, { Cidr: '10.0.128.0/28' }), 'InvalidParameterValue', '/28');
  });

  it('needs a netmask when the pool has no default, and refuses one bigger than the pool', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    // The real AWS answer (spec 20-scenarios.md, "real AWS responses": terraform-aws-modules/terraform-aws-vpc #1135).
    await expectRefusal(
      allocate(harness, pool.IpamPoolId, {}),
      'InvalidParameterCombination',
      'The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided.',
    );
    await expectRefusal(allocate(harness, pool.IpamPoolId, { NetmaskLength: 23 }), 'InvalidParameterValue', 'too big');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { NetmaskLength: 33 }), 'InvalidParameterValue', '33');
  });
});

describe('allocating a specific CIDR', () => {
  it('allocates exactly that CIDR', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const allocation = await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.77.0/24', Description: 'on-premises' });
    expect(allocation).toMatchObject({ Cidr: '10.0.77.0/24', ResourceType: 'custom', Description: 'on-premises' });
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    expect(IpamPoolAllocations).toEqual([
      expect.objectContaining({ IpamPoolAllocationId: allocation.IpamPoolAllocationId, Cidr: '10.0.77.0/24' }),
    ]);
  });

  it('refuses a CIDR overlapping an allocation, outside the pool, or with host bits set', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.4.0/22' });
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '10.0.5.0/24' }), 'InvalidParameterValue', '10.0.5.0/24', 'overlaps');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/21' }), 'InvalidParameterValue', '10.0.0.0/21');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '10.1.0.0/24' }), 'InvalidParameterValue', '10.1.0.0/24', 'not within');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '10.0.8.1/24' }), 'InvalidParameterValue', '10.0.8.1/24');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '2001:db8::/48' }), 'InvalidParameterValue', '2001:db8::/48');
    await expectRefusal(allocate(harness, pool.IpamPoolId, { Cidr: '10.0.8.0/24', NetmaskLength: 24 }), 'InvalidParameterCombination');
  });
});

describe('allocating concurrently', () => {
  // A read of the free space is not a snapshot: a concurrent split can move free space from where
  // the read has not been yet to where it has already been. Such a miss must not be reported as
  // "no space" or "overlaps an allocation".
  it('never refuses space that is free while other allocations split the same pool', { timeout: 60_000 }, async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const pools: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
      await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: `10.${i}.0.0/20` });
      pools.push(IpamPool.IpamPoolId);
    }
    const refusals: string[] = [];
    for (const [index, poolId] of pools.entries()) {
      const octet = `10.${index}`;
      await Promise.all(
        Array.from({ length: 10 }, async (_, worker) => {
          for (let i = 0; i < 3; i++) {
            const request =
              worker % 2 === 0 ? { Cidr: `${octet}.${worker}.${i}/32` } : { NetmaskLength: 32, AllowedCidrs: [`${octet}.${worker}.0/24`] };
            await allocate(harness, poolId, request).catch((error: Error) => refusals.push(`${JSON.stringify(request)}: ${error.message}`));
          }
        }),
      );
    }
    expect(refusals).toEqual([]);
  });
});

describe('releasing allocations', () => {
  it('gives the space back: after releasing everything the free space is the provisioned CIDRs again', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/22');
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.4.0/24' });
    const allocations = [
      await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.4.0/25' }),
      await allocate(harness, pool.IpamPoolId, { NetmaskLength: 26 }),
      await allocate(harness, pool.IpamPoolId, { NetmaskLength: 24 }),
      await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.2.128/25' }),
      await allocate(harness, pool.IpamPoolId, { NetmaskLength: 28 }),
    ];
    expect((await freeCidrs(harness, pool.IpamPoolId)).length).toBeGreaterThan(2);

    for (const allocation of allocations.reverse()) {
      const result = await harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: pool.IpamPoolId,
        IpamPoolAllocationId: allocation.IpamPoolAllocationId,
        Cidr: allocation.Cidr,
      });
      expect(result).toEqual({ Success: true });
    }
    // Adjacent provisioned CIDRs stay apart: merging never crosses a provisioned CIDR's edge.
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual(['10.0.0.0/22', '10.0.4.0/24']);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    expect(IpamPoolAllocations).toEqual([]);
  });

  it('refuses to release a child pool allocation', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPool: child } = await harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: pool.IpamPoolId,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, Cidr: '10.0.16.0/20' });
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId });
    expect(IpamPoolAllocations).toEqual([
      expect.objectContaining({ Cidr: '10.0.16.0/20', ResourceType: 'ipam-pool', ResourceId: child.IpamPoolId }),
    ]);
    const [childAllocation] = IpamPoolAllocations;
    await expectRefusal(
      harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: pool.IpamPoolId,
        IpamPoolAllocationId: childAllocation.IpamPoolAllocationId,
        Cidr: childAllocation.Cidr,
      }),
      'InvalidParameterValue',
      childAllocation.IpamPoolAllocationId,
    );
    // The child still holds its space.
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toHaveLength(1);
  });

  it('answers a release whose CIDR or id does not match with "No allocation found"', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const allocation = await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.1.0/24' });
    await expectRefusal(
      harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: pool.IpamPoolId,
        IpamPoolAllocationId: allocation.IpamPoolAllocationId,
        Cidr: '10.0.2.0/24',
      }),
      'InvalidParameterCombination',
      'No allocation found',
      allocation.IpamPoolAllocationId,
    );
    await expectRefusal(
      harness.call('ReleaseIpamPoolAllocation', {
        IpamPoolId: pool.IpamPoolId,
        IpamPoolAllocationId: 'ipam-pool-alloc-0123456789abcdef0123456789abcdef',
        Cidr: '10.0.1.0/24',
      }),
      'InvalidParameterCombination',
      'No allocation found',
    );
    // Released once, then again: the second finds nothing.
    const release = { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: allocation.IpamPoolAllocationId, Cidr: allocation.Cidr };
    await harness.call('ReleaseIpamPoolAllocation', release);
    await expectRefusal(harness.call('ReleaseIpamPoolAllocation', release), 'InvalidParameterCombination', 'No allocation found');
  });
});

describe('listing allocations', () => {
  it('pages through 2,500 allocations 1,000 at a time, returning each exactly once', { timeout: 120_000 }, async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/20');
    const COUNT = 2500;
    const WORKERS = 10;
    const made = new Map<string, string>();
    // Each worker fills its own part of the /20, so they rarely race for the same free block.
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, worker) => {
        const region = `10.0.${worker}.0/24`;
        for (let i = 0; i < COUNT / WORKERS; i++) {
          const allocation = await allocate(harness, pool.IpamPoolId, { NetmaskLength: 32, AllowedCidrs: [region] });
          made.set(allocation.IpamPoolAllocationId, allocation.Cidr);
        }
      }),
    );
    expect(made.size).toBe(COUNT);
    expect(new Set(made.values()).size).toBe(COUNT);

    const seen = new Map<string, string>();
    let pages = 0;
    let NextToken: string | undefined;
    do {
      const page = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId, MaxResults: 1000, NextToken });
      expect(page.IpamPoolAllocations.length).toBeLessThanOrEqual(1000);
      expect(page.NextToken).not.toBe(NextToken);
      for (const allocation of page.IpamPoolAllocations) {
        expect(seen.has(allocation.IpamPoolAllocationId)).toBe(false);
        seen.set(allocation.IpamPoolAllocationId, allocation.Cidr);
      }
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(made);
  });

  it('filters by resource type and CIDR', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPool: child } = await harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: pool.IpamPoolId,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 20 });
    const a = await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.128.0/24' });
    const b = await allocate(harness, pool.IpamPoolId, { Cidr: '10.0.129.0/24' });
    const list = async (Filters: unknown[]) =>
      ((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId, Filters })).IpamPoolAllocations as { Cidr: string }[])
        .map((allocation) => allocation.Cidr)
        .sort();

    expect(await list([{ Name: 'resource-type', Values: ['custom'] }])).toEqual([a.Cidr, b.Cidr]);
    expect(await list([{ Name: 'resource-type', Values: ['ipam-pool'] }])).toEqual(['10.0.0.0/20']);
    expect(await list([{ Name: 'resource-id', Values: [child.IpamPoolId] }])).toEqual(['10.0.0.0/20']);
    expect(await list([{ Name: 'cidr', Values: ['10.0.129.0/24'] }])).toEqual([b.Cidr]);
    expect(await list([{ Name: 'cidr', Values: ['10.0.12?.0/24'] }])).toEqual([a.Cidr, b.Cidr]);
    expect(
      await list([
        { Name: 'resource-type', Values: ['ipam-pool'] },
        { Name: 'cidr', Values: ['10.0.129.0/24'] },
      ]),
    ).toEqual([]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', {
      IpamPoolId: pool.IpamPoolId,
      IpamPoolAllocationId: a.IpamPoolAllocationId,
    });
    expect(IpamPoolAllocations).toEqual([expect.objectContaining({ Cidr: a.Cidr })]);
  });
});
